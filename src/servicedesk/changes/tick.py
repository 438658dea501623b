"""The change work of the worker's tick (`automation.tick.tick` calls `changes_run`)."""

import datetime

from servicedesk.changes.services import proposals_due_run


def changes_run(*, now: datetime.datetime) -> int:
    """Remind of and lapse the proposals due at `now`; return how many were handled."""
    return proposals_due_run(now=now)
