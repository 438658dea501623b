"""Mail the desk sends: composed from templates per language, stored, sent in the background.

- `mail_compose(...)` returns the `EmailMultiAlternatives` for one notice: text and HTML
  from `templates/mail/<language>/<kind>.txt|.html`, subject "[SD-000123] title", the
  reply marker line on top, our Message-ID, Reply-To the ticket's signed reply address,
  X-Loop, and Auto-Submitted for automatic notices (RFC 3834), so auto-responders stay
  quiet.
- `mail_queue(...)` renders a notice once, stores it as an `OutboundMail` and queues its
  sending when the transaction commits; a `dedupe_key` seen before makes it a no-op.
  Within `with mail_batch():` the mails queued are stored together when the block ends
  (a constant number of queries, for the worker's tick).
- The hooks the ticket services (or the notification layer) call, each inside their
  transaction: `mail_on_ticket_created`, `mail_on_public_reply`, `mail_on_status_changed`,
  `mail_on_reminder`, `mail_on_closed`. Each writes to the requester in their language.
- Outbound mail is a channel of the outbox (`servicedesk.outbox`, MAIL): each row is
  claimed with a lease, sent once by `mail_send_row`, retried with back-off, given up
  after about a day, and requeued by the tick there. `mail_deliver(ids)` sends some now;
  `mail_retry_unsent()` queues again what is due another attempt.

In-Reply-To and References are fixed at the first attempt to send, from the ticket's
mail up to then (ours and the customer's), so a confirmation queued inside
`ticket_create` still threads under the customer's original message.
"""

import contextlib
import datetime
import re
import secrets
import time
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from servicedesk.accounts.models import User
from servicedesk.mail import config
from servicedesk.mail.models import InboundMail, InboundStatus, OutboundKind, OutboundMail
from servicedesk.mail.parse import SYNTHETIC_ID_DOMAIN
from servicedesk.mail.quotes import REPLY_MARKERS
from servicedesk.mail.texts import NO_SUBJECT, SUBJECTS, language_or_default, status_name
from servicedesk.mail.threading import make_reply_address
from servicedesk.outbox.services import (
    Channel,
    outbox_add,
    outbox_deliver,
    outbox_requeue,
)
from servicedesk.tickets import policy
from servicedesk.tickets.disclosure import CUSTOMER_VIEW
from servicedesk.tickets.models import Message, Status, Ticket, Visibility

MAX_REFERENCES = 20
# Kinds written by a person; every other kind is an automatic notice (RFC 3834).
PERSONAL_KINDS = frozenset({OutboundKind.AGENT_REPLY})
# Kinds that answer an inbound mail rather than belong to a ticket's conversation.
ANSWER_KINDS = frozenset(
    {
        OutboundKind.REFUSED_REPORTER,
        OutboundKind.REFUSED_CHANNEL,
        OutboundKind.REFUSED_UNKNOWN,
        OutboundKind.TOO_LARGE,
    }
)
_BLANK_LINES = re.compile(r"\n{3,}")
# Status changes the requester is told about (the others follow from their own action).
CUSTOMER_STATUSES = frozenset(
    {
        Status.IN_PROGRESS,
        Status.WAITING_ON_CUSTOMER,  # the question the desk asks: mailed at once
        Status.WAITING_ON_SUPPLIER,
        Status.PARKED,
        Status.SOLUTION_OFFERED,
        Status.CLOSED,
    }
)


def ticket_url(ticket: Ticket) -> str:
    """Return the ticket's page in the customer portal, or "" when there is no portal."""
    try:
        path = reverse("portal:ticket", args=[ticket.number])
    except NoReverseMatch:
        return ""
    return settings.SITE_URL.rstrip("/") + path


def portal_url() -> str:
    try:
        path = reverse("portal:tickets")
    except NoReverseMatch:
        return ""
    return settings.SITE_URL.rstrip("/") + path


def reply_address(ticket: Ticket) -> str:
    """Return the ticket's signed reply address: support+SD-000123.<signature>@host."""
    return make_reply_address(
        ticket.number, secret=config.reply_secret(), mailbox=config.reply_mailbox()
    )


def _subject(kind: str, language: str, ticket: Ticket | None, context: Mapping[str, Any]) -> str:
    values = {
        "number": ticket.number if ticket else "",
        "title": ticket.title if ticket else "",
        "subject": context.get("subject") or NO_SUBJECT[language],
    }
    subject = SUBJECTS[language][kind].format(**values)
    return " ".join(subject.split())[:300]


