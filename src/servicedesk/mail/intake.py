"""The one pipeline every inbound mail goes through, whichever receiver took it in.

`mail_ingest(raw, source=...)` first stores the raw bytes in a transaction of their own
(`mail_store`), so from then on nothing is lost, and then processes them in a second
transaction (`mail_process`), which never raises. The steps, first match wins:

1. unreadable (`ParsedMail.parse_error`): quarantined with the reason;
2. the same Message-ID from the same sender was handled before: ignored as a duplicate
   (the constraint `inbound_mail_processed_once` also stops two concurrent copies both
   becoming tickets);
3. automated mail (`autoreply.is_automated`: auto-replies, bounces, lists, our own
   loops): ignored, never answered. It is linked to the ticket it answers, and a bounce
   of our mail about a ticket adds an internal note there, so the agent knows the
   customer did not get it;
4. over MAIL_MAX_BYTES (only its head was stored): refused, with a polite bounce;
5. no usable sender address: refused, unanswered;
6. more than MAIL_RATE_LIMIT_PER_HOUR mails from the sender within the hour: refused,
   unanswered (this breaks mail loops with robots that do not say they are robots);
7. a reply (see `routing`): added to the ticket as the customer's public message, cut
   at the reply marker or quoted history (`quotes.split_reply`); the full text stays on
   the `InboundMail`. A reply to a closed ticket follows the reopen policy of
   `services.ticket_customer_reply` (reopen, or a new linked ticket when closed long ago);
8. otherwise a new ticket (channel e-mail, default priority, the mailbox's product and
   team), after the sender checks: unknown senders per MAIL_UNKNOWN_SENDERS, and under
   a contract that lets only the CPC and key users report (000), others get a polite
   refusal naming who may. The requester gets the confirmation with the number (002).

Attachments (forwarded messages too) are added through `services.attachment_add`; one
the service refuses (a blocked type, too large) becomes an internal note, the message
itself still counts. Internal notes are written by the inactive staff user
"mail-intake" (`mail_system_user`), which exists only to author them.

Any unexpected failure rolls the processing back and quarantines the mail with a
summary of the error; `mail_reprocess(id)` (the admin's "run again", or
`servicedesk ingest-mail --reprocess ID`) runs it through again.
"""

import datetime
import hashlib
import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, Organisation, StaffRole, User
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Reporters
from servicedesk.mail import config
from servicedesk.mail.autoreply import is_automated
from servicedesk.mail.models import (
    RERUNNABLE_STATUSES,
    InboundMail,
    InboundStatus,
    Mailbox,
    OutboundKind,
    OutboundMail,
)
from servicedesk.mail.outbound import mail_queue, portal_url
from servicedesk.mail.parse import ParsedMail, parse_message
from servicedesk.mail.quotes import split_reply
from servicedesk.mail.routing import (
    Candidate,
    bounced_message_ids,
    envelope_addresses,
    head_of,
    thread_candidates,
    tickets_by_message_ids,
)
from servicedesk.mail.senders import (
    Sender,
    contact_create,
    reporter_names,
    sender_identify,
    usable_address,
)
from servicedesk.mail.texts import NO_SUBJECT, language_or_default
from servicedesk.mail.threading import clean_subject
from servicedesk.tickets import policy, services
from servicedesk.tickets.models import Channel, Message, Ticket, Visibility

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "mail-intake"
MAX_ATTACHMENTS = 100
MAX_TEXT_CHARS = 1_000_000
REFUSAL_INTERVAL = datetime.timedelta(hours=1)
RATE_WINDOW = datetime.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What processing decided: the status, a reason for people, the ticket and message."""

    status: InboundStatus
    reason: str
    ticket: Ticket | None = None
    message: Message | None = None


def mail_system_user() -> User:
    """Return the inactive staff user that authors the intake's internal notes."""
    user, _created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "role": StaffRole.AGENT,
            "is_active": False,
            "first_name": "E-mail",
            "last_name": "intake",
        },
    )
    return user


def mail_ingest(
    raw: bytes,
    *,
    source: str,
    mailbox: Mailbox | None = None,
    recipients: Sequence[str] = (),
) -> InboundMail:
    """Store a raw RFC 5322 message, then process it; return it with its final status.

    Raises only when storing fails (the caller must then keep the message, e.g. answer
    the MTA with a temporary failure); processing problems quarantine the mail.
    """
    inbound = mail_store(raw, source=source, mailbox=mailbox, recipients=recipients)
    return mail_process(inbound)


