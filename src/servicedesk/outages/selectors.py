"""Reads of outage notices, scoped by who asks.

Staff see every notice. A customer sees the notices about products their organisation's
contracts in force cover. Without signing in, notices are seen only when the status page
is public (`settings.OUTAGES_STATUS_PAGE_PUBLIC`). The tickets linked to a notice are those
the reader may see anyway (`tickets.selectors.tickets_visible_to`): a notice never reveals
another organisation's tickets.
"""

import datetime

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from servicedesk.accounts.models import Contact
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.outages.models import (
    UNCLOSED,
    UNRESOLVED,
    Outage,
    OutageSubscription,
    OutageUpdate,
)
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import AnyUser, contact_of, is_staff
from servicedesk.tickets.selectors import tickets_visible_to


def contracts_in_force(*, on: datetime.date) -> QuerySet[Contract]:
    """Return the contracts in force on the day."""
    return Contract.objects.filter(active=True, starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )


def covered_products(*, organisation_id: int, on: datetime.date | None = None) -> QuerySet[Product]:
    """Return the products the organisation's contracts in force cover."""
    day = on or timezone.localdate()
    contracts = contracts_in_force(on=day).filter(organisation_id=organisation_id)
    return Product.objects.filter(pk__in=contracts.values("products"))


def _affecting(products: QuerySet[Product]) -> QuerySet[Outage]:
    through = Outage.products.through.objects.filter(product__in=products)
    return Outage.objects.filter(pk__in=through.values("outage_id"))


def outages_visible(*, user: AnyUser) -> QuerySet[Outage]:
    """Return the notices the user may see (see the module's docstring)."""
    if is_staff(user):
        return Outage.objects.all()
    if not user.is_authenticated:
        public = getattr(settings, "OUTAGES_STATUS_PAGE_PUBLIC", False)
        return Outage.objects.all() if public else Outage.objects.none()
    contact = contact_of(user)
    if contact is None:
        return Outage.objects.none()
    return _affecting(covered_products(organisation_id=contact.organisation_id))


def outage_get(*, user: AnyUser, pk: int) -> Outage:
    """Return the notice if the user may see it; else `Outage.DoesNotExist`."""
    return outages_visible(user=user).select_related("manager").get(pk=pk)


def outages_current_for(*, user: AnyUser) -> list[Outage]:
    """Return the notices not closed yet that the user may see, newest first (the banner)."""
    return list(
        outages_visible(user=user)
        .filter(UNCLOSED)
        .prefetch_related("products")
        .order_by("-started_at", "-pk")
    )


def outages_for_product(*, user: AnyUser, product: Product) -> list[Outage]:
    """Return the unresolved notices about the product the user may see (the intake hint)."""
    return list(
        outages_visible(user=user)
        .filter(UNRESOLVED, products=product)
        .prefetch_related("products")
        .order_by("-started_at", "-pk")
    )


def outage_updates(*, user: AnyUser, outage: Outage) -> QuerySet[OutageUpdate]:
    """Return the notice's history the user may read: customers see the public updates."""
    updates = OutageUpdate.objects.filter(outage=outage).select_related("author")
    return updates if is_staff(user) else updates.filter(public=True)


def outage_linked_tickets(*, user: AnyUser, outage: Outage) -> QuerySet[Ticket]:
    """Return the tickets linked to the notice that the user may see anyway."""
    if not outages_visible(user=user).filter(pk=outage.pk).exists():
        return Ticket.objects.none()
    return (
        tickets_visible_to(user)
        .filter(outage_links__outage=outage)
        .select_related("requester", "organisation", "product")
        .order_by("-created_at", "-pk")
    )


def outages_of_ticket(*, user: AnyUser, ticket: Ticket) -> QuerySet[Outage]:
    """Return the notices the ticket is linked to that the user may see."""
    return outages_visible(user=user).filter(links__ticket=ticket).order_by("-started_at")


def subscriptions_of(*, contact: Contact) -> QuerySet[OutageSubscription]:
    """Return the contact's subscriptions ("all my products" first)."""
    return (
        OutageSubscription.objects.filter(contact=contact)
        .select_related("product")
        .order_by(F("product__name").asc(nulls_first=True), "pk")
    )
