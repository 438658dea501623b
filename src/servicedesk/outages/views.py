"""Outage pages: the desk's notices (list, new, a notice with its forms), the public or
customers-only status page, the portal's subscription and the report page's hint.

Views parse, call one service or selector, and render; a service's `Refusal` becomes a
form error. Who may see a notice is the selectors' answer, who may change one the
services'.
"""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.models import User
from servicedesk.catalog.models import Product
from servicedesk.desk.access import desk_agent, desk_ticket
from servicedesk.desk.forms import QueueFilterForm
from servicedesk.desk.queues import QUEUES, queue_tickets
from servicedesk.outages import policy as outage_policy
from servicedesk.outages.forms import (
    OutageCreateForm,
    OutageUpdateForm,
    SubscriptionForm,
    TicketNumbersForm,
    TicketOutageForm,
)
from servicedesk.outages.models import (
    UNCLOSED,
    UNRESOLVED_STATES,
    Outage,
    OutageState,
    OutageUpdate,
)
from servicedesk.outages.selectors import (
    covered_products,
    outage_linked_tickets,
    outage_updates,
    outages_current_for,
    outages_for_product,
    outages_visible,
    subscriptions_of,
)
from servicedesk.outages.services import (
    outage_create,
    outage_subscribe,
    outage_tickets_link,
    outage_unsubscribe,
    outage_update_post,
)
from servicedesk.tickets.policy import contact_of, is_staff
from servicedesk.tickets.selectors import products_visible_to, tickets_visible_to
from servicedesk.ui.forms import add_service_errors
from servicedesk.ui.paging import window

PAGE_SIZE = 25
LINKED_PAGE_SIZE = 50
PREVIEW_SIZE = 20
# The status page lists the current notices and those closed this long ago at most.
RECENT = datetime.timedelta(days=30)
# The search filters that narrow the desk's tickets; at least one is needed to link.
SEARCH_FILTERS = ("q", "status", "kind", "priority", "team", "group", "assignee")
SEARCH_SCOPES = ("open", "all")
# A service's refusal keyed "actor" is about who asks: it goes above the form.
REFUSAL_ALIASES = {"actor": ""}


# --------------------------------------------------------------------------- the desk


@login_required
def desk_list(request: HttpRequest) -> HttpResponse:
    """The notices, current first; `?state=all` adds the closed ones."""
    agent = desk_agent(request)
    scope = request.GET.get("state", "current")
    scope = scope if scope in ("current", "all") else "current"
    notices = outages_visible(user=agent)
    if scope == "current":
        notices = notices.filter(UNCLOSED)
    notices = (
        notices.select_related("manager")
        .prefetch_related("products")
        .annotate(ticket_count=Count("links", distinct=True))
        .order_by("-started_at", "-pk")
    )
    page = window(notices, PAGE_SIZE, request.GET.get("page"))
    context = {
        "page": page,
        "scope": scope,
        "may_publish": outage_policy.allows(agent, outage_policy.OutageAction.PUBLISH),
    }
    return render(request, "outages/desk_list.html", context)


