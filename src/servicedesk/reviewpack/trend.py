"""The monthly trend of each target: its share met per month, in one grouped query.

The counting rules are the compliance report's (`servicedesk.reports.compliance`): a
ticket counts in the month in which its target was decided, met at the instant it was met,
missed at its due instant (an open ticket past its due time is missed); a month's share is
met / (met + missed). So a month's point equals the compliance report of that month.
"""

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, DateTimeField, F, Q, When
from django.db.models.functions import TruncMonth

from servicedesk.reports.compliance import TARGET_FIELDS, Scope, decided_conditions
from servicedesk.tickets.models import ClockState, TicketClock

Target = tuple[object, ...]  # the values of TARGET_FIELDS: one row of the compliance report


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One month of a target: its first day, how many met and missed it, the share."""

    month: datetime.date
    met: int
    missed: int

    @property
    def measured(self) -> int:
        return self.met + self.missed

    @property
    def share_percent(self) -> float | None:
        """Return the share met in percent, rounded as the report rounds; None if nothing
        was decided that month."""
        return round(100 * self.met / self.measured, 1) if self.measured else None


@dataclass(frozen=True, slots=True)
class TargetTrend:
    """A target (one compliance row: key, priority, duration, objective) month by month."""

    key: str
    metric: str
    internal: bool
    priority: str
    target_seconds: int
    objective_percent: float
    points: tuple[TrendPoint, ...]

    @property
    def target(self) -> Target:
        """Return the target's identity, as the compliance report groups it."""
        values = {
            "internal": self.internal,
            "key": self.key,
            "metric": self.metric,
            "priority": self.priority,
            "target_seconds": self.target_seconds,
            "objective_percent": self.objective_percent,
        }
        return tuple(values[name] for name in TARGET_FIELDS)


def monthly_trend(
    *,
    scope: Scope,
    months: list[datetime.date],
    time_zone: str,
    now: datetime.datetime,
    internal: bool,
) -> list[TargetTrend]:
    """Return each target's share met per month (the first days in `months`, consecutive),
    counted in the time zone; internal targets only when `internal`. One query."""
    zone = ZoneInfo(time_zone)
    first, last = months[0], months[-1]
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
    after = datetime.date(last.year + last.month // 12, last.month % 12 + 1, 1)
    end = datetime.datetime.combine(after, datetime.time(), tzinfo=zone)
    met, missed = decided_conditions(start, end, now)  # the compliance report's rules
    decided_at = Case(
        When(state=ClockState.MET, then=F("met_at")),
        default=F("due_at"),
        output_field=DateTimeField(),
    )
    clocks = TicketClock.objects.filter(scope.clocks(), met | missed)
    if not internal:
        clocks = clocks.filter(internal=False)
    rows = (
        clocks.annotate(month=TruncMonth(decided_at, tzinfo=zone))
        .values(*TARGET_FIELDS, "month")
        .annotate(
            n_met=Count("pk", filter=Q(state=ClockState.MET)),
            n_missed=Count("pk", filter=~Q(state=ClockState.MET)),
        )
        .order_by()
    )
    counts: dict[Target, dict[datetime.date, tuple[int, int]]] = {}
    fields: dict[Target, dict[str, Any]] = {}
    for row in rows:
        target = tuple(row[name] for name in TARGET_FIELDS)
        fields.setdefault(target, row)
        counts.setdefault(target, {})[_first_day(row["month"], zone)] = (
            row["n_met"],
            row["n_missed"],
        )
    trends = [
        TargetTrend(
            key=values["key"],
            metric=values["metric"],
            internal=values["internal"],
            priority=values["priority"],
            target_seconds=values["target_seconds"] or 0,
            objective_percent=values["objective_percent"] or 100.0,
            points=tuple(TrendPoint(m, *counts[target].get(m, (0, 0))) for m in months),
        )
        for target, values in fields.items()
    ]
    return trends


def _first_day(value: datetime.datetime | datetime.date, zone: ZoneInfo) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.astimezone(zone).date() if value.tzinfo else value.date()
    return value.replace(day=1)
