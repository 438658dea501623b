"""The conversation on a ticket: replies, internal notes and a customer's reply from any channel."""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, User
from servicedesk.mail import outbound
from servicedesk.tickets import policy, workflow
from servicedesk.tickets.models import (
    Channel,
    EventAction,
    LinkKind,
    Message,
    Status,
    Ticket,
    Visibility,
)
from servicedesk.tickets.services.common import (
    check_choice,
    lock_current,
    now_or,
    record_event,
    refresh_sla,
)
from servicedesk.tickets.services.intake import require_channel, ticket_create
from servicedesk.tickets.services.links import ticket_link
from servicedesk.tickets.services.transitions import reopen_by_reply_allowed, transition_apply


@transaction.atomic
def ticket_add_message(
    *,
    ticket: Ticket,
    body: str,
    author: User | None = None,
    contact: Contact | None = None,
    visibility: str = Visibility.PUBLIC,
    channel: str = Channel.PORTAL,
    workaround: bool = False,
    now: datetime.datetime | None = None,
) -> Message:
    """Add a public reply or internal note and return it; a staff reply is a first response.

    A staff reply marked `workaround` also records that a workaround was offered. It adds
    the message only: a customer's reply that should also resume a waiting ticket or reopen
    a closed one goes through `ticket_customer_reply`.
    """
    at = now_or(now)
    body = body.strip()
    if not body:
        raise ValidationError({"body": [_("The message is empty.")]})
    check_choice("visibility", visibility, Visibility)
    check_choice("channel", channel, Channel)
    from_staff = contact is None and policy.is_staff(author)
    policy.require(
        author,
        policy.Action.NOTE if visibility == Visibility.INTERNAL else policy.Action.REPLY,
        ticket=ticket,
    )
    if contact is not None and visibility == Visibility.INTERNAL:
        raise policy.Refusal({"visibility": [_("Only staff can write internal notes.")]})
    if contact is not None and not policy.contact_may_see(contact, ticket):
        raise policy.Refusal({"contact": [_("This person may not write on this ticket.")]})
    message = Message.objects.create(
        ticket=ticket,
        author_user=author,
        author_contact=contact,
        visibility=visibility,
        channel=channel,
        body=body,
        created_at=at,
    )
    fields = ["updated_at"]
    ticket.updated_at = at
    if from_staff and visibility == Visibility.PUBLIC and ticket.first_response_at is None:
        ticket.first_response_at = at
        fields.append("first_response_at")
    ticket.save(update_fields=fields)
    if visibility == Visibility.INTERNAL:
        action = EventAction.NOTE_ADDED
    else:
        action = EventAction.AGENT_REPLIED if from_staff else EventAction.CUSTOMER_REPLIED
    record_event(ticket, actor=author, action=action, at=at, note=f"message {message.pk}")
    if workaround and from_staff and visibility == Visibility.PUBLIC:
        record_event(
            ticket,
            actor=author,
            action=EventAction.WORKAROUND_OFFERED,
            at=at,
            note=f"message {message.pk}",
        )
    if from_staff and visibility == Visibility.PUBLIC:
        refresh_sla(ticket, at=at)
        outbound.mail_on_public_reply(message)
    return message


class ReplyOutcome(StrEnum):
    """What a customer's reply did."""

    ADDED = "added"  # added to the conversation
    RESUMED = "resumed"  # the desk was waiting on the customer: back in progress
    REOPENED = "reopened"  # closed recently: reopened
    NEW_TICKET = "new_ticket"  # closed long ago: a new ticket, linked to the old one


@dataclass(frozen=True, slots=True)
class CustomerReply:
    """Where a customer's reply landed: the ticket, the message (None when the reply became
    a new ticket's description) and what it did."""

    ticket: Ticket
    message: Message | None
    outcome: ReplyOutcome


@transaction.atomic
def ticket_customer_reply(
    *,
    ticket: Ticket,
    contact: Contact,
    body: str,
    author: User | None = None,
    channel: str = Channel.EMAIL,
    now: datetime.datetime | None = None,
) -> CustomerReply:
    """Take a customer's reply to a ticket from any channel; return where it landed.

    - Waiting on the customer (or for them to confirm a solution): the message is added and
      the ticket goes back in progress, which cancels pending reminders and the close.
    - Closed within the contract's reopen period: reopened, then the message added (002).
    - Closed longer ago: a new ticket for the contact, the reply as its description, linked
      to the old one as split from it (003: a new question is a new request).
    - Otherwise the message is added.
    `author` is the contact's login, if any.
    """
    at = now_or(now)
    if not body.strip():
        raise ValidationError({"body": [_("The message is empty.")]})
    require_channel(ticket.contract, channel=channel)
    lock_current(ticket)
    replied = _("The customer replied.")
    if ticket.status == Status.CLOSED and not reopen_by_reply_allowed(ticket, at=at):
        title = _("Follow-up to %(number)s: %(title)s") % {
            "number": ticket.number,
            "title": ticket.title,
        }
        new = ticket_create(
            requester=contact,
            title=title[:200],
            kind=ticket.kind,
            channel=channel,
            product=ticket.product,
            details={"description": body.strip()},
            actor=author,
            now=at,
        )
        ticket_link(ticket=new, target=ticket, kind=LinkKind.SPLIT_FROM, actor=author, now=at)
        return CustomerReply(new, None, ReplyOutcome.NEW_TICKET)
    outcome = ReplyOutcome.ADDED
    if ticket.status == Status.CLOSED:
        transition_apply(ticket=ticket, actor=author, status=Status.REOPENED, note=replied, now=at)
        outcome = ReplyOutcome.REOPENED
    message = ticket_add_message(
        ticket=ticket, body=body, author=author, contact=contact, channel=channel, now=at
    )
    if ticket.status in workflow.WAITING_ON_CUSTOMER_STATUSES:
        transition_apply(
            ticket=ticket, actor=author, status=Status.IN_PROGRESS, note=replied, now=at
        )
        outcome = ReplyOutcome.RESUMED
    return CustomerReply(ticket, message, outcome)
