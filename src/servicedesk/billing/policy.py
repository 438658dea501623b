"""Who may log time and read credit: the billing services and selectors ask here.

- Only staff log time, run a timer and read time entries (their notes are internal).
- An entry is changed or deleted by whoever logged it, or by a team lead, service manager
  or administrator (who read every report, and so the billing report).
- Credit balances are read by staff, and by a customer organisation's central point of
  contact (CPC) for its own organisation's contracts; nobody else.

A refusal is the tickets policy's `Refusal`, keyed by the field at fault.
"""

from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact
from servicedesk.billing.models import TimeEntry
from servicedesk.tickets import policy
from servicedesk.tickets.policy import AnyUser, Refusal


def require_log_time(actor: AnyUser | None) -> None:
    """Raise a `Refusal` unless the actor may log time (staff)."""
    if not policy.is_staff(actor):
        raise Refusal({"actor": [_("Only staff log time.")]})


def require_change_entry(actor: AnyUser | None, entry: TimeEntry) -> None:
    """Raise a `Refusal` unless the actor may change or delete this entry."""
    require_log_time(actor)
    assert actor is not None  # staff, said the line above
    if entry.user_id != actor.pk and not policy.reads_every_report(actor):
        raise Refusal(
            {"actor": [_("Only who logged the time, or a team lead or manager, may change it.")]}
        )


def may_change_entry(actor: AnyUser | None, entry: TimeEntry) -> bool:
    """Return whether to offer the actor the entry's edit and delete buttons."""
    try:
        require_change_entry(actor, entry)
    except Refusal:
        return False
    return True


def credit_reader(user: AnyUser | None) -> Contact | bool | None:
    """Return True for staff (every contract), the CPC (their organisation's), else None."""
    if policy.is_staff(user):
        return True
    return policy.reads_own_reports(user)
