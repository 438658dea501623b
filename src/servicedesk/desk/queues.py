"""The desk's queues: named slices of the open tickets, their counts and filters.

Every queue starts from `tickets_visible_to(user)`, so the desk reads through the same
access-checked door as everything else. Counts take one aggregate query for the fixed
queues and one grouped query each for teams and product groups.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import User
from servicedesk.tickets.models import (
    OPEN_STATUSES,
    ClockState,
    Status,
    Ticket,
    TicketClock,
)
from servicedesk.tickets.selectors import tickets_visible_to

# A running clock due within this time, or past its warning, is "about to breach".
BREACH_HORIZON = datetime.timedelta(hours=4)

OPEN = Q(status__in=OPEN_STATUSES)


def _breaching(now: datetime.datetime) -> Q:
    warned = TicketClock.objects.filter(
        ticket=OuterRef("pk"), state=ClockState.RUNNING, warn_at__lte=now
    )
    return OPEN & (Q(sla_due_at__lte=now + BREACH_HORIZON) | Q(Exists(warned)))


def _breached() -> Q:
    return OPEN & Q(
        Exists(TicketClock.objects.filter(ticket=OuterRef("pk"), state=ClockState.BREACHED))
    )


@dataclass(frozen=True)
class Queue:
    """A named slice of tickets and the order it is worked in."""

    key: str
    label: Promise
    condition: Callable[[User, datetime.datetime], Q]
    ordering: tuple[str, ...] = ()
    shortcut: str = ""  # a key sequence of the desk's shortcuts, e.g. "g u"
    alert: bool = False  # a count above zero needs attention


BY_PRIORITY = ("priority_rank", "sla_due_at", "created_at")

QUEUES: dict[str, Queue] = {
    queue.key: queue
    for queue in (
        Queue(
            "mine", _("My open tickets"), lambda user, now: OPEN & Q(assignee=user), shortcut="g m"
        ),
        Queue(
            "unassigned",
            _("Unassigned"),
            lambda user, now: OPEN & Q(assignee__isnull=True),
            shortcut="g u",
        ),
        Queue(
            "waiting_customer",
            _("Waiting on customer"),
            lambda user, now: Q(status=Status.WAITING_ON_CUSTOMER),
            shortcut="g c",
        ),
        Queue(
            "waiting_supplier",
            _("Waiting on supplier"),
            lambda user, now: Q(status=Status.WAITING_ON_SUPPLIER),
        ),
        Queue(
            "breaching",
            _("About to breach"),
            lambda user, now: _breaching(now),
            ("sla_due_at", "priority_rank"),
            shortcut="g b",
            alert=True,
        ),
        Queue("breached", _("Breached"), lambda user, now: _breached(), alert=True),
        Queue("open", _("All open"), lambda user, now: OPEN, shortcut="g o"),
        Queue("all", _("All tickets"), lambda user, now: Q(), ("-updated_at",)),
    )
}

COUNTED = ("mine", "unassigned", "waiting_customer", "waiting_supplier", "breaching", "breached")


def queue_tickets(
    user: User, queue: Queue, *, now: datetime.datetime | None = None
) -> QuerySet[Ticket]:
    """Return the queue's tickets in working order, with what a queue row shows."""
    now = now or timezone.now()
    ordering = queue.ordering or BY_PRIORITY
    order = [
        F(name[1:]).desc(nulls_last=True) if name.startswith("-") else F(name).asc(nulls_last=True)
        for name in ordering
    ]
    return (
        tickets_visible_to(user)
        .filter(queue.condition(user, now))
        .select_related("organisation", "product", "assignee", "team", "requester")
        .order_by(*order, "pk")
    )


def queue_counts(user: User, *, now: datetime.datetime | None = None) -> dict[str, int]:
    """Return the number of tickets in each counted queue, in one query."""
    now = now or timezone.now()
    counts = tickets_visible_to(user).aggregate(
        **{key: Count("pk", filter=QUEUES[key].condition(user, now)) for key in COUNTED}
    )
    return {key: int(value or 0) for key, value in counts.items()}


def open_counts_by(user: User, field: str) -> Mapping[int | None, int]:
    """Return {id: number of open tickets} grouped by a foreign key, e.g. "team"."""
    rows = (
        tickets_visible_to(user)
        .filter(OPEN)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values_list(field, "n")
    )
    return dict(rows)
