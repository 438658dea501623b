"""The outage report: outages per product in a period, with their duration, the tickets
linked to them and whether every promised update came on time; counted in the database.

An outage counts in the period it started in. Its duration runs until it was resolved (or
until now). A promise is kept when the next update came before the time promised
(`OutageUpdate.late` records it at posting); an unresolved notice whose promised time has
passed has missed one too.

Scoped as the notices are (`selectors.outages_visible`); the linked tickets counted are
those the reader may see anyway. A customer, and the service review pack of an
organisation, read the outages about that organisation's products (those rows only) and its
own linked tickets.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils import timezone

from servicedesk.outages.models import (
    UNRESOLVED,
    UNRESOLVED_STATES,
    Outage,
    OutageTicket,
    OutageUpdate,
)
from servicedesk.outages.selectors import covered_products, outages_visible
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import AnyUser, contact_of, is_staff
from servicedesk.tickets.selectors import tickets_visible_to


@dataclass(frozen=True, slots=True)
class ProductRow:
    """The outages of one product in the period."""

    product_id: int
    product: str
    outages: int
    duration: datetime.timedelta
    linked_tickets: int
    on_time: int  # outages whose every promise was kept

    @property
    def late(self) -> int:
        return self.outages - self.on_time


@dataclass(frozen=True, slots=True)
class OutageLine:
    """One outage of the period."""

    id: int
    title: str
    started_at: datetime.datetime
    resolved_at: datetime.datetime | None
    duration: datetime.timedelta
    linked_tickets: int
    updates: int
    late_updates: int
    on_time: bool


@dataclass(frozen=True, slots=True)
class OutageReport:
    rows: tuple[ProductRow, ...]
    outages: tuple[OutageLine, ...]

    @property
    def total(self) -> int:
        return len(self.outages)


def _count(rows: QuerySet[OutageTicket] | QuerySet[OutageUpdate]) -> Subquery:
    """Return a correlated count of the rows (filtered on OuterRef("outage_id"))."""
    return Subquery(
        rows.order_by().values("outage_id").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def _linked(tickets: QuerySet[Ticket], outer: str) -> Coalesce:
    rows = OutageTicket.objects.filter(outage_id=OuterRef(outer), ticket__in=tickets)
    return Coalesce(_count(rows), Value(0))


def _kept(outer: str, *, now: datetime.datetime, prefix: str = "") -> Q:
    """Return the condition that every promise of the outage was kept."""
    late = OutageUpdate.objects.filter(outage_id=OuterRef(outer), late=True)
    overdue = Q(**{f"{prefix}next_update_due_at__lt": now}) & Q(
        **{f"{prefix}state__in": sorted(UNRESOLVED_STATES)}
    )
    return ~Exists(late) & ~overdue


def _duration(prefix: str, now: datetime.datetime) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(
        Coalesce(F(f"{prefix}resolved_at"), Value(now)) - F(f"{prefix}started_at"),
        output_field=DurationField(),
    )


def outage_report(
    *,
    user: AnyUser,
    start: datetime.datetime,
    end: datetime.datetime,
    organisation_id: int | None = None,
    now: datetime.datetime | None = None,
) -> OutageReport:
    """Return the outages that started in [start, end) the user may see, per product and
    one by one (three queries)."""
    contact = None if is_staff(user) else contact_of(user)
    if contact is not None:
        organisation_id = contact.organisation_id  # a customer reads their own products only
    return _report(
        outages_visible(user=user),
        tickets_visible_to(user),
        start=start,
        end=end,
        organisation_id=organisation_id,
        now=now or timezone.now(),
    )


def organisation_outage_report(
    *,
    organisation_id: int,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime | None = None,
) -> OutageReport:
    """Return the organisation's outages of [start, end): those about its products, with
    its own linked tickets (the service review pack, whoever reads it)."""
    return _report(
        Outage.objects.all(),
        Ticket.objects.all(),
        start=start,
        end=end,
        organisation_id=organisation_id,
        now=now or timezone.now(),
    )


def _report(
    outages: QuerySet[Outage],
    tickets: QuerySet[Ticket],
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    organisation_id: int | None,
    now: datetime.datetime,
) -> OutageReport:
    outages = outages.filter(started_at__gte=start, started_at__lt=end)
    through = Outage.products.through.objects.all()
    if organisation_id is not None:
        products = covered_products(organisation_id=organisation_id, on=end.date())
        outages = outages.filter(products__in=products).distinct()
        tickets = tickets.filter(organisation_id=organisation_id)
        through = through.filter(product__in=products)
    through = through.filter(outage__in=outages.values("pk"))
    per_product = (
        through.values("product_id", "product__name")
        .annotate(
            outages=Count("outage_id"),
            duration=Sum(_duration("outage__", now)),
            linked=Sum(_linked(tickets, "outage_id")),
            on_time=Count("outage_id", filter=_kept("outage_id", now=now, prefix="outage__")),
        )
        .order_by("product__name", "product_id")
    )
    rows = tuple(
        ProductRow(
            product_id=row["product_id"],
            product=row["product__name"],
            outages=row["outages"],
            duration=row["duration"] or datetime.timedelta(0),
            linked_tickets=row["linked"] or 0,
            on_time=row["on_time"],
        )
        for row in per_product
    )
    public = OutageUpdate.objects.filter(outage_id=OuterRef("pk"), public=True)
    late = OutageUpdate.objects.filter(outage_id=OuterRef("pk"), late=True)
    lines = (
        Outage.objects.filter(pk__in=outages.values("pk"))
        .annotate(
            duration=_duration("", now),
            linked=_linked(tickets, "pk"),
            public_updates=Coalesce(_count(public), Value(0)),
            late_updates=Coalesce(_count(late), Value(0)),
            overdue=ExpressionWrapper(
                Q(next_update_due_at__lt=now) & UNRESOLVED, output_field=BooleanField()
            ),
        )
        .order_by("started_at", "pk")
        .values_list(
            "pk",
            "title",
            "started_at",
            "resolved_at",
            "duration",
            "linked",
            "public_updates",
            "late_updates",
            "overdue",
        )
    )
    return OutageReport(
        rows=rows,
        outages=tuple(
            OutageLine(
                id=pk,
                title=title,
                started_at=started_at,
                resolved_at=resolved_at,
                duration=duration,
                linked_tickets=linked,
                updates=updates,
                late_updates=late_count,
                on_time=late_count == 0 and not overdue,
            )
            for (
                pk,
                title,
                started_at,
                resolved_at,
                duration,
                linked,
                updates,
                late_count,
                overdue,
            ) in lines
        ),
    )
