"""What every ticket service shares: the clock, events, SLA refresh, field checks."""

import datetime
from collections.abc import Sequence
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
from servicedesk.tickets.sla import sla_refresh_many

DESCRIPTION_FIELDS = policy.DESCRIPTION_FIELDS


def now_or(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


def refresh_sla(
    ticket: Ticket, *, at: datetime.datetime, created: TicketEvent | None = None
) -> None:
    """Recompute the ticket's SLA clocks and notify the warnings and breaches they record."""
    refresh_sla_many([ticket], at=at, created=created)


def refresh_sla_many(
    tickets: Sequence[Ticket], *, at: datetime.datetime, created: TicketEvent | None = None
) -> None:
    """Recompute the SLA clocks of several tickets together, and notify what they record
    (`created`: the one ticket was just created with this event; see `sla_refresh`)."""
    clocks = sla_refresh_many(tickets, now=at, created=created)
    for ticket in tickets:
        if automation_notify.sla_events_possible(clocks[ticket.pk], at=at):
            automation_notify.sla_events_notify(ticket, at=at)


def lock_current(ticket: Ticket) -> None:
    """Lock the ticket's row for this transaction and bring its status fields up to date.

    The worker changes tickets behind a caller's back (an automatic close); a status
    decision must be taken on the stored status, and the lock keeps it stored until commit.
    """
    lock_current_many([ticket])


def lock_current_many(tickets: Sequence[Ticket]) -> None:
    """`lock_current` for several tickets, in one statement."""
    rows = (
        Ticket.objects.select_for_update()
        .filter(pk__in=[ticket.pk for ticket in tickets])
        .order_by("pk")
        .values_list("pk", "status", "closed_at", "resolved_at")
    )
    current = {pk: (status, closed_at, resolved_at) for pk, status, closed_at, resolved_at in rows}
    for ticket in tickets:
        if ticket.pk in current:
            ticket.status, ticket.closed_at, ticket.resolved_at = current[ticket.pk]


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
    event = event_row(
        ticket, actor=actor, action=action, at=at, field=field, old=old, new=new, note=note
    )
    event.save()
    return event


def event_row(
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
    """Return the (unsaved) event of a change, for `bulk_create`."""
    return TicketEvent(
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
