"""The status page as an Atom feed (`/status/feed.atom`), with the page's visibility rule:
public, or customers-only (then a sign-in is needed and each reader gets the notices about
their organisation's products)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from servicedesk.outages.models import Outage, OutageUpdate
from servicedesk.outages.views import status_outages, status_refusal
from servicedesk.tickets.policy import AnyUser

# An entry per notice; a feed reader needs no more than the latest ones.
FEED_SIZE = 50


@dataclass(frozen=True)
class Reader:
    """Who reads the feed, and when: what `items` is asked for."""

    user: AnyUser
    now: datetime.datetime


def _latest(outage: Outage) -> OutageUpdate | None:
    updates = list(outage.updates.all())  # prefetched, newest first, public only
    return updates[0] if updates else None


class StatusFeed(Feed[Outage, Reader]):
    """One entry per current or recent notice; its summary is the latest public update."""

    feed_type = Atom1Feed  # the language is the request's (Feed's default)

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = status_refusal(request)
        if refused is not None:
            return refused
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-cache"
        return response

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Reader:
        return Reader(user=request.user, now=timezone.now())

    def title(self) -> str:
        return _("Service status")

    def subtitle(self) -> str:
        return _("Disruptions of our services and their updates.")

    def link(self) -> str:
        return reverse("outages:status")

    def feed_url(self) -> str:
        return reverse("outages:status-feed")

    def items(self, obj: Reader) -> list[Outage]:
        return status_outages(user=obj.user, now=obj.now)[:FEED_SIZE]

    def item_title(self, item: Outage) -> str:
        return f"{item.title} ({item.get_state_display()})"

    def item_description(self, item: Outage) -> str:
        latest = _latest(item)
        products = ", ".join(product.name for product in item.products.all())
        parts = [
            f"<p>{escape(_('Products'))}: {escape(products)}</p>",
            linebreaks(item.symptoms, autoescape=True),
        ]
        if latest is not None:
            parts.append(linebreaks(latest.text, autoescape=True))
        if item.cause:
            parts.append(f"<p>{escape(_('Cause'))}: {escape(item.cause)}</p>")
        return "".join(parts)

    def item_link(self, item: Outage) -> str:
        return reverse("outages:status-notice", args=[item.pk])

    def item_pubdate(self, item: Outage) -> datetime.datetime:
        return item.started_at

    def item_updateddate(self, item: Outage) -> datetime.datetime:
        latest = _latest(item)
        return latest.at if latest is not None else item.started_at
