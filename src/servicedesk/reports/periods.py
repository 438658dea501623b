"""Report periods: a month, a quarter, a year or a range of days, in a time zone.

A period runs from the start of its first day to the start of the day after its last, in
the reader's time zone (a quarter in Amsterdam starts at midnight Amsterdam time), and is
queried as UTC instants: `start <= t < end`.

Written as `2026-03` (a month), `2026-Q1` (a quarter), `2026` (a year); a range is given by
its first and last day (both included).
"""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

FIRST_YEAR, LAST_YEAR = 1970, 9998
MAX_RANGE_DAYS = 366 * 10
_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|[Qq](?P<quarter>[1-4])))?$")


class PeriodError(ValueError):
    """A period that cannot be read; the message says why, for people."""


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch of whole days in a time zone; `kind` is month, quarter, year or range."""

    kind: str
    first_day: datetime.date
    last_day: datetime.date
    time_zone: str

    @property
    def start(self) -> datetime.datetime:
        """Return the first instant of the period (aware, in UTC)."""
        return _midnight(self.first_day, self.time_zone)

    @property
    def end(self) -> datetime.datetime:
        """Return the first instant after the period (aware, in UTC)."""
        return _midnight(self.last_day + datetime.timedelta(days=1), self.time_zone)

    @property
    def code(self) -> str:
        """Return the period as written: 2026-03, 2026-Q1, 2026, or first..last."""
        match self.kind:
            case "month":
                return f"{self.first_day:%Y-%m}"
            case "quarter":
                return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"
            case "year":
                return str(self.first_day.year)
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    def is_over(self, now: datetime.datetime) -> bool:
        """Return whether the period has ended at `now`."""
        return now >= self.end


def _midnight(day: datetime.date, time_zone: str) -> datetime.datetime:
    local = datetime.datetime.combine(day, datetime.time(), tzinfo=ZoneInfo(time_zone))
    return local.astimezone(datetime.UTC)


def parse_period(text: str, *, time_zone: str) -> Period:
    """Return the month, quarter or year written as 2026-03, 2026-Q1 or 2026."""
    found = _PATTERN.match(text.strip())
    if found is None:
        raise PeriodError(_("Write a month (2026-03), a quarter (2026-Q1) or a year (2026)."))
    year = int(found["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(_("Choose a year between %(first)d and %(last)d.") % {
            "first": FIRST_YEAR, "last": LAST_YEAR
        })  # fmt: skip
    if found["month"]:
        month = int(found["month"])
        if not 1 <= month <= 12:
            raise PeriodError(_("A month is 01 to 12."))
        return Period("month", *_month_bounds(year, month, months=1), time_zone)
    if found["quarter"]:
        first_month = (int(found["quarter"]) - 1) * 3 + 1
        return Period("quarter", *_month_bounds(year, first_month, months=3), time_zone)
    return Period("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31), time_zone)


def _month_bounds(year: int, month: int, *, months: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, month, 1)
    after_month = month + months
    after = datetime.date(year + (after_month - 1) // 12, (after_month - 1) % 12 + 1, 1)
    return first, after - datetime.timedelta(days=1)


def period_between(first_day: datetime.date, last_day: datetime.date, *, time_zone: str) -> Period:
    """Return the days from `first_day` to `last_day`, both included."""
    if last_day < first_day:
        raise PeriodError(_("The last day comes before the first."))
    if first_day.year < FIRST_YEAR or last_day.year > LAST_YEAR:
        raise PeriodError(_("Choose days between %(first)d and %(last)d.") % {
            "first": FIRST_YEAR, "last": LAST_YEAR
        })  # fmt: skip
    if (last_day - first_day).days > MAX_RANGE_DAYS:
        raise PeriodError(_("A range spans at most ten years."))
    return Period("range", first_day, last_day, time_zone)


def month_of(now: datetime.datetime, *, time_zone: str) -> Period:
    """Return the month that contains `now` in the time zone."""
    local = now.astimezone(ZoneInfo(time_zone))
    return Period("month", *_month_bounds(local.year, local.month, months=1), time_zone)
