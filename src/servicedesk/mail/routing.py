"""Which existing ticket an inbound mail belongs to, by the evidence it carries.

`thread_candidates(parsed, recipients=...)` returns the tickets the mail points at, strongest
evidence first, each with how it was found:

1. "references": In-Reply-To or References name a Message-ID of mail about the ticket
   (ours, or a customer's mail already on it), the latest named first;
2. "subject": a "[SD-000123]" tag in the subject, or a Message-ID in our domain that
   carries a ticket number (other parts of the desk send such ids);
3. "token": a signed reply address (support+SD-000123.<signature>@...) among To, Cc,
   Delivered-To, X-Original-To or the envelope recipients.

The intake decides whether the sender may join the ticket: references and tokens prove
the mail answers ours, a number in a subject proves nothing, so it needs a sender who
may see the ticket. `bounced_message_ids(parsed)` finds our Message-IDs in the returned
headers of a delivery status notification.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32

from django.conf import settings

from servicedesk.mail import config
from servicedesk.mail.headers import parse_addresses
from servicedesk.mail.models import InboundMail, InboundStatus, OutboundMail
from servicedesk.mail.parse import ParsedMail
from servicedesk.mail.threading import read_reply_address, ticket_numbers_in_subject
from servicedesk.tickets.models import Ticket

MAX_HEAD_BYTES = 256 * 1024
_ENVELOPE_HEADERS = ("delivered-to", "x-original-to", "envelope-to")
_RETURNED_ID = re.compile(rb"^message-id:[ \t]*<([^<>\s]{1,500})>", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A ticket the mail points at, and the evidence: references, subject or token."""

    ticket: Ticket
    by: str


def head_of(raw: bytes) -> bytes:
    """Return the header block of a raw message (at most MAX_HEAD_BYTES)."""
    head = raw[:MAX_HEAD_BYTES]
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = head.find(separator)
        if end >= 0:
            return head[: end + len(separator)]
    return head


def envelope_addresses(raw: bytes, recipients: Iterable[str] = ()) -> list[str]:
    """Return the addresses the mail was delivered to: envelope and Delivered-To headers."""
    found = [address.strip() for address in recipients if address.strip()]
    try:
        message = BytesHeaderParser(policy=compat32).parsebytes(head_of(raw))
        values = [str(value) for name in _ENVELOPE_HEADERS for value in message.get_all(name, [])]
    except Exception:  # hostile headers: the To and Cc of the parsed mail remain
        values = []
    found += [address.email for address in parse_addresses(values)]
    return found


def _id_order(parsed: ParsedMail) -> list[str]:
    ids = [parsed.in_reply_to] if parsed.in_reply_to else []
    ids += reversed(parsed.references)
    return list(dict.fromkeys(ids))[:100]


def tickets_by_message_ids(ids: Sequence[str]) -> list[Ticket]:
    """Return the tickets whose mail (ours or processed inbound) has these ids, in id order."""
    if not ids:
        return []
    by_id: dict[str, int] = {}
    for message_id, ticket_id in OutboundMail.objects.filter(
        message_id__in=ids, ticket__isnull=False
    ).values_list("message_id", "ticket_id"):
        by_id.setdefault(message_id, ticket_id)
    for message_id, ticket_id in InboundMail.objects.filter(
        message_id__in=ids, ticket__isnull=False, status=InboundStatus.PROCESSED
    ).values_list("message_id", "ticket_id"):
        by_id.setdefault(message_id, ticket_id)
    ordered = list(dict.fromkeys(by_id[i] for i in ids if i in by_id and by_id[i] is not None))
    tickets = Ticket.objects.in_bulk(ordered)
    return [tickets[pk] for pk in ordered if pk in tickets]


def _numbers_in_our_ids(ids: Sequence[str]) -> list[str]:
    """Return ticket numbers in Message-IDs of our domain, as "<...>.SD-000123@our.domain"."""
    prefix = re.escape(settings.TICKET_NUMBER_PREFIX)
    domains = {config.our_domain(), config.from_address().rpartition("@")[2].lower()}
    domain = "|".join(re.escape(name) for name in sorted(domains) if name)
    pattern = re.compile(rf"[.+](?P<number>{prefix}-\d{{1,12}})@(?:{domain})$", re.IGNORECASE)
    numbers = []
    for message_id in ids:
        match = pattern.search(message_id)
        if match:
            numbers.append(match["number"].upper())
    return numbers


def _tickets_by_numbers(numbers: Sequence[str]) -> list[Ticket]:
    if not numbers:
        return []
    tickets = {ticket.number: ticket for ticket in Ticket.objects.filter(number__in=numbers)}
    return [tickets[number] for number in dict.fromkeys(numbers) if number in tickets]


def thread_candidates(parsed: ParsedMail, *, envelope: Sequence[str] = ()) -> list[Candidate]:
    """Return the tickets the mail points at, strongest evidence first (see module doc)."""
    ids = _id_order(parsed)
    found = [Candidate(ticket, "references") for ticket in tickets_by_message_ids(ids)]
    prefix = settings.TICKET_NUMBER_PREFIX
    numbers = ticket_numbers_in_subject(parsed.subject, prefix=prefix) + _numbers_in_our_ids(ids)
    found += [Candidate(ticket, "subject") for ticket in _tickets_by_numbers(numbers)]
    secret = config.reply_secret()
    addresses = [address.email for address in (*parsed.to, *parsed.cc)] + list(envelope)
    tokens = [read_reply_address(address, secret=secret) for address in addresses]
    found += [
        Candidate(ticket, "token")
        for ticket in _tickets_by_numbers([number for number in tokens if number])
    ]
    return found


def bounced_message_ids(parsed: ParsedMail) -> list[str]:
    """Return the Message-IDs in the returned message or headers of a bounce."""
    ids: list[str] = []
    for attachment in parsed.attachments:
        if attachment.content_type in ("message/rfc822", "text/rfc822-headers", "message/global"):
            ids += [
                match.decode("ascii", "replace")
                for match in _RETURNED_ID.findall(head_of(attachment.data))
            ]
    return list(dict.fromkeys(ids))
