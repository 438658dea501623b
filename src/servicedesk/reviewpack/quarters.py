"""The quarters a pack covers: written 2026-Q1, in the desk's time zone, never in the future.

A pack is computed in the desk's time zone (`settings.TIME_ZONE`), not the reader's, so the
service manager and the customer get the same figures for the same quarter. Its periods
are the reports' (`servicedesk.reports.periods`).
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from servicedesk.reports.periods import Period, PeriodError, parse_period

TREND_MONTHS = (3, 12)  # the quarter's months, or the twelve up to the quarter's end


class QuarterError(ValueError):
    """A quarter a pack cannot cover; the message says why, for people."""


def pack_time_zone() -> str:
    """Return the time zone packs are computed in: the desk's."""
    return str(settings.TIME_ZONE)


def quarter_code(day: datetime.date) -> str:
    """Return the quarter of a day as written: 2026-Q1."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def parse_quarter(text: str, *, now: datetime.datetime) -> Period:
    """Return the quarter written as 2026-Q1; QuarterError when it is not a quarter or has
    not started yet at `now` (a running quarter is allowed: its verdicts say so)."""
    try:
        period = parse_period(text, time_zone=pack_time_zone())
    except PeriodError as error:
        raise QuarterError(str(error)) from None
    if period.kind != "quarter":
        raise QuarterError(_("Choose a quarter, written as 2026-Q1."))
    if period.start > now:
        raise QuarterError(_("This quarter has not started yet."))
    return period


def recent_quarters(now: datetime.datetime, *, count: int = 5) -> list[Period]:
    """Return the running quarter and the ones before it, latest first."""
    zone = pack_time_zone()
    running = parse_period(quarter_code(now.astimezone(ZoneInfo(zone)).date()), time_zone=zone)
    quarters = [running]
    while len(quarters) < count:
        before = quarters[-1].first_day - datetime.timedelta(days=1)
        quarters.append(parse_period(quarter_code(before), time_zone=zone))
    return quarters


def previous_quarter(now: datetime.datetime) -> Period:
    """Return the last quarter that is over at `now`: the one a review usually covers."""
    return recent_quarters(now, count=2)[1]


def trend_months(quarter: Period, months: int) -> list[datetime.date]:
    """Return the first days of the months a trend shows: the `months` months that end with
    the quarter's last month, oldest first."""
    last = quarter.last_day.replace(day=1)
    index = last.year * 12 + last.month - 1
    return [datetime.date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]
