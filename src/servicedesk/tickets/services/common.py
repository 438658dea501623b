"""What every ticket service shares: the clock, events, SLA refresh, field checks."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.automation import notify as automation_notify
from servicedesk.tickets import policy
from servicedesk.tickets.models import (
    Ticket,
    TicketEvent,
)
from servicedesk.tickets.sla import sla_refresh

DESCRIPTION_FIELDS = policy.DESCRIPTION_FIELDS


def now_or(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


def refresh_sla(
    ticket: Ticket, *, at: datetime.datetime, created: TicketEvent | None = None
) -> None:
    """Recompute the ticket's SLA clocks and notify the warnings and breaches they record."""
    clocks = sla_refresh(ticket, now=at, created=created)
    if automation_notify.sla_events_possible(clocks, at=at):
        automation_notify.sla_events_notify(ticket, at=at)


def lock_current(ticket: Ticket) -> None:
    """Lock the ticket's row for this transaction and bring its status fields up to date.

    The worker changes tickets behind a caller's back (an automatic close); a status
    decision must be taken on the stored status, and the lock keeps it stored until commit.
    """
    row = (
        Ticket.objects.select_for_update()
        .filter(pk=ticket.pk)
        .values("status", "closed_at", "resolved_at")
        .first()
    )
    if row is not None:
        ticket.status, ticket.closed_at, ticket.resolved_at = (
            row["status"], row["closed_at"], row["resolved_at"]
        )  # fmt: skip


def record_event(
    ticket: Ticket,
    *,
    actor: User | None,
    action: str,
    at: datetime.datetime,
    field: str = "",
    old: object = "",
    new: object = "",
    note: str = "",
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        action=action,
        at=at,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        note=note,
    )


def clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": [_("A title is required.")]})
    return title


def check_choice(field: str, value: str, choices: type[Any]) -> None:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise ValidationError(
            {
                field: [
                    _("%(value)r is not one of: %(allowed)s.")
                    % {"value": value, "allowed": allowed}
                ]
            }
        )
