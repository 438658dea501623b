"""The desk's queues: named slices of the open tickets, their counts and filters.

Every queue starts from `tickets_visible_to(user)`, so the desk reads through the same
access-checked door as everything else.

A queue page must cost the same with 10,000 tickets as with a million, so nothing here
looks beyond the open tickets or into their clocks: the SLA state a queue needs is kept
on the ticket by `tickets.sla` (`sla_due_at`, `sla_warn_at`, `sla_breached`), the open
tickets have partial indexes in each queue's working order, and the menu's counts are one
grouped query over an index of the open tickets that holds every column they look at.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import User
from servicedesk.tickets.models import OPEN, Status, Ticket
from servicedesk.tickets.selectors import tickets_visible_to

# A running clock due within this time, or past its warning, is "about to breach".
BREACH_HORIZON = datetime.timedelta(hours=4)


def _breaching(now: datetime.datetime) -> Q:
    return OPEN & (Q(sla_due_at__lte=now + BREACH_HORIZON) | Q(sla_warn_at__lte=now))


def _breached() -> Q:
    return OPEN & Q(sla_breached=True)


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
            lambda user, now: OPEN & Q(status=Status.WAITING_ON_CUSTOMER),
            shortcut="g c",
        ),
        Queue(
            "waiting_supplier",
            _("Waiting on supplier"),
            lambda user, now: OPEN & Q(status=Status.WAITING_ON_SUPPLIER),
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
    order = [_order_by(name) for name in ordering]
    return (
        tickets_visible_to(user)
        .filter(queue.condition(user, now))
        .select_related("organisation", "product", "assignee", "team", "requester")
        .order_by(*order, _order_by("-id" if ordering[0].startswith("-") else "id"))
    )


def _order_by(name: str) -> OrderBy:
    """Order by a field, tickets without a value last; written as the indexes are (ascending
    nulls last; descending only on fields that are never empty), so that one serves it."""
    field = name.lstrip("-")
    nulls_last = True if Ticket._meta.get_field(field).null else None
    if name.startswith("-"):
        return F(field).desc(nulls_last=nulls_last)
    return F(field).asc(nulls_last=nulls_last)


@dataclass(frozen=True)
class Counts:
    """What the desk's menu counts: the tickets in each counted queue, and the open tickets
    of each team and product group (keyed by id; None for none)."""

    queues: dict[str, int]
    by_team: dict[int | None, int]
    by_group: dict[int | None, int]


def desk_counts(user: User, *, now: datetime.datetime | None = None) -> Counts:
    """Count the menu in one pass over the open tickets (an index-only scan on PostgreSQL),
    grouped by team and product group; the queues' counts are the sums of the groups."""
    now = now or timezone.now()
    rows = (
        tickets_visible_to(user)
        .filter(OPEN)
        .order_by()
        .values("team", "product__group")
        .annotate(
            open=Count("pk"),
            **{key: Count("pk", filter=QUEUES[key].condition(user, now)) for key in COUNTED},
        )
    )
    queues: Counter[str] = Counter(dict.fromkeys(COUNTED, 0))
    by_team: Counter[int | None] = Counter()
    by_group: Counter[int | None] = Counter()
    for row in rows:
        counted = cast(dict[str, int], row)  # the counts annotated above
        queues.update({key: counted[key] for key in COUNTED})
        by_team[row["team"]] += row["open"]
        by_group[row["product__group"]] += row["open"]
    return Counts(queues=dict(queues), by_team=by_team, by_group=by_group)
