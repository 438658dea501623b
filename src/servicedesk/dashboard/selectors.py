"""The dashboard's figures, counted in the database in a fixed number of queries.

What each figure counts (the page says it too):

- **Open by priority**: open tickets per priority, most urgent first.
- **About to breach**: open tickets whose SLA warning has passed and whose due time has
  not (`sla_warn_at <= now < sla_due_at`, the earliest of the ticket's running clocks).
- **Open with a breach**: open tickets with a missed target (`sla_breached`): the desk's
  "Breached" queue.
- **Missed today**: the SLA targets whose due instant fell today, in the viewer's time
  zone, before now, without being met: breached, or still running or paused past their
  due time before the sweep has seen them. That is the compliance report's rule for a miss
  (it counts at its due instant, not when the desk noticed it), so the figure is the
  "missed" column of that report for today. Counted per target, internal ones included (a
  ticket that missed its reaction and its restore counts twice), and on how many tickets;
  tickets closed since count too. `sla_breached` would say neither when nor which.
- **Unassigned over one working day**: open tickets without an assignee, created more than
  one working day ago in their contract's business calendar (the same wall-clock time on
  the previous working day, `opsreports.workdays`; the desk's default calendar without a
  contract). Measured from the ticket's creation, as the "still unassigned" alert is.
- **Surveys answered this month** and their tNPS (`surveys.selectors.satisfaction`).
- **Compliance of the running month**: per target promised to customers, the share met
  against its objective and the verdict (`reports.compliance.compliance_report`). Counted
  at most once a minute (`COMPLIANCE_SECONDS`, in Django's cache): a month's report reads
  every clock decided in it, which at a million tickets costs as much as all the live
  counts together or more (bench/README.md, `reports.py`), and it moves slowly; the live
  counts are counted at every request.

The counts of open tickets are one grouped query with conditional counts over the open
tickets (`OPEN`, the condition of their partial indexes); nothing loops over tickets. The
cutoff of "one working day" is computed once per business calendar, from the contracts of
the unassigned open tickets (one query, and one per service level without a calendar of
its own), and handed to the database as a condition.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TypedDict, cast
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from servicedesk.automation.policy import business_calendar, default_calendar
from servicedesk.contracts.models import Contract
from servicedesk.dashboard.access import Viewer
from servicedesk.opsreports.scope import report_scope
from servicedesk.opsreports.workdays import working_days_before
from servicedesk.reports.compliance import (
    MAY_MISS,
    TargetRow,
    compliance_report,
    compliance_scope,
)
from servicedesk.reports.periods import Period, month_of, period_between
from servicedesk.sla import BusinessCalendar
from servicedesk.surveys.selectors import Satisfaction, satisfaction
from servicedesk.tickets.models import OPEN, Ticket, TicketClock
from servicedesk.tickets.selectors import tickets_visible_to

UNASSIGNED_WORKING_DAYS = 1
COMPLIANCE_SECONDS = 60


class _OpenRow(TypedDict):
    """One priority's row of the open tickets' counts."""

    priority: str
    priority_rank: int
    open: int
    about: int
    breached: int
    unassigned: int
    late: int


@dataclass(frozen=True, slots=True)
class PriorityCount:
    """The open tickets of one priority."""

    priority: str
    rank: int
    open: int


@dataclass(frozen=True)
class Dashboard:
    """The dashboard's figures at `now` for the viewer (one team's, with `team_id`)."""

    now: datetime.datetime
    today: Period
    month: Period
    team_id: int | None
    open: int
    by_priority: tuple[PriorityCount, ...]
    about_to_breach: int
    breached_open: int
    missed_today: int
    missed_today_tickets: int
    unassigned: int
    unassigned_late: int
    satisfaction: Satisfaction
    compliance: tuple[TargetRow, ...]

    def state(self) -> tuple[object, ...]:
        """Return everything the page shows, and nothing else (not `now`): the refresh
        answers 304 Not Modified while it stays the same."""
        return (
            self.today.first_day,
            self.month.code,
            self.month.is_over(self.now),
            self.team_id,
            [(p.priority, p.rank, p.open) for p in self.by_priority],
            (self.open, self.about_to_breach, self.breached_open),
            (self.missed_today, self.missed_today_tickets),
            (self.unassigned, self.unassigned_late),
            (
                self.satisfaction.count,
                self.satisfaction.sent,
                self.satisfaction.promoters,
                self.satisfaction.passives,
                self.satisfaction.detractors,
            ),
            [
                (
                    row.key,
                    row.priority,
                    row.target_seconds,
                    row.objective_percent,
                    row.met,
                    row.missed,
                    row.running,
                    row.verdict,
                )
                for row in self.compliance
            ],
        )


def dashboard_figures(
    viewer: Viewer, *, team_id: int | None = None, now: datetime.datetime | None = None
) -> Dashboard:
    """Return the dashboard of the viewer, of one team if `team_id` is given."""
    now = now or timezone.now()
    zone = viewer.time_zone
    local_today = now.astimezone(ZoneInfo(zone)).date()
    today = period_between(local_today, local_today, time_zone=zone)
    month = month_of(now, time_zone=zone)
    open_tickets = tickets_visible_to(viewer.user).filter(OPEN)
    if team_id is not None:
        open_tickets = open_tickets.filter(team_id=team_id)
    counts = _open_counts(open_tickets, now=now)
    by_priority = tuple(
        PriorityCount(row["priority"], row["priority_rank"], row["open"]) for row in counts
    )
    missed = _missed(today, now=now, team_id=team_id)
    answers = satisfaction(
        month.start, month.end, report_scope(viewer.user, team_id=team_id), comments=0
    )
    return Dashboard(
        now=now,
        today=today,
        month=month,
        team_id=team_id,
        open=sum(row["open"] for row in counts),
        by_priority=by_priority,
        about_to_breach=sum(row["about"] for row in counts),
        breached_open=sum(row["breached"] for row in counts),
        missed_today=missed["misses"],
        missed_today_tickets=missed["tickets"],
        unassigned=sum(row["unassigned"] for row in counts),
        unassigned_late=sum(row["late"] for row in counts),
        satisfaction=answers,
        compliance=month_compliance(viewer, month=month, team_id=team_id, now=now),
    )


def month_compliance(
    viewer: Viewer, *, month: Period, team_id: int | None, now: datetime.datetime
) -> tuple[TargetRow, ...]:
    """Return the month's customer targets (of one team's tickets, with `team_id`), counted
    at most once every `COMPLIANCE_SECONDS`.

    Every viewer of the dashboard reads every organisation's customer targets (the
    dashboard's rule), so viewers share the count: it is kept per month, time zone (which
    bounds the month) and team, not per person.
    """
    key = f"dashboard:compliance:{month.code}:{month.time_zone}:{team_id or 'all'}"
    rows: tuple[TargetRow, ...] | None = cache.get(key)
    if rows is None:
        reader = viewer.customer_targets_reader
        scope = compliance_scope(reader, team_id=team_id)
        rows = compliance_report(reader, period=month, scope=scope, now=now).customer_facing
        cache.set(key, rows, COMPLIANCE_SECONDS)
    return rows


def _open_counts(open_tickets: QuerySet[Ticket], *, now: datetime.datetime) -> list[_OpenRow]:
    """Return the open tickets' counts per priority, most urgent first (one query)."""
    unassigned = Q(assignee__isnull=True)
    rows = (
        open_tickets.order_by()
        .values("priority", "priority_rank")
        .annotate(
            open=Count("pk"),
            about=Count("pk", filter=Q(sla_warn_at__lte=now, sla_due_at__gt=now)),
            breached=Count("pk", filter=Q(sla_breached=True)),
            unassigned=Count("pk", filter=unassigned),
            late=Count("pk", filter=unassigned & unassigned_since(open_tickets, now=now)),
        )
    )
    counted = [cast(_OpenRow, row) for row in rows]  # the counts annotated above
    return sorted(counted, key=lambda row: (row["priority_rank"], row["priority"]))


