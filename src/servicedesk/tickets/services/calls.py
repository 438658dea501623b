"""A phone call, logged by staff: on an existing ticket, or as a new ticket."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.tickets import policy
from servicedesk.tickets.models import (
    Channel,
    EventAction,
    Kind,
    Message,
    Ticket,
    Visibility,
)
from servicedesk.tickets.services.common import check_choice, now_or, record_event
from servicedesk.tickets.services.conversation import ticket_add_message
from servicedesk.tickets.services.intake import ticket_create


@dataclass(frozen=True, slots=True)
class CallTicketIn:
    """What a call that opens a new ticket says about it (the caller is its requester)."""

    title: str
    kind: str = Kind.INCIDENT
    product: Product | None = None
    impact: str = ""
    urgency: str = ""
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LoggedCall:
    """Where a call was logged: the ticket, the message with the summary (None when the
    summary became a new ticket's description) and whether the ticket is new."""

    ticket: Ticket
    message: Message | None
    created: bool


@transaction.atomic
def ticket_log_call(
    *,
    actor: User | None,
    caller: Contact,
    summary: str,
    visibility: str = Visibility.INTERNAL,
    ticket: Ticket | None = None,
    new: CallTicketIn | None = None,
    now: datetime.datetime | None = None,
) -> LoggedCall:
    """Record a phone call and return where it landed: on `ticket`, or on a new ticket.

    The caller must be an active contact of the ticket's organisation. On an existing
    ticket the summary becomes a message with the chosen visibility (internal by default:
    only staff read it, nothing is mailed; public: the customer reads it and the requester
    is mailed, like a staff reply), its `author_contact` the caller. A new ticket (`new`)
    is reported by the caller over the phone; without a description of its own it takes
    the summary as its description, which its requester always sees, else the summary is
    added as on an existing ticket. Either way an event names the caller.
    """
    at = now_or(now)
    if (ticket is None) == (new is None):
        raise ValueError("ticket_log_call needs either the ticket or the data for a new one")
    policy.require(actor, policy.Action.LOG_CALL, ticket=ticket)
    check_choice("visibility", visibility, Visibility)
    summary = summary.strip()
    if not summary:
        raise ValidationError({"summary": [_("Say what the call was about.")]})
    if not caller.active:
        raise ValidationError({"caller": [_("This contact is no longer active.")]})
    if ticket is not None and caller.organisation_id != ticket.organisation_id:
        raise ValidationError(
            {"caller": [_("The caller is not a contact of this ticket's organisation.")]}
        )

    message: Message | None = None
    if new is not None:
        details = dict(new.details)
        takes_summary = not details.get("description", "").strip()
        if takes_summary:
            details["description"] = summary
        ticket = ticket_create(
            requester=caller,
            title=new.title,
            kind=new.kind,
            channel=Channel.PHONE,
            product=new.product,
            impact=new.impact,
            urgency=new.urgency,
            details=details,
            actor=actor,
            now=at,
        )
        if not takes_summary:
            message = _add_summary(ticket, actor, caller, summary, visibility, at)
    else:
        assert ticket is not None
        message = _add_summary(ticket, actor, caller, summary, visibility, at)
    record_event(
        ticket,
        actor=actor,
        action=EventAction.CALL_LOGGED,
        at=at,
        field="caller",
        new=caller.pk,
        note=caller.name,
    )
    return LoggedCall(ticket=ticket, message=message, created=new is not None)


def _add_summary(
    ticket: Ticket,
    actor: User | None,
    caller: Contact,
    summary: str,
    visibility: str,
    at: datetime.datetime,
) -> Message:
    # Staff write the summary, so it is added as staff's (an internal note, or a public
    # message the requester is mailed); the caller is recorded on it afterwards, as
    # `ticket_add_message` takes a contact only as the author of a customer's own words.
    message = ticket_add_message(
        ticket=ticket,
        body=summary,
        author=actor,
        visibility=visibility,
        channel=Channel.PHONE,
        now=at,
    )
    message.author_contact = caller
    message.save(update_fields=["author_contact"])
    return message
