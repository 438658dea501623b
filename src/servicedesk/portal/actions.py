"""Portal steps that take more than one service call, each in one transaction."""

from collections.abc import Mapping, Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.tickets import services
from servicedesk.tickets.models import Channel, Ticket


@transaction.atomic
def report_submit(
    *,
    contact: Contact,
    user: User,
    kind: str,
    title: str,
    product: Product | None,
    impact: str,
    urgency: str,
    requested_priority: str,
    details: Mapping[str, str],
    files: Sequence[UploadedFile[bytes]],
) -> Ticket:
    """Create the reported ticket with its attachments; nothing is kept if a file is refused."""
    ticket = services.ticket_create(
        requester=contact,
        title=title,
        kind=kind,
        channel=Channel.PORTAL,
        product=product,
        impact=impact,
        urgency=urgency,
        requested_priority=requested_priority,
        details=details,
        actor=user,
    )
    for upload in files:
        services.attachment_add(ticket=ticket, upload=upload, actor=user)
    return ticket


@transaction.atomic
def customer_reply_submit(
    *,
    ticket: Ticket,
    user: User,
    contact: Contact,
    body: str,
    files: Sequence[UploadedFile[bytes]],
) -> services.CustomerReply:
    """Add the customer's reply (which may resume or reopen the ticket) with its files."""
    reply = services.ticket_customer_reply(
        ticket=ticket, contact=contact, body=body, author=user, channel=Channel.PORTAL
    )
    for upload in files:
        services.attachment_add(
            ticket=reply.ticket, upload=upload, actor=user, message=reply.message
        )
    return reply
