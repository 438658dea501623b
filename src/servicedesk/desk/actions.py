"""Desk steps that take more than one service call, each in one transaction.

These only chain the ticket services; every rule stays in `tickets.services`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from servicedesk.accounts.models import Supplier, User
from servicedesk.tickets import services
from servicedesk.tickets.models import Channel, Kind, LinkKind, Message, Status, Ticket, Visibility

# From these a ticket an agent takes moves to "in progress" (seed 002: New -> In progress).
TAKE_FROM = (Status.NEW, Status.REOPENED)


@transaction.atomic
def ticket_take(*, ticket: Ticket, agent: User) -> Ticket:
    """Assign the ticket to the agent and, when it is new or reopened, start work on it."""
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    if ticket.status in TAKE_FROM:
        services.ticket_transition(ticket=ticket, actor=agent, status=Status.IN_PROGRESS)
    return ticket


@transaction.atomic
def ticket_split(
    *, ticket: Ticket, agent: User, title: str, description: str, kind: str = Kind.QUESTION
) -> Ticket:
    """Create a new ticket for a new question asked in this one (003) and link it back."""
    new = services.ticket_create(
        requester=ticket.requester,
        title=title,
        kind=kind,
        channel=ticket.channel,
        product=ticket.product,
        details={"description": description},
        actor=agent,
    )
    services.ticket_link(ticket=new, target=ticket, kind=LinkKind.SPLIT_FROM, actor=agent)
    return new


@transaction.atomic
def reply_submit(
    *,
    ticket: Ticket,
    user: User,
    body: str,
    files: Sequence[UploadedFile[bytes]],
    visibility: str = Visibility.PUBLIC,
    workaround: bool = False,
) -> Message:
    """Add a staff reply or note with its attachments; nothing is kept if a file is refused."""
    message = services.ticket_add_message(
        ticket=ticket,
        body=body,
        author=user,
        visibility=visibility,
        channel=Channel.PORTAL,
        workaround=workaround,
    )
    for upload in files:
        services.attachment_add(
            ticket=ticket,
            upload=upload,
            actor=user,
            message=message,
            internal=visibility == Visibility.INTERNAL,
        )
    return message


@dataclass
class BulkResult:
    """What a bulk action did: the tickets changed and, per refused ticket, why."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def bulk_apply(
    *,
    tickets: Iterable[Ticket],
    agent: User,
    action: str,
    assignee: User | None = None,
    status: str = "",
    note: str = "",
    outcome: str = "",
    supplier: Supplier | None = None,
    supplier_reference: str = "",
) -> BulkResult:
    """Apply one action to each ticket through its service; one ticket's refusal stops no other.

    A status move takes what the move needs: the note (the resolution or reason), a
    close's `outcome`, the supplier and its reference.
    """
    result = BulkResult()
    for ticket in tickets:
        try:
            with transaction.atomic():
                if action == "assign":
                    services.ticket_assign(ticket=ticket, actor=agent, assignee=assignee)
                elif action == "status":
                    services.ticket_transition(
                        ticket=ticket,
                        actor=agent,
                        status=status,
                        note=note,
                        outcome=outcome,
                        supplier=supplier,
                        supplier_reference=supplier_reference,
                    )
                elif action == "note":
                    services.ticket_add_message(
                        ticket=ticket, body=note, author=agent, visibility=Visibility.INTERNAL
                    )
        except ValidationError as error:
            result.failed.append((ticket.number, " ".join(error.messages)))
        else:
            result.done.append(ticket.number)
    return result