def render(
    *, kind: str, language: str, ticket: Ticket | None, context: Mapping[str, Any] | None = None
) -> tuple[str, str, str]:
    """Return (subject, text, html) of a notice in the language (English if unsupported)."""
    language = language_or_default(language)
    values: dict[str, Any] = {"language": language}
    if ticket is not None:
        values |= {
            "ticket": ticket,
            "number": ticket.number,
            "title": ticket.title,
            "url": ticket_url(ticket),
            "marker": REPLY_MARKERS[language],
        }
    values |= dict(context or {})
    subject = _subject(kind, language, ticket, values)
    values["subject_line"] = subject
    with translation.override(language):
        text = str(render_to_string(f"mail/{language}/{kind}.txt", values))
        html = str(render_to_string(f"mail/{language}/{kind}.html", {**values, "subject": subject}))
    text = _BLANK_LINES.sub("\n\n", text.replace("\r\n", "\n")).strip() + "\n"
    if values.get("marker"):
        text = f"{values['marker']}\n\n{text}"
    return subject, text, html


def _headers(
    *,
    kind: str,
    message_id: str,
    ticket: Ticket | None,
    in_reply_to: str,
    references: Iterable[str],
) -> dict[str, str]:
    headers = {
        "Message-ID": f"<{message_id}>",
        "X-Loop": config.reply_mailbox(),
    }
    if kind not in PERSONAL_KINDS:
        headers["Auto-Submitted"] = "auto-replied" if kind in ANSWER_KINDS else "auto-generated"
        # Exchange and Outlook send no out-of-office replies to this.
        headers["X-Auto-Response-Suppress"] = "All"
    if ticket is not None:
        headers["X-Servicedesk-Ticket"] = ticket.number
    if in_reply_to:
        headers["In-Reply-To"] = f"<{in_reply_to}>"
    chain = " ".join(f"<{ref}>" for ref in references if ref)
    if chain:
        headers["References"] = chain
    return headers


def _email(
    *,
    subject: str,
    text: str,
    html: str,
    to: str,
    reply_to: str,
    headers: Mapping[str, str],
) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else [],
        headers=dict(headers),
    )
    email.attach_alternative(html, "text/html")
    return email


def new_message_id() -> str:
    """Return a fresh Message-ID (without brackets) in our domain.

    From the `secrets` generator, not `make_msgid`: that one draws from the global `random`,
    which a test framework or a library may have seeded, giving the same id twice.
    """
    return f"{time.time_ns()}.{secrets.token_hex(12)}@{config.our_domain()}"


def mail_compose(
    *,
    kind: str,
    to: str,
    language: str,
    ticket: Ticket | None = None,
    context: Mapping[str, Any] | None = None,
    message_id: str = "",
    in_reply_to: str = "",
    references: Iterable[str] = (),
) -> EmailMultiAlternatives:
    """Return the multipart (text + HTML) mail of a notice, with threading headers."""
    subject, text, html = render(kind=kind, language=language, ticket=ticket, context=context)
    return _email(
        subject=subject,
        text=text,
        html=html,
        to=to,
        reply_to=reply_address(ticket) if ticket is not None else "",
        headers=_headers(
            kind=kind,
            message_id=message_id or new_message_id(),
            ticket=ticket,
            in_reply_to=in_reply_to,
            references=references,
        ),
    )


# The mails queued inside `mail_batch()`, stored when it ends; None outside a batch.
_batch: ContextVar[list[OutboundMail] | None] = ContextVar("outbound_mail_batch", default=None)


def mail_queue(
    *,
    kind: str,
    to: str,
    language: str,
    ticket: Ticket | None = None,
    message: Message | None = None,
    inbound: InboundMail | None = None,
    context: Mapping[str, Any] | None = None,
    dedupe_key: str | None = None,
    now: datetime.datetime | None = None,
) -> OutboundMail | None:
    """Store a notice and queue its sending on commit; return it (None if sent before: the
    unique `dedupe_key` decides, in `outbox_add`).

    A notice with a ticket gets its threading headers when it is first sent; one that
    answers an inbound mail without a ticket (a refusal) answers that mail. Inside
    `mail_batch()` the mail is returned unsaved and stored when the batch ends (left out
    then if its `dedupe_key` was seen before).
    """
    batch = _batch.get()
    at = now or timezone.now()
    language = language_or_default(language)
    subject, text, html = render(kind=kind, language=language, ticket=ticket, context=context)
    in_reply_to, references = "", ""
    if ticket is None and inbound is not None and not _synthetic(inbound.message_id):
        in_reply_to = references = inbound.message_id
    row = OutboundMail(
        ticket=ticket,
        ticket_message=message,
        inbound=inbound,
        kind=kind,
        to=to,
        language=language,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=new_message_id(),
        in_reply_to=in_reply_to,
        references=references,
        threaded=ticket is None,
        reply_to=reply_address(ticket) if ticket is not None else "",
        auto_submitted="" if kind in PERSONAL_KINDS else kind,
        dedupe_key=dedupe_key,
        created_at=at,
    )
    if batch is not None:
        batch.append(row)
        return row
    created = outbox_add(MAIL, [row], at=at)
    return created[0] if created else None  # else a concurrent writer queued it