def unassigned_since(
    open_tickets: QuerySet[Ticket],
    *,
    now: datetime.datetime,
    days: int = UNASSIGNED_WORKING_DAYS,
) -> Q:
    """Return the condition "created more than `days` working days before `now`" for the
    unassigned ones among these tickets, each in its contract's business calendar.

    One query for the contracts of the unassigned tickets; each calendar is built once (a
    service level without a calendar of its own reads its current version once); the
    cutoff instant is computed once per calendar.
    """
    ids = open_tickets.filter(assignee__isnull=True).order_by().values("contract_id")
    contracts = Contract.objects.filter(pk__in=ids).select_related("calendar").order_by("pk")
    calendars: dict[tuple[int | None, str | None], BusinessCalendar] = {}
    cutoffs: dict[BusinessCalendar, datetime.datetime | None] = {}
    by_cutoff: dict[datetime.datetime, list[int]] = defaultdict(list)
    for contract in contracts:
        key = (contract.calendar_id, contract.service_level_id)
        if key not in calendars:
            calendars[key] = business_calendar(contract)
        calendar = calendars[key]
        if calendar not in cutoffs:
            cutoffs[calendar] = _cutoff(calendar, now, days)
        cutoff = cutoffs[calendar]
        if cutoff is not None:  # a calendar that is never open: never a working day late
            by_cutoff[cutoff].append(contract.pk)
    condition = Q(pk__in=[])
    default = _cutoff(default_calendar(), now, days)
    if default is not None:
        condition |= Q(contract__isnull=True, created_at__lt=default)
    for cutoff, contract_ids in by_cutoff.items():
        condition |= Q(contract_id__in=contract_ids, created_at__lt=cutoff)
    return condition


def _cutoff(
    calendar: BusinessCalendar, now: datetime.datetime, days: int
) -> datetime.datetime | None:
    try:
        return working_days_before(calendar, now, days)
    except ValueError:
        return None


def _missed(today: Period, *, now: datetime.datetime, team_id: int | None) -> dict[str, int]:
    """Return the targets missed today before now, and on how many tickets (one query).

    Reads the clocks by their indexed due instant; the viewer is staff (the dashboard's
    rule), who sees every ticket."""
    clocks = TicketClock.objects.filter(
        state__in=MAY_MISS, due_at__gte=today.start, due_at__lt=min(today.end, now)
    )
    if team_id is not None:
        clocks = clocks.filter(ticket__team_id=team_id)
    return clocks.aggregate(misses=Count("pk"), tickets=Count("ticket", distinct=True))
