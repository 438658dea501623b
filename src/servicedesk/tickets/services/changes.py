"""Changes to what a ticket is: its fields, its assignment and its priority."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Team, User
from servicedesk.automation import schedule
from servicedesk.tickets import priorities
from servicedesk.tickets.models import (
    Status,
    Ticket,
)
from servicedesk.tickets.services.common import (
    DESCRIPTION_FIELDS,
    clean_title,
    now_or,
    record_event,
    refresh_sla,
)

UPDATABLE_BY_CONTACT = frozenset({"title", *DESCRIPTION_FIELDS})
UPDATABLE_BY_STAFF = frozenset(
    {"title", "kind", "product", "impact", "urgency", *DESCRIPTION_FIELDS}
)


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User,
    changes: Mapping[str, Any],
    staff: bool,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Change descriptive fields the actor's role may change; record one event per field."""
    at = now_or(now)
    allowed = UPDATABLE_BY_STAFF if staff else UPDATABLE_BY_CONTACT
    for field in changes:
        if field not in allowed:
            raise ValidationError({field: [_("You may not change this field.")]})
    if not staff and ticket.status == Status.CLOSED:
        raise ValidationError({"status": [_("A closed ticket can no longer be changed.")]})
    changes = dict(changes)
    if "title" in changes:
        changes["title"] = clean_title(changes["title"])
    changed = []
    for field, value in changes.items():
        old = getattr(ticket, field)
        if old != value:
            setattr(ticket, field, value)
            changed.append((field, old, value))
    if not changed:
        return ticket
    try:
        ticket.full_clean(exclude=["number", "requester", "organisation", "contract"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    ticket.updated_at = at
    ticket.save()
    for field, old, new in changed:
        record_event(ticket, actor=actor, action="updated", at=at, field=field, old=old, new=new)
    return ticket



@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    assignee: User | None,
    team: Team | None = None,
    support_line: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Assign the ticket to an agent, a team and/or a support line; return it."""
    at = now_or(now)
    if assignee is not None and not assignee.is_agent:
        raise ValidationError({"assignee": [_("Tickets can only be assigned to active staff.")]})
    if support_line is not None and support_line not in (1, 2, 3):
        raise ValidationError({"support_line": [_("The support line is 1, 2 or 3.")]})
    changes: list[tuple[str, object, object]] = []
    if ticket.assignee_id != (assignee.pk if assignee else None):
        changes.append(("assignee", ticket.assignee, assignee))
        ticket.assignee = assignee
    if team is not None and ticket.team_id != team.pk:
        changes.append(("team", ticket.team, team))
        ticket.team = team
    if support_line is not None and ticket.support_line != support_line:
        changes.append(("support_line", ticket.support_line, support_line))
        ticket.support_line = support_line
    if not changes:
        return ticket
    ticket.updated_at = at
    ticket.save(update_fields=["assignee", "team", "support_line", "updated_at"])
    for field, old, new in changes:
        record_event(ticket, actor=actor, action="assigned", at=at, field=field, old=old, new=new)
    schedule.on_assigned(ticket, at=at)
    refresh_sla(ticket, at=at)
    return ticket


@transaction.atomic
def ticket_change_priority(
    *,
    ticket: Ticket,
    actor: User,
    priority: str,
    justification: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """Set the priority; one that differs from the customer's request needs a reason (003)."""
    at = now_or(now)
    scheme = priorities.scheme_for(ticket.contract)
    if not scheme.has(priority):
        raise ValidationError(
            {"priority": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(scheme.codes())}]}
        )
    if priority == ticket.priority:
        return ticket
    justification = justification.strip()
    if ticket.requested_priority and priority != ticket.requested_priority and not justification:
        raise ValidationError(
            {"justification": [_("Say why the priority differs from the customer's request.")]}
        )
    old = ticket.priority
    ticket.priority = priority
    ticket.priority_rank = scheme.rank(priority)
    ticket.priority_justification = justification
    ticket.updated_at = at
    ticket.save(update_fields=["priority", "priority_rank", "priority_justification", "updated_at"])
    record_event(
        ticket,
        actor=actor,
        action="priority_changed",
        at=at,
        field="priority",
        old=old,
        new=priority,
        note=justification,
    )
    refresh_sla(ticket, at=at)
    return ticket