def mail_store(
    raw: bytes,
    *,
    source: str,
    mailbox: Mailbox | None = None,
    recipients: Sequence[str] = (),
) -> InboundMail:
    """Store the raw bytes (only the head when over MAIL_MAX_BYTES) and return the row."""
    raw = bytes(raw)
    truncated = len(raw) > config.max_bytes()
    with transaction.atomic():
        return InboundMail.objects.create(
            raw=head_of(raw) if truncated else raw,
            size=len(raw),
            truncated=truncated,
            sha256=hashlib.sha256(raw).hexdigest(),
            source=source[:120],
            mailbox=mailbox,
            envelope_to=", ".join(recipients)[:5000],
            received_at=timezone.now(),
        )


def mail_reprocess(inbound_id: int) -> InboundMail:
    """Run a received, quarantined or refused mail through the pipeline again; return it."""
    inbound = InboundMail.objects.get(pk=inbound_id)
    if inbound.status not in RERUNNABLE_STATUSES:
        raise ValueError(
            f"inbound mail #{inbound_id} is {inbound.status}: only received, quarantined "
            "or refused mail is run again"
        )
    return mail_process(inbound)


def mail_process(inbound: InboundMail) -> InboundMail:
    """Process a stored mail and record the outcome on it; never raises."""
    try:
        try:
            parsed = _parse(inbound)
        except Exception:
            _count_attempt(inbound)
            raise
        _record_parsed(inbound, parsed)  # and counts the attempt
        with transaction.atomic():
            outcome = _Pipeline(inbound, parsed).run()
            _finish(inbound, outcome)
    except IntegrityError as error:
        try:
            if _processed_elsewhere(inbound):
                duplicate = Outcome(InboundStatus.IGNORED, "duplicate: processed concurrently")
                _finish(inbound, duplicate)
            else:
                _quarantine(inbound, error)
        except Exception:
            logger.exception("inbound mail %s could not even be quarantined", inbound.pk)
    except Exception as error:
        try:
            _quarantine(inbound, error)
        except Exception:  # the database is gone: the mail stays "received", for a rerun
            logger.exception("inbound mail %s could not even be quarantined", inbound.pk)
    return inbound


def _parse(inbound: InboundMail) -> ParsedMail:
    raw = bytes(inbound.raw)
    return parse_message(head_of(raw) if inbound.truncated else raw)


def _count_attempt(inbound: InboundMail) -> None:
    InboundMail.objects.filter(pk=inbound.pk).update(attempts=F("attempts") + 1)
    inbound.attempts += 1


def _record_parsed(inbound: InboundMail, parsed: ParsedMail) -> None:
    """Keep what the parser read on the row, so even a quarantined mail shows it, and count
    the attempt to process it (in the same statement)."""
    inbound.message_id = _no_nul(parsed.message_id)[:500]
    inbound.sender = _no_nul(parsed.from_email.lower())[:320]
    inbound.subject = _no_nul(parsed.subject)[:1000]
    inbound.text = _no_nul(parsed.text)[:MAX_TEXT_CHARS]
    inbound.html = _no_nul(parsed.html_body)[:MAX_TEXT_CHARS]
    inbound.defects = [_no_nul(defect) for defect in parsed.defects]
    inbound.attempts += 1
    InboundMail.objects.filter(pk=inbound.pk).update(
        attempts=F("attempts") + 1,
        message_id=inbound.message_id,
        sender=inbound.sender,
        subject=inbound.subject,
        text=inbound.text,
        html=inbound.html,
        defects=inbound.defects,
    )


def _no_nul(text: str) -> str:
    """Return text without NUL characters, which PostgreSQL cannot store in text."""
    return text.replace("\x00", "\ufffd")


def _finish(inbound: InboundMail, outcome: Outcome) -> None:
    inbound.status = outcome.status
    inbound.reason = _no_nul(outcome.reason)[:5000]
    inbound.ticket = outcome.ticket
    inbound.ticket_message = outcome.message
    inbound.processed_at = timezone.now()
    inbound.save(update_fields=["status", "reason", "ticket", "ticket_message", "processed_at"])


def _processed_elsewhere(inbound: InboundMail) -> bool:
    return (
        InboundMail.objects.filter(message_id=inbound.message_id, status=InboundStatus.PROCESSED)
        .exclude(pk=inbound.pk)
        .exists()
    )