@contextlib.contextmanager
def mail_batch() -> Iterator[None]:
    """Store the mails queued inside the block together when it ends, in one insert, and
    queue their sending in one task on commit; nothing is stored if the block raises.

    For callers that queue many mails at once (the worker's tick): a constant number of
    queries instead of a few per mail. A nested block belongs to the outer one.
    """
    if _batch.get() is not None:
        yield
        return
    rows: list[OutboundMail] = []
    token = _batch.set(rows)
    try:
        yield
    finally:
        _batch.reset(token)
    _store(rows)


def _store(rows: list[OutboundMail]) -> list[OutboundMail]:
    """Store the mails whose dedupe key is new and queue their sending on commit."""
    return outbox_add(MAIL, rows, at=timezone.now()) if rows else []


def _requester_address(ticket: Ticket) -> tuple[str, str, str] | None:
    """Return (address, name, language) of the requester, or None if they get no mail."""
    contact = ticket.requester
    if not contact.active or not contact.email:
        return None
    return contact.email, contact.name, contact.language


def mail_on_ticket_created(ticket: Ticket) -> OutboundMail | None:
    """Queue the confirmation with the ticket number to the requester (002); once per ticket."""
    person = _requester_address(ticket)
    if person is None:
        return None
    address, name, language = person
    return mail_queue(
        kind=OutboundKind.TICKET_CREATED,
        to=address,
        language=language,
        ticket=ticket,
        context={"name": name},
        dedupe_key=f"ticket_created:{ticket.pk}",
    )


def mail_on_public_reply(message: Message) -> OutboundMail | None:
    """Queue a staff member's public reply to the requester; internal notes and the
    customer's own messages send nothing."""
    if message.visibility != Visibility.PUBLIC or message.author_contact_id is not None:
        return None
    author = message.author_user
    if author is None or not policy.is_staff(author):
        return None
    ticket = message.ticket
    person = _requester_address(ticket)
    if person is None:
        return None
    address, name, language = person
    return mail_queue(
        kind=OutboundKind.AGENT_REPLY,
        to=address,
        language=language,
        ticket=ticket,
        message=message,
        context={
            "name": name,
            "body": message.body,
            # As a customer reads people at the desk: by name, never by login.
            "author": CUSTOMER_VIEW.person(author) or "",
        },
        dedupe_key=f"agent_reply:{message.pk}",
    )


def mail_on_status_changed(
    ticket: Ticket,
    *,
    old: str,
    new: str,
    actor: User | None,
    note: str = "",
    reopen_within_days: int | None = None,
) -> OutboundMail | None:
    """Queue a status change made by staff to the requester; a close sends the closing text.

    Only the statuses in CUSTOMER_STATUSES are told, and only when a staff member made the
    change: a change the customer caused (a reply resumes or reopens the ticket) or the
    automation made (which sends its own reminder and closing mail) sends nothing here.
    """
    if new == old or new not in CUSTOMER_STATUSES:
        return None
    # The desk itself asks too: the intake's completeness check lists what is missing.
    asked_by_the_desk = actor is None and new == Status.WAITING_ON_CUSTOMER and bool(note)
    if not asked_by_the_desk and not policy.is_staff(actor):
        return None
    if new == Status.CLOSED:
        return mail_on_closed(ticket, text=note, reopen_within_days=reopen_within_days)
    person = _requester_address(ticket)
    if person is None:
        return None
    address, name, language = person
    return mail_queue(
        kind=OutboundKind.STATUS_CHANGED,
        to=address,
        language=language,
        ticket=ticket,
        context={"name": name, "status": status_name(new, language), "note": note},
        dedupe_key=f"status:{ticket.pk}:{new}:{ticket.updated_at.isoformat()}",
    )


