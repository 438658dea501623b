"""The pack's reads beside compliance and satisfaction: volumes, breaches, open tickets.

Each is a grouped or bounded query in the database, never a loop over the quarter's
tickets. Tickets are read through the reports' scope (`opsreports.scope.ReportScope`,
which starts from the access-checked `tickets_visible_to`); clocks through the compliance
report's scope (`reports.compliance.Scope`), with the same rule for a miss: at its due
instant, an open ticket past its due time included.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from servicedesk.opsreports.scope import ReportScope
from servicedesk.reports.compliance import MAY_MISS, Scope
from servicedesk.reports.models import ClockShare, HolderKind
from servicedesk.reports.periods import Period
from servicedesk.tickets.models import OPEN, Ticket, TicketClock

# A pack is read in a review meeting: the largest breaches and the most urgent open tickets,
# with their totals; the whole lists are the reports' (and their CSV). Each row is table
# layout in the PDF: 40 of each keep a large customer's pack a few pages long.
BREACHES_SHOWN = 40
OPEN_SHOWN = 40


@dataclass(frozen=True, slots=True)
class Tally:
    """A label's code and how many tickets it had."""

    code: str
    count: int


@dataclass(frozen=True, slots=True)
class Volumes:
    """The quarter's tickets: created and closed, and the created ones by kind, product and
    priority (most first; priorities most urgent first)."""

    created: int
    closed: int
    by_kind: tuple[Tally, ...]
    by_product: tuple[Tally, ...]  # code: the product's name ("" without a product)
    by_priority: tuple[Tally, ...]


def volumes(scope: ReportScope, *, period: Period) -> Volumes:
    """Return the period's volumes in the scope: four grouped queries."""
    tickets = scope.tickets().order_by()
    created_in = Q(created_at__gte=period.start, created_at__lt=period.end)
    closed_in = Q(closed_at__gte=period.start, closed_at__lt=period.end)
    totals = tickets.filter(created_in | closed_in).aggregate(
        created=Count("pk", filter=created_in), closed=Count("pk", filter=closed_in)
    )
    created = tickets.filter(created_in)

    def grouped(field: str, *order: str) -> tuple[Tally, ...]:
        rows = created.values(field, *order).annotate(n=Count("pk")).order_by(*order, "-n", field)
        return tuple(Tally(row[field] or "", row["n"]) for row in rows)

    return Volumes(
        created=totals["created"],
        closed=totals["closed"],
        by_kind=grouped("kind"),
        by_product=grouped("product__name"),
        by_priority=grouped("priority", "priority_rank"),
    )


@dataclass(frozen=True, slots=True)
class HolderShare:
    """Who held a missed ticket, and how long of its time over target; `paused`: time the
    clock stood still with them (waiting on the customer), shown, never counted."""

    holder: str
    supplier_name: str
    over_seconds: int
    paused_seconds: int

    @property
    def label(self) -> str:
        """Return who it was: "Line 2", "Supplier Acme", "Customer"."""
        if self.holder == HolderKind.SUPPLIER and self.supplier_name:
            return f"{HolderKind.SUPPLIER.label} {self.supplier_name}"
        return str(HolderKind(self.holder).label) if self.holder in HolderKind.values else ""


@dataclass(frozen=True, slots=True)
class Breach:
    """A target a ticket missed in the period: when it was due, and the time over it and
    waiting on the customer (None while the ticket's shares are not yet stored)."""

    ticket_number: str
    title: str
    key: str
    priority: str
    internal: bool
    due_at: datetime.datetime | None  # never None for a missed target; typed as stored
    met_at: datetime.datetime | None  # met late; None: not met yet
    over_seconds: int | None
    customer_seconds: int
    holders: tuple[HolderShare, ...]  # the internal edition only

    @property
    def held_over(self) -> list[HolderShare]:
        """Return the holders with time over target, most first."""
        return sorted((h for h in self.holders if h.over_seconds), key=lambda h: -h.over_seconds)


def breaches(
    scope: Scope,
    *,
    period: Period,
    now: datetime.datetime,
    internal: bool,
    limit: int = BREACHES_SHOWN,
) -> list[Breach]:
    """Return the targets missed in the period (at most `limit`, earliest due first), with
    their time over target; who held them only for the `internal` edition. Two queries."""
    missed = Q(state__in=MAY_MISS, due_at__gte=period.start, due_at__lt=min(period.end, now))
    clocks = TicketClock.objects.filter(scope.clocks(), missed)
    if not internal:
        clocks = clocks.filter(internal=False)
    rows = list(
        clocks.values(
            "pk",
            "ticket__number",
            "ticket__title",
            "key",
            "priority",
            "internal",
            "due_at",
            "met_at",
        )
        .annotate(
            over=Sum("shares__over_seconds"),
            waited=Sum("shares__paused_seconds", filter=Q(shares__holder=HolderKind.CUSTOMER)),
        )
        .order_by("due_at", "ticket__number", "key")[:limit]
    )
    holders: dict[int, list[HolderShare]] = defaultdict(list)
    if internal and rows:
        shares = (
            ClockShare.objects.filter(clock_id__in=[row["pk"] for row in rows])
            .values("clock_id", "holder", "supplier__name")
            .annotate(over=Sum("over_seconds"), paused=Sum("paused_seconds"))
            .order_by("clock_id", "holder", "supplier__name")
        )
        for share in shares:
            holders[share["clock_id"]].append(
                HolderShare(
                    share["holder"], share["supplier__name"] or "", share["over"], share["paused"]
                )
            )
    return [
        Breach(
            ticket_number=row["ticket__number"],
            title=row["ticket__title"],
            key=row["key"],
            priority=row["priority"],
            internal=row["internal"],
            due_at=row["due_at"],
            met_at=row["met_at"],
            over_seconds=row["over"],
            customer_seconds=row["waited"] or 0,
            holders=tuple(holders.get(row["pk"], ())),
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class OpenTickets:
    """The tickets open now (at most `shown` of them, most urgent and oldest first)."""

    total: int
    tickets: tuple[Ticket, ...]


def open_tickets(scope: ReportScope, *, limit: int = OPEN_SHOWN) -> OpenTickets:
    """Return the scope's open tickets, most urgent first, then oldest: two queries."""
    tickets = scope.tickets().filter(OPEN)
    shown = tickets.select_related("product").order_by("priority_rank", "created_at", "pk")
    return OpenTickets(total=tickets.count(), tickets=tuple(shown[:limit]))