def _quarantine(inbound: InboundMail, error: Exception) -> None:
    logger.exception("inbound mail %s quarantined", inbound.pk)
    frames = traceback.extract_tb(error.__traceback__)[-4:]
    where = "; ".join(
        f"{frame.name} ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" for frame in frames
    )
    reason = f"processing failed: {type(error).__name__}: {error}"[:1500] + f" [at {where}]"
    _finish(inbound, Outcome(InboundStatus.QUARANTINED, reason))


class _Pipeline:
    """One run of the pipeline over one stored, parsed mail."""

    def __init__(self, inbound: InboundMail, parsed: ParsedMail) -> None:
        self.inbound = inbound
        self.parsed = parsed
        self.now = timezone.now()

    def run(self) -> Outcome:
        parsed = self.parsed
        if parsed.parse_error and not self.inbound.truncated:
            return Outcome(InboundStatus.QUARANTINED, f"unreadable: {parsed.parse_error}")
        duplicate = self._duplicate_of()
        if duplicate is not None:
            return Outcome(
                InboundStatus.IGNORED,
                f"duplicate of inbound mail #{duplicate.pk} (same Message-ID)",
                ticket=duplicate.ticket,
            )
        automated = is_automated(parsed, our_addresses=config.our_addresses())
        if automated:
            return self._automated(automated)
        if self.inbound.truncated:
            return self._too_large()
        address = parsed.from_email
        if not usable_address(address):
            return Outcome(InboundStatus.REFUSED, "no usable sender address; not answered")
        if self._rate_limited(address):
            limit = config.rate_limit_per_hour()
            return Outcome(
                InboundStatus.REFUSED,
                f"rate limit: more than {limit} mails from {address} within an hour; not answered",
            )
        sender = sender_identify(address, parsed.from_name)
        thread = self._thread(sender)
        if thread is not None:
            return self._reply(thread, sender)
        return self._new_ticket(sender)

    # The checks

    def _duplicate_of(self) -> InboundMail | None:
        earlier_handled = Q(
            pk__lt=self.inbound.pk,
            status__in=[InboundStatus.REFUSED, InboundStatus.IGNORED],
        )
        return (
            InboundMail.objects.filter(
                message_id=self.inbound.message_id, sender=self.inbound.sender
            )
            .filter(Q(status=InboundStatus.PROCESSED) | earlier_handled)
            .exclude(pk=self.inbound.pk)
            .only("pk", "ticket")
            .order_by("pk")
            .first()
        )

    def _rate_limited(self, address: str) -> bool:
        recent = InboundMail.objects.filter(
            sender=address.lower(), received_at__gte=self.now - RATE_WINDOW
        ).exclude(pk=self.inbound.pk)
        return recent.count() >= config.rate_limit_per_hour()

    def _automated(self, why: str) -> Outcome:
        reason = f"automated mail, not answered: {why}"
        parsed = self.parsed
        ids = [parsed.in_reply_to] if parsed.in_reply_to else []
        ids += reversed(parsed.references)
        bounced = bounced_message_ids(parsed)
        tickets = tickets_by_message_ids([*bounced, *ids])
        if not tickets:
            return Outcome(InboundStatus.IGNORED, reason)
        ticket = tickets[0]
        failed = OutboundMail.objects.filter(message_id__in=bounced, ticket=ticket).first()
        if failed is not None and self.parsed.auto.report_type == "delivery-status":
            services.ticket_add_message(
                ticket=ticket,
                body=_(
                    "The mail system reported that our e-mail to %(address)s (%(subject)s) "
                    "could not be delivered. See inbound mail #%(id)s."
                )
                % {"address": failed.to, "subject": failed.subject, "id": self.inbound.pk},
                author=mail_system_user(),
                visibility=Visibility.INTERNAL,
                channel=Channel.EMAIL,
            )
            reason += f"; delivery failure of our mail #{failed.pk} noted on {ticket.number}"
        return Outcome(InboundStatus.IGNORED, reason, ticket=ticket)

    def _too_large(self) -> Outcome:
        megabytes = self.inbound.size / (1024 * 1024)
        limit = config.max_bytes() // (1024 * 1024)
        reason = f"too large: {megabytes:.1f} MB, the limit is {limit} MB"
        address = self.parsed.from_email
        if not usable_address(address):
            return Outcome(InboundStatus.REFUSED, reason + "; no usable sender to tell")
        sender = sender_identify(address, self.parsed.from_name)
        answered = self._answer(
            kind=OutboundKind.TOO_LARGE,
            sender=sender,
            context={"size_mb": f"{megabytes:.1f}", "limit_mb": limit},
        )
        return Outcome(InboundStatus.REFUSED, reason + answered)

    # Threading

    def _thread(self, sender: Sender) -> Candidate | None:
        envelope = envelope_addresses(bytes(self.inbound.raw), self.inbound.envelope_to.split(", "))
        for candidate in thread_candidates(self.parsed, envelope=envelope):
            if self._may_join(candidate, sender):
                return candidate
        return None

    def _may_join(self, candidate: Candidate, sender: Sender) -> bool:
        """Return whether the sender's mail joins the ticket: only someone who may see it,
        by the policy's rule, whatever the route (a number anyone can type, a Message-ID a
        colleague in copy received); anyone else's mail opens a request of their own."""
        return sender.contact is not None and policy.contact_may_see(
            sender.contact, candidate.ticket
        )

    # Replies

    def _reply(self, candidate: Candidate, sender: Sender) -> Outcome:
        ticket = candidate.ticket
        contact = sender.contact or contact_create(
            email=sender.email, name=sender.name, organisation=ticket.organisation
        )
        body, _quoted = split_reply(self.parsed.text)
        if not body.strip():
            body = _("(The e-mail has no text; see its attachments.)")
        try:
            landed_on, message, what = _add_customer_reply(
                ticket=ticket, contact=contact, body=body
            )
        except ValidationError as refused:
            if "channel" not in getattr(refused, "error_dict", {}):
                raise
            return self._refuse_channel(sender, ticket.organisation)
        note = self._attach(landed_on, message, contact)
        reason = f"reply to {ticket.number} (by {candidate.by}): {what}"
        if landed_on.pk != ticket.pk:  # its confirmation was queued by ticket_create
            reason += f", as new ticket {landed_on.number}"
        return Outcome(InboundStatus.PROCESSED, reason + note, ticket=landed_on, message=message)

    # New tickets

    def _new_ticket(self, sender: Sender) -> Outcome:
        contact = sender.contact
        if contact is not None and not (contact.active and contact.organisation.active):
            return self._refuse_unknown(sender, "the contact is inactive")
        organisation = contact.organisation if contact else self._organisation_for_new(sender)
        if organisation is None:
            return self._refuse_unknown(sender, "unknown sender")
        mailbox = self.inbound.mailbox
        product = mailbox.product if mailbox is not None else None
        if product is not None and not product.active:
            product = None
        someone = contact or Contact(organisation=organisation)
        today = timezone.localdate(self.now)
        contract = services.contract_for(contact=someone, product=product, on=today)
        if contract is None and product is not None:
            # The mailbox's product is not under this organisation's contracts (if it has
            # any): the ticket comes in without it, for the desk to triage.
            fallback = services.contract_for(contact=someone, product=None, on=today)
            if fallback is not None:
                product, contract = None, fallback
        try:  # asked before a contact is made for the sender
            services.require_channel(contract, channel=Channel.EMAIL)
        except ValidationError:
            return self._refuse_channel(sender, organisation)
        if contact is None:
            # A new contact is neither CPC nor key user: where only they may report, the
            # sender is refused before a contact is made for them.
            if contract is not None and contract.reporters != Reporters.ANY_CONTACT:
                return self._refuse_reporter(sender, organisation, product)
            contact = contact_create(
                email=sender.email, name=sender.name, organisation=organisation
            )
        elif not services.may_report(contact=contact, contract=contract, product=product):
            return self._refuse_reporter(sender, organisation, product)
        language = language_or_default(contact.language)
        title = clean_subject(self.parsed.subject, prefix=settings.TICKET_NUMBER_PREFIX)
        ticket = services.ticket_create(
            requester=contact,
            title=(title or NO_SUBJECT[language])[:200],
            channel=Channel.EMAIL,
            product=product,
            details={"description": self.parsed.text[:MAX_TEXT_CHARS]},
            actor=contact.user,
            looked_up=services.ContractLookup(contract),
        )
        if mailbox is not None and mailbox.team is not None:
            services.ticket_assign(
                ticket=ticket, actor=mail_system_user(), assignee=None, team=mailbox.team
            )
        note = self._attach(ticket, None, contact)  # ticket_create queued the confirmation
        return Outcome(InboundStatus.PROCESSED, f"new ticket {ticket.number}{note}", ticket=ticket)

    def _organisation_for_new(self, sender: Sender) -> Organisation | None:
        if config.unknown_senders() != "create":
            return None
        if sender.organisation is not None:
            return sender.organisation
        code = config.fallback_organisation_code()
        if not code:
            return None
        return Organisation.objects.filter(code=code, active=True).first()

    # Refusals

    def _refuse_unknown(self, sender: Sender, why: str) -> Outcome:
        answered = self._answer(
            kind=OutboundKind.REFUSED_UNKNOWN, sender=sender, context={"address": sender.email}
        )
        return Outcome(InboundStatus.REFUSED, f"{why}: {sender.email}{answered}")

    def _refuse_channel(self, sender: Sender, organisation: Organisation) -> Outcome:
        """Keep the mail and answer it with the portal's address: the contract takes
        requests in the portal only (seed 004)."""
        answered = self._answer(
            kind=OutboundKind.REFUSED_CHANNEL,
            sender=Sender(sender.email, sender.name, sender.contact, organisation),
            context={"organisation": organisation.name, "url": portal_url()},
        )
        return Outcome(InboundStatus.REFUSED, f"portal-only contract: {sender.email}{answered}")

    def _refuse_reporter(
        self, sender: Sender, organisation: Organisation, product: Product | None
    ) -> Outcome:
        names = reporter_names(organisation=organisation, product=product)
        answered = self._answer(
            kind=OutboundKind.REFUSED_REPORTER,
            sender=Sender(sender.email, sender.name, sender.contact, organisation),
            context={"organisation": organisation.name, "reporters": names},
        )
        who = ", ".join(names) or "the CPC and key users"
        return Outcome(
            InboundStatus.REFUSED,
            f"{sender.email} may not report under the contract (only {who}){answered}",
        )

    def _answer(self, *, kind: OutboundKind, sender: Sender, context: dict[str, object]) -> str:
        """Queue a polite answer to the sender, at most one of a kind per address per hour."""
        recent = OutboundMail.objects.filter(
            to__iexact=sender.email, kind=kind, created_at__gte=self.now - REFUSAL_INTERVAL
        )
        if recent.exists():
            return "; not answered again within the hour"
        if sender.contact is not None:
            language = sender.contact.language
        elif sender.organisation is not None:
            language = sender.organisation.language
        else:
            language = settings.LANGUAGE_CODE
        mail_queue(
            kind=kind,
            to=sender.email,
            language=language,
            inbound=self.inbound,
            context={
                "name": sender.contact.name if sender.contact else sender.name,
                "subject": self.parsed.subject[:200],
                **context,
            },
        )
        return "; the sender was answered"

    # Attachments

    def _attach(self, ticket: Ticket, message: Message | None, contact: Contact) -> str:
        """Add the mail's attachments; note the refused ones internally; return a summary."""
        refused: list[str] = []
        items = [item for item in self.parsed.attachments if item.size > 0]
        for item in items[:MAX_ATTACHMENTS]:
            upload = SimpleUploadedFile(item.filename, item.data, content_type=item.content_type)
            try:
                with transaction.atomic():
                    services.attachment_add(
                        ticket=ticket, upload=upload, actor=contact.user, message=message
                    )
            except ValidationError as error:
                refused.append(f"{item.filename}: {' '.join(error.messages)}")
        if len(items) > MAX_ATTACHMENTS:
            refused.append(
                _("%(count)d more attachments were not added.")
                % {"count": len(items) - MAX_ATTACHMENTS}
            )
        if not refused:
            return ""
        services.ticket_add_message(
            ticket=ticket,
            body=_("Attachments of the e-mail (inbound mail #%(id)s) that were not accepted:")
            % {"id": self.inbound.pk}
            + "\n"
            + "\n".join(f"- {line}" for line in refused),
            author=mail_system_user(),
            visibility=Visibility.INTERNAL,
            channel=Channel.EMAIL,
        )
        return f"; {len(refused)} attachment(s) not accepted"


def _add_customer_reply(
    *, ticket: Ticket, contact: Contact, body: str
) -> tuple[Ticket, Message | None, str]:
    """Add a customer's mailed reply through the one door for customer replies.

    Returns where it landed (the ticket, or a new one linked to a ticket closed too long
    ago), the message (None when the reply became a new ticket's description) and what
    happened (added, resumed, reopened, new_ticket).
    """
    result = services.ticket_customer_reply(
        ticket=ticket, contact=contact, body=body, author=contact.user, channel=Channel.EMAIL
    )
    return result.ticket, result.message, str(result.outcome)
