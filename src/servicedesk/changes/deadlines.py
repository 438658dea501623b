"""When a proposal's reminder and lapse fall: working days of the contract's calendar.

N working days after a moment is the same wall-clock time on the N-th working day after
it (a working day: a local date with opening hours that is not a holiday;
`opsreports.workdays.working_days_after`): sent on Friday 14:00, the answer asked within
5 working days is due on the next Friday 14:00; a public holiday in between adds a day.
"""

import datetime
from dataclasses import dataclass

from servicedesk.automation.policy import business_calendar
from servicedesk.contracts.models import Contract
from servicedesk.opsreports.workdays import working_days_after

DEFAULT_ANSWER_DAYS = Contract._meta.get_field("proposal_answer_days").get_default()
DEFAULT_REMINDER_DAYS = Contract._meta.get_field("proposal_reminder_days").get_default()


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