@login_required
def desk_new(request: HttpRequest) -> HttpResponse:
    """A new notice; published at once (banner, status page, mail) by the service."""
    agent = desk_agent(request)
    form = OutageCreateForm(request.POST or None, initial={"manager": agent.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outage = outage_create(
                actor=agent,
                title=data["title"],
                products=list(data["products"]),
                started_at=data["started_at"],
                symptoms=data["symptoms"],
                impact=data["impact"],
                manager=data["manager"],
                cadence=form.chosen_cadence(),
            )
        except ValidationError as error:
            add_service_errors(form, error, REFUSAL_ALIASES)
        else:
            messages.success(request, _("The notice is published."))
            return redirect("outages:desk-notice", pk=outage.pk)
    return render(request, "outages/desk_new.html", {"form": form})


def _desk_outage(request: HttpRequest, agent: User, pk: int) -> Outage:
    return get_object_or_404(
        outages_visible(user=agent)
        .select_related("manager", "created_by")
        .prefetch_related("products"),
        pk=pk,
    )


def _search(agent: User, data: Any) -> tuple[QueueFilterForm, str, QuerySet[Any] | None]:
    """Return the desk's queue filters read from `data`, the scope (open or all tickets),
    and the matching tickets; None when no filter narrows the search."""
    filters = QueueFilterForm(data)
    scope = data.get("scope", "open")
    scope = scope if scope in SEARCH_SCOPES else "open"
    narrowed = filters.is_valid() and any(
        str(filters.cleaned_data.get(name) or "").strip() for name in SEARCH_FILTERS
    )
    if not narrowed:
        return filters, scope, None
    return filters, scope, filters.apply(queue_tickets(agent, QUEUES[scope]))


def _render_notice(request: HttpRequest, agent: User, outage: Outage, **forms: Any) -> HttpResponse:
    searching = any(request.GET.get(name) for name in SEARCH_FILTERS)
    filters, scope, matches = _search(agent, request.GET if searching else {})
    preview = None
    if searching and matches is not None:
        found = list(matches[: PREVIEW_SIZE + 1])
        preview = {
            "tickets": found[:PREVIEW_SIZE],
            "count": matches.count() if len(found) > PREVIEW_SIZE else len(found),
        }
    linked = window(
        outage_linked_tickets(user=agent, outage=outage).select_related("assignee"),
        LINKED_PAGE_SIZE,
        request.GET.get("page"),
    )
    context = {
        "outage": outage,
        "updates": list(outage_updates(user=agent, outage=outage)),
        "linked": linked,
        "linked_count": outage.links.count(),
        "may_update": outage_policy.allows(agent, outage_policy.OutageAction.UPDATE, outage=outage),
        "update_form": forms.get("update_form") or OutageUpdateForm(outage=outage),
        "numbers_form": forms.get("numbers_form") or TicketNumbersForm(),
        "filters": filters,
        "scope": scope,
        "searching": searching,
        "preview": preview,
    }
    return render(request, "outages/desk_notice.html", context)


@login_required
def desk_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """A notice: details, its history, linked tickets, and the forms to update and link;
    a search in the query string previews the tickets a bulk link would take."""
    agent = desk_agent(request)
    return _render_notice(request, agent, _desk_outage(request, agent, pk))


@login_required
@require_POST
def desk_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Post an update (and maybe a new state, next update time, the cause)."""
    agent = desk_agent(request)
    outage = _desk_outage(request, agent, pk)
    form = OutageUpdateForm(request.POST, outage=outage)
    if form.is_valid():
        data = form.cleaned_data
        try:
            outage_update_post(
                actor=agent,
                outage=outage,
                text=data["text"],
                state=data["state"],
                next_update_due_at=data["next_update_due_at"],
                cause=data["cause"],
            )
        except ValidationError as error:
            add_service_errors(form, error, REFUSAL_ALIASES)
        else:
            messages.success(request, _("The update is published."))
            return redirect("outages:desk-notice", pk=outage.pk)
    return _render_notice(request, agent, outage, update_form=form)


def _linked_message(request: HttpRequest, count: int) -> None:
    messages.success(
        request,
        ngettext(
            "%(count)s ticket linked to the notice.",
            "%(count)s tickets linked to the notice.",
            count,
        )
        % {"count": count},
    )


@login_required
@require_POST
def desk_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link tickets given by their numbers."""
    agent = desk_agent(request)
    outage = _desk_outage(request, agent, pk)
    form = TicketNumbersForm(request.POST)
    if form.is_valid():
        numbers = form.cleaned_data["numbers"]
        tickets = list(tickets_visible_to(agent).filter(number__in=numbers))
        unknown = sorted(set(numbers) - {ticket.number for ticket in tickets})
        if unknown:
            form.add_error(
                "numbers", _("No such ticket: %(numbers)s.") % {"numbers": ", ".join(unknown)}
            )
        else:
            try:
                count = outage_tickets_link(actor=agent, outage=outage, tickets=tickets)
            except ValidationError as error:
                add_service_errors(form, error, {**REFUSAL_ALIASES, "tickets": "numbers"})
            else:
                _linked_message(request, count)
                return redirect(reverse("outages:desk-notice", args=[outage.pk]) + "#tickets")
    return _render_notice(request, agent, outage, numbers_form=form)


@login_required
@require_POST
def desk_link_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Link every ticket the search finds (the desk's queue filters and text search)."""
    agent = desk_agent(request)
    outage = _desk_outage(request, agent, pk)
    _filters, _scope, matches = _search(agent, request.POST)
    if matches is None:
        messages.error(request, _("Narrow the search first: give a text or a filter."))
        return redirect("outages:desk-notice", pk=outage.pk)
    try:
        count = outage_tickets_link(
            actor=agent, outage=outage, tickets=matches.select_related(None).only("pk")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _linked_message(request, count)
    return redirect(reverse("outages:desk-notice", args=[outage.pk]) + "#tickets")


@login_required
@require_POST
def desk_ticket_link(request: HttpRequest, number: str) -> HttpResponse:
    """From the desk's ticket page: link the ticket to a current notice."""
    agent = desk_agent(request)
    ticket = desk_ticket(request, number)
    form = TicketOutageForm(request.POST, outages=outages_current_for(user=agent))
    if not form.is_valid():
        messages.error(request, _("Choose a current notice."))
    else:
        try:
            outage_tickets_link(actor=agent, outage=form.cleaned_data["outage"], tickets=[ticket])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The ticket is linked to the notice “%(title)s”.")
                % {"title": form.cleaned_data["outage"].title},
            )
    return redirect(reverse("desk:ticket", args=[ticket.number]) + "#outages")


# --------------------------------------------------------------------------- the status page


def _status_public() -> bool:
    return bool(getattr(settings, "OUTAGES_STATUS_PAGE_PUBLIC", False))


def status_refusal(request: HttpRequest) -> HttpResponse | None:
    """Return the sign-in redirect when the status page is for customers only and nobody
    is signed in; None when the page may be shown (its selector decides what)."""
    if request.user.is_authenticated or _status_public():
        return None
    return redirect_to_login(request.get_full_path())


def status_outages(*, user: Any, now: datetime.datetime) -> list[Outage]:
    """Return the notices of the status page: every unclosed one and those closed within
    `RECENT`, newest first, with their products and public updates (three queries)."""
    public_updates = OutageUpdate.objects.filter(public=True).order_by("-at", "-pk")
    return list(
        outages_visible(user=user)
        .filter(UNCLOSED | Q(closed_at__gte=now - RECENT))
        .prefetch_related("products", Prefetch("updates", queryset=public_updates))
        .order_by("-started_at", "-pk")
    )


@require_GET
def status_page(request: HttpRequest) -> HttpResponse:
    """Current and recent notices with their updates; public or customers-only."""
    refused = status_refusal(request)
    if refused is not None:
        return refused
    now = timezone.now()
    notices = status_outages(user=request.user, now=now)
    context = {
        "current": [outage for outage in notices if outage.state != OutageState.CLOSED],
        "recent": [outage for outage in notices if outage.state == OutageState.CLOSED],
        "recent_days": RECENT.days,
        "staff": is_staff(request.user),
        "subscription": _subscription_context(request),
    }
    return render(request, "outages/status.html", context)


def _subscription_context(request: HttpRequest) -> dict[str, Any] | None:
    """The signed-in contact's e-mail subscriptions and the form to add one; None for
    anyone else."""
    contact = contact_of(request.user)
    if contact is None or is_staff(request.user):
        return None
    products = list(covered_products(organisation_id=contact.organisation_id))
    return {
        "subscriptions": list(subscriptions_of(contact=contact)),
        "form": SubscriptionForm(products=products),
    }


@require_GET
def status_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice with its public updates, and the reader's own tickets linked to it (never
    another organisation's)."""
    refused = status_refusal(request)
    if refused is not None:
        return refused
    outage = get_object_or_404(
        outages_visible(user=request.user).prefetch_related("products"), pk=pk
    )
    updates = outage_updates(user=request.user, outage=outage).filter(public=True)
    tickets = (
        outage_linked_tickets(user=request.user, outage=outage)
        if request.user.is_authenticated
        else None
    )
    context = {
        "outage": outage,
        "updates": list(updates.order_by("-at", "-pk")),
        "tickets": list(tickets[:LINKED_PAGE_SIZE]) if tickets is not None else None,
        "staff": is_staff(request.user),
    }
    return render(request, "outages/status_notice.html", context)


# --------------------------------------------------------------------------- the portal


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def portal_subscription(request: HttpRequest) -> HttpResponse:
    """Subscribe the signed-in contact to the notices of a product, or of all theirs, or
    end that subscription."""
    contact = contact_of(request.user)
    if contact is None or is_staff(request.user):
        raise PermissionDenied
    products = list(covered_products(organisation_id=contact.organisation_id))
    form = SubscriptionForm(request.POST, products=products)
    if not form.is_valid():
        messages.error(request, _("Choose one of your products."))
    else:
        product = form.chosen_product()
        try:
            if form.cleaned_data["action"] == "subscribe":
                outage_subscribe(actor=request.user, contact=contact, product=product)
                text = _("You will receive outage notices by e-mail.")
            else:
                outage_unsubscribe(actor=request.user, contact=contact, product=product)
                text = _("You will no longer receive these outage notices by e-mail.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, text)
    return redirect(_safe_next(request, reverse("portal:tickets")))


@login_required
@require_GET
def intake_hint(request: HttpRequest) -> HttpResponse:
    """The report page's hint for the chosen product (an HTMX region)."""
    if contact_of(request.user) is None:
        raise PermissionDenied
    product = chosen_product(request, request.GET.get("product", ""))
    return render(request, "outages/intake_hint.html", intake_hint_context(request, product))


def chosen_product(request: HttpRequest, value: str) -> Product | None:
    if not value.isdigit():
        return None
    return products_visible_to(request.user).filter(pk=int(value)).first()


def intake_hint_context(request: HttpRequest, product: Product | None) -> dict[str, Any]:
    """What the hint shows: the unresolved notices about the chosen product, or, before a
    product is chosen, those about any of the customer's products."""
    if product is None:
        notices = [
            outage
            for outage in outages_current_for(user=request.user)
            if outage.state in UNRESOLVED_STATES
        ]
    else:
        notices = outages_for_product(user=request.user, product=product)
    # What was ticked stays ticked when the form comes back or the hint follows the product.
    chosen = set((request.POST if request.method == "POST" else request.GET).getlist("outage"))
    return {"notices": notices, "chosen": chosen, "product": product}
