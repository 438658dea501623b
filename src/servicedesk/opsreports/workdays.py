"""Working days of a business calendar: the stale rule ("no update for N working days")
and a change proposal's answer time ("within 5 working days").

A working day is a local date on which the calendar has opening hours and is not closed
(a public holiday or an extra closed day). N working days before a moment is the same
wall-clock time on the working day N working days back: from Monday 10:00, one working day
back is Friday 10:00, so a ticket last updated on Friday afternoon is not a working day old
on Monday morning, and a weekend never counts.
"""

import datetime
from zoneinfo import ZoneInfo

from servicedesk.sla import BusinessCalendar

# A calendar open one day a year still finds N days within this; beyond it, give up.
SEARCH_LIMIT_DAYS = 3653


def is_working_day(calendar: BusinessCalendar, day: datetime.date) -> bool:
    """Return whether the calendar is open on the local date."""
    return day.weekday() in calendar.hours and day not in calendar.closures(day.year)


def working_days_before(
    calendar: BusinessCalendar, moment: datetime.datetime, days: int
) -> datetime.datetime:
    """Return the instant (UTC) `days` working days before `moment`: the same local time on
    the working day that many working days back (`moment` itself for 0)."""
    return _shifted(calendar, moment, days, step=-1)


def working_days_after(
    calendar: BusinessCalendar, moment: datetime.datetime, days: int
) -> datetime.datetime:
    """Return the instant (UTC) `days` working days after `moment`: the same local time on
    the working day that many working days ahead (`moment` itself for 0). Sent on Friday
    14:00, an answer asked within 5 working days is due the next Friday 14:00."""
    return _shifted(calendar, moment, days, step=1)


def _shifted(
    calendar: BusinessCalendar, moment: datetime.datetime, days: int, *, step: int
) -> datetime.datetime:
    zone = ZoneInfo(calendar.tz)
    local = moment.astimezone(zone)
    weekdays = set(calendar.hours)
    closures: dict[int, frozenset[datetime.date]] = {}
    day, counted, looked = local.date(), 0, 0
    while counted < days:
        looked += 1
        if looked > SEARCH_LIMIT_DAYS:
            way = "after" if step > 0 else "before"
            raise ValueError(f"fewer than {days} working days in ten years {way} {moment}")
        day += datetime.timedelta(days=step)
        if day.year not in closures:
            closures[day.year] = frozenset(calendar.closures(day.year))
        if day.weekday() in weekdays and day not in closures[day.year]:
            counted += 1
    wall = datetime.datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)
    return wall.astimezone(datetime.UTC)
