"""Links between tickets."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.tickets import policy
from servicedesk.tickets.models import (
    EventAction,
    LinkKind,
    Ticket,
    TicketLink,
)
from servicedesk.tickets.services.common import (
    check_choice,
    now_or,
    record_event,
)


@transaction.atomic
def ticket_link(
    *,
    ticket: Ticket,
    target: Ticket,
    kind: str,
    actor: User | None,
    now: datetime.datetime | None = None,
) -> TicketLink:
    """Link the ticket to another (duplicate of, related, split from) and return the link."""
    at = now_or(now)
    policy.require(actor, policy.Action.LINK, ticket=ticket)
    check_choice("kind", kind, LinkKind)
    if target.pk == ticket.pk:
        raise ValidationError({"target": [_("A ticket cannot be linked to itself.")]})
    link, created = TicketLink.objects.get_or_create(source=ticket, target=target, kind=kind)
    if created:
        record_event(
            ticket, actor=actor, action=EventAction.LINKED, at=at, field=kind, new=target.number
        )
    return link
