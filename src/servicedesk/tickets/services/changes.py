"""Changes to what a ticket is: its fields, its assignment and its priority."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Team, User
from servicedesk.automation import notify as automation_notify
from servicedesk.automation import schedule
from servicedesk.tickets import policy, priorities
from servicedesk.tickets.models import (
    EventAction,
    Kind,
    Ticket,
)
from servicedesk.tickets.services.common import (
    check_choice,
    clean_title,
    now_or,
    record_event,
    refresh_sla,
)
from servicedesk.tickets.services.intake import covering_contract


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User | None,
    changes: Mapping[str, Any],
    now: datetime.datetime | None = None,
) -> Ticket:
    """Change descriptive fields the actor's role may change; record one event per field.

    A new product must be covered by the organisation's contracts; the ticket moves to the
    contract that covers it, and its clocks follow.
    """
    at = now_or(now)
    policy.require(actor, policy.Action.UPDATE, ticket=ticket, fields=changes)
    changes = dict(changes)
    if "title" in changes:
        changes["title"] = clean_title(changes["title"])
    if "kind" in changes:
        check_choice("kind", changes["kind"], Kind)
    product = changes.get("product")
    if "product" in changes and product is not None and product.pk != ticket.product_id:
        contract = covering_contract(ticket, product=product, at=at)
        if contract is not None and contract.pk != ticket.contract_id:
            changes["contract"] = contract
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
        record_event(
            ticket, actor=actor, action=EventAction.UPDATED, at=at, field=field, old=old, new=new
        )
    if {"kind", "product", "contract"} & {field for field, _old, _new in changed}:
        refresh_sla(ticket, at=at)
    return ticket


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    actor: User | None,
    assignee: User | None,
    team: Team | None = None,
    support_line: int | None = None,
    now: datetime.datetime | None = None,
) -> Ticket:
    """Assign the ticket to an agent, a team and/or a support line; return it.

    The events name the agents by id (`old_value`, `new_value`); pages show their names.
    """
    at = now_or(now)
    policy.require(actor, policy.Action.ASSIGN, ticket=ticket)
    if assignee is not None and not assignee.is_agent:
        raise ValidationError({"assignee": [_("Tickets can only be assigned to active staff.")]})
    if support_line is not None and support_line not in (1, 2, 3):
        raise ValidationError({"support_line": [_("The support line is 1, 2 or 3.")]})
    changes: list[tuple[str, object, object]] = []
    if ticket.assignee_id != (assignee.pk if assignee else None):
        changes.append(("assignee", ticket.assignee_id, assignee.pk if assignee else None))
        ticket.assignee = assignee
    if team is not None and ticket.team_id != team.pk:
        changes.append(("team", ticket.team_id, team.pk))
        ticket.team = team
    if support_line is not None and ticket.support_line != support_line:
        changes.append(("support_line", ticket.support_line, support_line))
        ticket.support_line = support_line
    if not changes:
        return ticket
    ticket.updated_at = at
    ticket.save(update_fields=["assignee", "team", "support_line", "updated_at"])
    for field, old, new in changes:
        record_event(
            ticket, actor=actor, action=EventAction.ASSIGNED, at=at, field=field, old=old, new=new
        )
    schedule.on_assigned(ticket, at=at)
    refresh_sla(ticket, at=at)
    return ticket


@transaction.atomic
def ticket_change_priority(
    *,
    ticket: Ticket,
    actor: User | None,
    priority: str,
    justification: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """Set the priority; one that differs from the customer's request needs a reason (003),
    which the customer sees."""
    at = now_or(now)
    policy.require(actor, policy.Action.CHANGE_PRIORITY, ticket=ticket)
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
            {
                "priority_justification": [
                    _("Say why the priority differs from the customer's request.")
                ]
            }
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
        action=EventAction.PRIORITY_CHANGED,
        at=at,
        field="priority",
        old=old,
        new=priority,
        note=justification,
    )
    refresh_sla(ticket, at=at)
    automation_notify.top_priority_notify(ticket, at=at)
    return ticket