def mail_on_reminder(
    ticket: Ticket,
    *,
    which: int,
    close_on: datetime.datetime | None = None,
    waiting_for: str = Status.WAITING_ON_CUSTOMER,
    dedupe_key: str | None = None,
) -> OutboundMail | None:
    """Queue reminder `which` (1 or 2) that the ticket waits for the customer (002 §5).

    `waiting_for` is the status the desk waits in: for information from the customer, or
    (SOLUTION_OFFERED) for their word that the solution offered works.
    """
    person = _requester_address(ticket)
    if person is None:
        return None
    address, name, language = person
    with translation.override(language_or_default(language)):
        close_text = date_format(timezone.localtime(close_on), "j F Y") if close_on else ""
    return mail_queue(
        kind=OutboundKind.REMINDER,
        to=address,
        language=language,
        ticket=ticket,
        context={
            "name": name,
            "which": which,
            "close_on": close_text,
            "solution_offered": waiting_for == Status.SOLUTION_OFFERED,
        },
        dedupe_key=dedupe_key,
    )


def mail_on_closed(
    ticket: Ticket,
    *,
    text: str = "",
    reopen_within_days: int | None = None,
    dedupe_key: str | None = None,
) -> OutboundMail | None:
    """Queue the closing mail with its text (the resolution or a standard text, 003)."""
    person = _requester_address(ticket)
    if person is None:
        return None
    address, name, language = person
    stamp = ticket.closed_at.isoformat() if ticket.closed_at else ticket.updated_at.isoformat()
    return mail_queue(
        kind=OutboundKind.CLOSED,
        to=address,
        language=language,
        ticket=ticket,
        context={"name": name, "note": text, "reopen_days": reopen_within_days},
        dedupe_key=dedupe_key or f"closed:{ticket.pk}:{stamp}",
    )


def _synthetic(message_id: str) -> bool:
    return not message_id or message_id.endswith("@" + SYNTHETIC_ID_DOMAIN)


def thread_ids(ticket: Ticket, *, before: OutboundMail) -> list[str]:
    """Return the Message-IDs of the ticket's mail before `before`, oldest first."""
    inbound = InboundMail.objects.filter(
        ticket=ticket, status=InboundStatus.PROCESSED, received_at__lte=before.created_at
    ).values_list("received_at", "message_id")
    outbound = (
        OutboundMail.objects.filter(ticket=ticket, created_at__lte=before.created_at)
        .exclude(pk=before.pk)
        .values_list("created_at", "message_id")
    )
    dated = sorted([*inbound, *outbound])
    return [mid for _, mid in dated if not _synthetic(mid)]


def _set_threading(row: OutboundMail) -> None:
    """Fix In-Reply-To and References at the first attempt: the ticket's mail up to now."""
    if row.threaded or row.ticket is None:
        return
    ids = list(dict.fromkeys(thread_ids(row.ticket, before=row)))
    if len(ids) > MAX_REFERENCES:
        ids = [ids[0], *ids[-(MAX_REFERENCES - 1) :]]  # the root and the latest
    row.in_reply_to = ids[-1] if ids else ""
    row.references = " ".join(ids)
    row.threaded = True
    OutboundMail.objects.filter(pk=row.pk).update(
        in_reply_to=row.in_reply_to, references=row.references, threaded=True
    )


def outbound_email(row: OutboundMail) -> EmailMultiAlternatives:
    """Return the mail for a stored notice, as it is sent (the same on every attempt)."""
    headers = _headers(
        kind=row.kind,
        message_id=row.message_id,
        ticket=row.ticket,
        in_reply_to=row.in_reply_to,
        references=row.references.split(),
    )
    return _email(
        subject=row.subject,
        text=row.body_text,
        html=row.body_html,
        to=row.to,
        reply_to=formataddr(("", row.reply_to)) if row.reply_to else "",
        headers=headers,
    )


def mail_send_row(row: OutboundMail) -> None:
    """Send a stored notice (raises when the mail server refuses): its threading headers
    fixed at the first attempt, the same mail on every attempt."""
    _set_threading(row)
    outbound_email(row).send()


# The outbound mail's table in the outbox: sent by `mail_send_row`.
MAIL = Channel("mail", OutboundMail, mail_send_row, related=("ticket",))


def mail_deliver(ids: Iterable[int], *, worker: str = "") -> int:
    """Send the mails among `ids` that are unsent and unclaimed; return how many were sent
    (the outbox's `outbox_deliver`: each claimed with a lease, sent once)."""
    return outbox_deliver(MAIL, ids, worker=worker)


def mail_retry_unsent(*, now: datetime.datetime | None = None, limit: int = 1000) -> int:
    """Queue sending again for unsent mail due another attempt; return how many (the
    outbox's requeue, for mail only; the tick does it for every channel)."""
    return outbox_requeue(now=now, channels=[MAIL.name], limit=limit)[MAIL.name]
