"""The desk ticket page's "Time" panel: what it shows, for the template tag and the views
that answer its forms (HTMX swaps the panel; without it they redirect to the page)."""

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.billing.forms import LOG_PREFIX, TimeEntryForm, duration_text
from servicedesk.billing.models import RunningTimer, TimeEntry
from servicedesk.billing.policy import may_change_entry
from servicedesk.billing.selectors import (
    ContractCredit,
    Totals,
    ticket_credit,
    time_entries_visible_to,
    time_totals,
)
from servicedesk.coverage.selectors import ticket_billable
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import AnyUser, is_staff, reads_every_report


@dataclass(frozen=True, slots=True)
class EntryLine:
    """An entry as the panel lists it, with its edit form when the reader may change it."""

    entry: TimeEntry
    form: TimeEntryForm | None


def local_today(user: AnyUser | None, now: datetime.datetime) -> datetime.date:
    """Return today in the user's time zone (the desk's when it has none or a wrong one)."""
    name = getattr(user, "time_zone", "") or ""
    try:
        return now.astimezone(ZoneInfo(name)).date() if name else timezone.localtime(now).date()
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.localtime(now).date()


def log_form_initial(
    user: AnyUser | None, ticket: Ticket, *, minutes: int | None = None
) -> dict[str, Any]:
    """Return the log form's defaults: today, billable as the ticket's coverage says, and
    the stopped timer's minutes."""
    initial: dict[str, Any] = {
        "worked_on": local_today(user, timezone.now()),
        "billable": "billable" if ticket_billable(ticket) else "covered",
        "activity": "analysis",
    }
    if minutes is not None:
        initial["duration"] = duration_text(minutes)
    return initial


def _edit_form(entry: TimeEntry) -> TimeEntryForm:
    return TimeEntryForm(
        prefix=f"entry{entry.pk}",
        initial={
            "duration": duration_text(entry.minutes),
            "worked_on": entry.worked_on,
            "activity": entry.activity,
            "billable": "billable" if entry.billable else "covered",
            "note": entry.note,
        },
    )


def time_panel(
    user: AnyUser | None,
    ticket: Ticket,
    *,
    form: TimeEntryForm | None = None,
    stopped_minutes: int | None = None,
    edit_forms: dict[int, TimeEntryForm] | None = None,
    saved: bool = False,
) -> dict[str, Any]:
    """Return the panel's context for a staff member; an empty one for anyone else."""
    if not is_staff(user) or not isinstance(user, User):
        return {"shown": False}
    entries = list(time_entries_visible_to(user, ticket).select_related("user"))
    totals: Totals = time_totals(time_entries_visible_to(user, ticket))
    timer = RunningTimer.objects.filter(user=user, ticket=ticket).first()
    if form is None:
        form = TimeEntryForm(
            prefix=LOG_PREFIX, initial=log_form_initial(user, ticket, minutes=stopped_minutes)
        )
    edit_forms = edit_forms or {}
    lines = [
        EntryLine(
            entry,
            (edit_forms.get(entry.pk) or _edit_form(entry))
            if may_change_entry(user, entry)
            else None,
        )
        for entry in entries
    ]
    credit: ContractCredit | None = ticket_credit(ticket)
    return {
        "shown": True,
        "ticket": ticket,
        "lines": lines,
        "totals": totals,
        "timer": timer,
        "form": form,
        "stopped_minutes": stopped_minutes,
        "credit": credit,
        "today": local_today(user, timezone.now()),
        "saved": saved,
        "reads_report": reads_every_report(user),
    }
