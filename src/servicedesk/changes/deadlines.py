"""When a proposal's reminder and lapse fall: working days of the contract's calendar.

N working days after a moment is the same wall-clock time on the N-th working day after
it (a working day: a local date with opening hours that is not a holiday), the mirror of
`opsreports.workdays.working_days_before`: sent on Friday 14:00, the answer asked within
5 working days is due on the next Friday 14:00; a public holiday in between adds a day.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from servicedesk.automation.policy import business_calendar
from servicedesk.contracts.models import Contract
from servicedesk.sla import BusinessCalendar

SEARCH_LIMIT_DAYS = 3653
DEFAULT_ANSWER_DAYS = Contract._meta.get_field("proposal_answer_days").get_default()
DEFAULT_REMINDER_DAYS = Contract._meta.get_field("proposal_reminder_days").get_default()


def working_days_after(
    calendar: BusinessCalendar, moment: datetime.datetime, days: int
) -> datetime.datetime:
    """Return the instant (UTC) `days` working days after `moment`: the same local time on
    the working day that many working days ahead (`moment` itself for 0)."""
    zone = ZoneInfo(calendar.tz)
    local = moment.astimezone(zone)
    weekdays = set(calendar.hours)
    closures: dict[int, frozenset[datetime.date]] = {}
    day, counted, looked = local.date(), 0, 0
    while counted < days:
        looked += 1
        if looked > SEARCH_LIMIT_DAYS:
            raise ValueError(f"fewer than {days} working days in ten years after {moment}")
        day += datetime.timedelta(days=1)
        if day.year not in closures:
            closures[day.year] = frozenset(calendar.closures(day.year))
        if day.weekday() in weekdays and day not in closures[day.year]:
            counted += 1
    wall = datetime.datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)
    return wall.astimezone(datetime.UTC)


@dataclass(frozen=True, slots=True)
class Deadlines:
    """When a proposal sent at a moment is reminded of (None: no reminder) and lapses."""

    remind_at: datetime.datetime | None
    answer_due_at: datetime.datetime


def proposal_deadlines(contract: Contract | None, *, sent_at: datetime.datetime) -> Deadlines:
    """Return the reminder and the answer's due time of a proposal sent at `sent_at`, in
    working days of the contract's business calendar (defaults 3 and 5). A reminder that
    would not come before the due time is left out."""
    answer_days = contract.proposal_answer_days if contract is not None else DEFAULT_ANSWER_DAYS
    reminder_days = (
        contract.proposal_reminder_days if contract is not None else DEFAULT_REMINDER_DAYS
    )
    calendar = business_calendar(contract)
    due = working_days_after(calendar, sent_at, max(answer_days, 1))
    remind = working_days_after(calendar, sent_at, reminder_days) if reminder_days else None
    if remind is not None and remind >= due:
        remind = None
    return Deadlines(remind_at=remind, answer_due_at=due)
