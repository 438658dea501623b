"""The operational reports, read through a `ReportScope` and aggregated in the database.

- `open_tickets`: open tickets per product group x priority, with how many, the oldest and
  their average age (one GROUP BY).
- `reaction_times`: per product group, the open tickets' first reactions: how many had one,
  their average and longest reaction time, and how many still wait, since when (one GROUP
  BY). Times are wall-clock (calendar) time from the ticket's creation.
- `stale_and_breached`: open tickets outside their SLA, or without an update for their
  contract's N working days (`Contract.stale_after_days`, 5 without a contract; 0 switches
  the rule off), in the contract's business calendar. The cutoff instant is computed once
  per calendar and N, not per ticket; the tickets are then filtered in SQL.

A customer's central point of contact (`scope.customer`) sees "outside the SLA" only for the
targets promised to the customer, never the desk's internal ones.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from servicedesk.automation.policy import business_calendar
from servicedesk.contracts.models import Contract
from servicedesk.opsreports.scope import ReportScope
from servicedesk.opsreports.workdays import working_days_before
from servicedesk.sla import BusinessCalendar
from servicedesk.tickets.models import OPEN, ClockState, Ticket, TicketClock

# Without a contract, a ticket is stale after the contracts' default.
DEFAULT_STALE_AFTER_DAYS = Contract._meta.get_field("stale_after_days").get_default()


@dataclass(frozen=True, slots=True)
class OpenTicketsRow:
    """Open tickets of one product group and priority."""

    group_id: int | None
    group: str  # "" without a product group
    priority: str
    priority_rank: int
    count: int
    oldest: datetime.datetime  # the oldest one's creation
    average_age: datetime.timedelta


@dataclass(frozen=True, slots=True)
class ReactionRow:
    """The first reactions of one product group's open tickets."""

    group_id: int | None
    group: str
    open: int
    answered: int  # open tickets that had a first reaction
    average_reaction: datetime.timedelta | None
    longest_reaction: datetime.timedelta | None
    waiting: int  # open tickets still waiting for their first reaction
    oldest_waiting: datetime.datetime | None  # the creation of the longest-waiting one


def _age(now: datetime.datetime, field: str) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(
        Value(now, output_field=DateTimeField()) - F(field), output_field=DurationField()
    )


def open_tickets(
    scope: ReportScope, *, now: datetime.datetime | None = None
) -> list[OpenTicketsRow]:
    """Return the open tickets in the scope per product group and priority, groups by name
    (none last), priorities most urgent first."""
    now = now or timezone.now()
    rows = (
        scope.tickets()
        .filter(OPEN)
        .order_by()
        .values("product__group_id", "product__group__name", "priority", "priority_rank")
        .annotate(
            count=Count("pk"), oldest=Min("created_at"), average_age=Avg(_age(now, "created_at"))
        )
    )
    result = [
        OpenTicketsRow(
            group_id=row["product__group_id"],
            group=row["product__group__name"] or "",
            priority=row["priority"],
            priority_rank=row["priority_rank"],
            count=row["count"],
            oldest=row["oldest"],
            average_age=row["average_age"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: (r.group_id is None, r.group, r.priority_rank, r.priority))


def reaction_times(
    scope: ReportScope, *, now: datetime.datetime | None = None
) -> list[ReactionRow]:
    """Return the first reactions of the open tickets in the scope per product group."""
    now = now or timezone.now()
    reaction = ExpressionWrapper(
        F("first_response_at") - F("created_at"), output_field=DurationField()
    )
    waiting = Q(first_response_at__isnull=True)
    rows = (
        scope.tickets()
        .filter(OPEN)
        .order_by()
        .values("product__group_id", "product__group__name")
        .annotate(
            open=Count("pk"),
            answered=Count("first_response_at"),
            average_reaction=Avg(reaction),
            longest_reaction=Max(reaction),
            waiting=Count("pk", filter=waiting),
            oldest_waiting=Min("created_at", filter=waiting),
        )
    )
    result = [
        ReactionRow(
            group_id=row["product__group_id"],
            group=row["product__group__name"] or "",
            open=row["open"],
            answered=row["answered"],
            average_reaction=row["average_reaction"],
            longest_reaction=row["longest_reaction"],
            waiting=row["waiting"],
            oldest_waiting=row["oldest_waiting"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda r: (r.group_id is None, r.group))


def stale_condition(open_tickets: QuerySet[Ticket], *, now: datetime.datetime) -> Q:
    """Return the condition "no update for the contract's N working days" on these open
    tickets: one cutoff instant per business calendar and N (two queries: the contracts
    among the tickets, then theirs)."""
    ids = set(open_tickets.order_by().values_list("contract_id", flat=True).distinct())
    contracts = Contract.objects.filter(pk__in=ids - {None}).select_related("calendar")
    by_rule: dict[tuple[BusinessCalendar, int], list[int]] = defaultdict(list)
    for contract in contracts:
        if contract.stale_after_days == 0:
            continue  # switched off
        by_rule[business_calendar(contract), contract.stale_after_days].append(contract.pk)
    condition = Q(pk__in=[])
    for (calendar, days), contract_ids in by_rule.items():
        cutoff = working_days_before(calendar, now, days)
        condition |= Q(contract_id__in=contract_ids, updated_at__lt=cutoff)
    if None in ids:
        cutoff = working_days_before(business_calendar(None), now, DEFAULT_STALE_AFTER_DAYS)
        condition |= Q(contract__isnull=True, updated_at__lt=cutoff)
    return condition


def breached_condition(scope: ReportScope) -> Q | Exists:
    """Return "outside its SLA": any target breached for staff; for a customer, a target
    promised to them (never an internal one)."""
    if not scope.customer:
        return Q(sla_breached=True)
    return Exists(
        TicketClock.objects.filter(ticket=OuterRef("pk"), internal=False, state=ClockState.BREACHED)
    )


def stale_and_breached(
    scope: ReportScope, *, now: datetime.datetime | None = None
) -> QuerySet[Ticket]:
    """Return the open tickets in the scope outside their SLA or without an update for N
    working days, annotated `is_breached` and `is_stale`, longest without an update first."""
    now = now or timezone.now()
    tickets = scope.tickets().filter(OPEN)
    stale = stale_condition(tickets, now=now)
    breached = breached_condition(scope)
    return (
        tickets.annotate(
            is_breached=Case(
                When(breached, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
            is_stale=Case(
                When(stale, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
        .filter(Q(is_breached=True) | Q(is_stale=True))
        .select_related("organisation", "product__group", "assignee", "team", "requester")
        .order_by("updated_at", "pk")
    )


@dataclass(frozen=True, slots=True)
class StaleCounts:
    """How many open tickets are outside their SLA, without an update, or either."""

    breached: int
    stale: int
    total: int


def stale_counts(tickets: QuerySet[Ticket]) -> StaleCounts:
    """Return the counts of a `stale_and_breached` result (one aggregate query)."""
    counts = tickets.order_by().aggregate(
        breached=Count("pk", filter=Q(is_breached=True)),
        stale=Count("pk", filter=Q(is_stale=True)),
        total=Count("pk"),
    )
    return StaleCounts(counts["breached"], counts["stale"], counts["total"])
