"""Notifications: planned by rules, recorded once with their timeline event, sent once.

- `notification_plan` renders what a rule says to each recipient, in their language.
- `notifications_record` stores the planned notifications not stored before (the unique
  `dedupe_key` makes a rule evaluated twice notify once), writes a timeline event for
  each, and queues their sending when the transaction commits. The customer's reminders
  and automatic close are mailed by the e-mail channel (`mail.outbound`: its templates in
  the contact's language, threading headers, the signed reply address): the notification
  stays the record on the timeline, and its `OutboundMail` is queued in the same
  transaction with a dedupe key derived from the notification's, so it exists exactly
  when the notification does and is sent (and retried) by the e-mail channel.
- `sla_events_notify` turns the SLA warnings and breaches just recorded for a ticket into
  notifications (same transaction as the events).
- `notifications_deliver` sends the others (staff alerts): it claims each notification
  with a conditional UPDATE (a lease) before sending and stamps it sent after, so two
  workers never both send it.
  The tick queues again what is unsent at `next_attempt_at`: a lost task, an expired
  claim, or a failed attempt after its back-off (given up after MAX_ATTEMPTS).
  The one window left is a crash between the mail server's acceptance and the stamp: the
  mail is then sent again after the lease, with the same Message-ID, so mail clients can
  drop the copy.
"""

import datetime
import functools
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from servicedesk.automation.models import (
    Audience,
    Notification,
    NotificationChannel,
    RaciStep,
    Rule,
)
from servicedesk.automation.raci import MANAGER, Directory, Recipient, recipients
from servicedesk.automation.texts import About, auto_close_note, render
from servicedesk.mail import outbound
from servicedesk.mail.texts import language_or_default
from servicedesk.tickets.models import ClockState, Ticket, TicketClock, TicketEvent

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=10)  # a claim older than this is retried
REQUEUE_AFTER = datetime.timedelta(minutes=5)  # unsent this long after creation: task lost
MAX_ATTEMPTS = 10  # with the back-off below: about a day of failures before giving up
MAX_BACKOFF = datetime.timedelta(hours=6)
SLA_ACTIONS = ("sla_warning", "sla_breached")
# Missing an internal target alerts the team lead; these two are the rules of seed 003.
INTERNAL_RULES = {"assignment": Rule.UNASSIGNED_ALERT, "first_response": Rule.FIRST_RESPONSE_ALERT}
# Customer notices the e-mail channel mails (its templates, threading and reply address).
CUSTOMER_MAIL_RULES = frozenset({Rule.REMINDER_1, Rule.REMINDER_2, Rule.AUTO_CLOSE})
MAIL_KEY_PREFIX = "notification:"


def backoff(attempts: int) -> datetime.timedelta:
    """Return how long to wait after a failed attempt: 5 minutes, doubling, at most 6 hours."""
    return min(REQUEUE_AFTER * (1 << max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True, slots=True)
class Planned:
    """A notification not yet stored."""

    ticket: Ticket
    rule: Rule
    recipient: Recipient
    dedupe_key: str
    subject: str
    body: str
    about: About = field(default_factory=About)  # the facts the e-mail channel's mail mentions


def notification_plan(
    ticket: Ticket,
    *,
    rule: Rule,
    people: Iterable[Recipient],
    occurrence: str,
    about: About | None = None,
) -> list[Planned]:
    """Return what the rule says to each person, rendered in their language.

    `occurrence` names the cause (an action, an event, the ticket): with the rule and the
    person it makes the dedupe key.
    """
    about = about or About()
    planned = []
    for person in people:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            subject, body = render(rule, ticket=ticket, recipient=person, about=about)
        key = f"{rule}:{occurrence}:{person.key}"[:150]
        planned.append(Planned(ticket, rule, person, key, subject, body, about))
    return planned


def by_mail_channel(rule: str, audience: str, channel: str) -> bool:
    """Return whether the e-mail channel mails this notification (not `notifications_deliver`)."""
    return (
        rule in CUSTOMER_MAIL_RULES
        and audience == Audience.CUSTOMER
        and channel == NotificationChannel.EMAIL
    )


def mail_dedupe_key(notification: Notification) -> str:
    """Return the dedupe key of the `OutboundMail` that mails a notification: its own key,
    marked (hashed if that would not fit), so the notice is queued once however often the
    rule runs."""
    key = MAIL_KEY_PREFIX + notification.dedupe_key
    if len(key) > 150:
        digest = hashlib.sha256(notification.dedupe_key.encode()).hexdigest()
        key = MAIL_KEY_PREFIX + digest
    return key


def _row(item: Planned, at: datetime.datetime) -> Notification:
    person = item.recipient
    channel = NotificationChannel.EMAIL if person.email else NotificationChannel.TIMELINE
    # Nothing to send without an address: the timeline is the delivery. A customer notice
    # is handed to the e-mail channel at once: its OutboundMail records the sending.
    handed_over = channel == NotificationChannel.TIMELINE or by_mail_channel(
        item.rule, person.audience, channel
    )
    return Notification(
        ticket=item.ticket,
        rule=item.rule,
        audience=person.audience,
        role=person.role,
        user_id=person.user_id,
        contact_id=person.contact_id,
        email=person.email,
        channel=channel,
        subject=item.subject,
        body=item.body,
        dedupe_key=item.dedupe_key,
        created_at=at,
        sent_at=at if handed_over else None,
        next_attempt_at=None if handed_over else at + REQUEUE_AFTER,
    )


def _insert(rows: list[Notification]) -> list[Notification]:
    """Insert rows; on a duplicate key (a concurrent writer), insert the others one by one."""
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save(force_insert=True)
            except IntegrityError:
                continue
            created.append(row)
        return created


def notifications_record(
    planned: Sequence[Planned], *, at: datetime.datetime
) -> list[Notification]:
    """Store the planned notifications not stored before, each with a timeline event, and
    queue their sending on commit; return the new ones."""
    unique = list({item.dedupe_key: item for item in planned}.values())
    if not unique:
        return []
    keys = [item.dedupe_key for item in unique]
    known = set(
        Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    fresh = [item for item in unique if item.dedupe_key not in known]
    if not fresh:
        return []
    created = _insert([_row(item, at) for item in fresh])
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=row.ticket_id,
            at=at,
            action="notified" if row.audience == Audience.CUSTOMER else "notified_staff",
            field=row.rule,
            new_value=f"{row.email}" if row.email else row.role,
            note=row.subject,
        )
        for row in created
    )
    about = {item.dedupe_key: item.about for item in fresh}
    mailed = [row for row in created if by_mail_channel(row.rule, row.audience, row.channel)]
    if mailed:
        _mail_customers(mailed, about, at=at)
    ids = [row.pk for row in created if row.sent_at is None]
    if ids:
        transaction.on_commit(functools.partial(queue_sending, ids))
    return created


def _mail_customers(
    rows: list[Notification], about: dict[str, About], *, at: datetime.datetime
) -> None:
    """Queue the e-mail channel's mail of these customer notices, stored together.

    Should the e-mail channel fail to write one (not the database: that fails the whole
    transaction), the notification is sent as its own plain text instead, so a broken
    template delays no rule and loses no notice.
    """
    failed: list[Notification] = []
    with outbound.mail_batch():
        for row in rows:
            try:
                _mail_customer(row, about[row.dedupe_key])
            except DatabaseError:
                raise
            except Exception:
                logger.exception("notification %s: mailed as plain text instead", row.pk)
                failed.append(row)
    if failed:
        Notification.objects.filter(pk__in=[row.pk for row in failed]).update(
            sent_at=None, next_attempt_at=at + REQUEUE_AFTER
        )
        for row in failed:
            row.sent_at, row.next_attempt_at = None, at + REQUEUE_AFTER


def _mail_customer(notification: Notification, about: About) -> None:
    """Queue the e-mail channel's mail of a customer notice (a reminder, the automatic
    close) to the requester, in their language."""
    ticket = notification.ticket
    key = mail_dedupe_key(notification)
    if notification.rule == Rule.AUTO_CLOSE:
        with translation.override(language_or_default(ticket.requester.language)):
            text = auto_close_note(about.waiting_for)
        within = about.reopen_within
        outbound.mail_on_closed(
            ticket,
            text=text,
            reopen_within_days=within.days if within is not None else None,
            dedupe_key=key,
        )
    else:
        outbound.mail_on_reminder(
            ticket,
            which=1 if notification.rule == Rule.REMINDER_1 else 2,
            close_on=about.close_on,
            waiting_for=about.waiting_for,
            dedupe_key=key,
        )


def queue_sending(ids: list[int]) -> None:
    """Queue a task that sends these notifications; if queueing fails, the tick retries."""
    from servicedesk.automation.tasks import notifications_send

    try:
        notifications_send.enqueue(notification_ids=ids)
    except Exception:
        logger.exception("could not queue %d notifications; the tick will retry", len(ids))


def _sla_people(ticket: Ticket, directory: Directory) -> list[Recipient]:
    people = recipients(RaciStep.ESCALATION, ticket.kind, "AI", ticket=ticket, directory=directory)
    # The service manager hears of the highest priority only (000: severity 1; 003).
    return [p for p in people if p.role != MANAGER or ticket.priority_rank == 1]


def sla_events_possible(clocks: Iterable[TicketClock], *, at: datetime.datetime) -> bool:
    """Return whether a refresh that returned these clocks may have recorded a warning or a
    breach at `at` (a cheap superset test, to spare the query when nothing happened)."""
    return any(
        (clock.state == ClockState.BREACHED and clock.breach_recorded_at is None)
        or (
            clock.state in (ClockState.RUNNING, ClockState.PAUSED)
            and clock.warn_at is not None
            and clock.warn_at <= at
            and clock.warning_recorded_at is None
        )
        for clock in clocks
    )


def sla_events_notify(
    ticket: Ticket, *, at: datetime.datetime, directory: Directory | None = None
) -> list[Notification]:
    """Notify about the SLA warnings and breaches recorded for the ticket at `at`.

    A contractual target's warning or breach goes to the escalation step's A and I roles
    (assignee, team lead, and for priority rank 1 the service managers). A missed internal
    target alerts the intake step's accountable (the team lead); a missed assignment or
    first-response target is the same alert as the scheduled one, so it comes once.
    """
    if ticket.contract_id is None:
        return []  # no service level, no clocks
    events = list(TicketEvent.objects.filter(ticket=ticket, at=at, action__in=SLA_ACTIONS))
    if not events:
        return []
    directory = directory or Directory()
    clocks = {
        key: (internal, due_at)
        for key, internal, due_at in TicketClock.objects.filter(
            ticket=ticket, key__in={e.field for e in events}
        ).values_list("key", "internal", "due_at")
    }
    planned: list[Planned] = []
    for event in events:
        internal, due_at = clocks.get(event.field, (False, None))
        about = About(target=event.field, due=due_at)
        if internal:
            if event.action != "sla_breached":
                continue
            rule = INTERNAL_RULES.get(event.field, Rule.INTERNAL_TARGET_MISSED)
            occurrence = f"t{ticket.pk}" if event.field in INTERNAL_RULES else f"e{event.pk}"
            people = recipients(
                RaciStep.INTAKE, ticket.kind, "A", ticket=ticket, directory=directory
            )
        else:
            rule = Rule.SLA_WARNING if event.action == "sla_warning" else Rule.SLA_BREACHED
            occurrence = f"e{event.pk}"
            people = _sla_people(ticket, directory)
        staff = [p for p in people if p.audience == Audience.STAFF]
        planned += notification_plan(
            ticket, rule=rule, people=staff, occurrence=occurrence, about=about
        )
    return notifications_record(planned, at=at)


def _message(notification: Notification) -> EmailMessage:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "localhost"
    return EmailMessage(
        subject=notification.subject,
        body=notification.body,
        to=[notification.email],
        headers={
            # Stable across retries, so a copy sent after a crash is recognisably the same.
            "Message-ID": f"<notification.{notification.pk}.{notification.ticket.number}@{domain}>",
            "Auto-Submitted": "auto-generated",  # RFC 3834: no auto-replies to this
            "X-Servicedesk-Ticket": notification.ticket.number,
        },
    )


def notifications_deliver(ids: Iterable[int], *, worker: str = "") -> int:
    """Send the notifications among `ids` that are unsent and unclaimed; return how many.

    Each is claimed (a conditional UPDATE, committed) before sending and stamped sent
    after; a failure releases the claim for a later retry, until MAX_ATTEMPTS.
    """
    sent = 0
    for pk in ids:
        now = timezone.now()
        claimable = Notification.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - LEASE),
            pk=pk,
            sent_at__isnull=True,
            failed_at__isnull=True,
        )
        claimed = claimable.update(
            claimed_at=now,
            claimed_by=worker,
            attempts=F("attempts") + 1,
            next_attempt_at=now + LEASE,
        )
        if not claimed:
            continue
        notification = Notification.objects.select_related("ticket").get(pk=pk)
        mine = Notification.objects.filter(pk=pk, claimed_at=now)
        try:
            _message(notification).send()
        except Exception as error:
            logger.warning("notification %s not sent: %s", pk, error)
            given_up = notification.attempts >= MAX_ATTEMPTS
            mine.update(
                claimed_at=None,
                last_error=str(error)[:2000],
                failed_at=now if given_up else None,
                next_attempt_at=None if given_up else now + backoff(notification.attempts),
            )
            continue
        mine.update(sent_at=timezone.now(), next_attempt_at=None)
        sent += 1
    return sent


def notifications_requeue(*, now: datetime.datetime, limit: int = 1000) -> int:
    """Queue sending again for unsent notifications due another attempt (a lost task, an
    expired claim, a failure's back-off over); return how many."""
    ids = list(
        Notification.objects.filter(
            sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        queue_sending(ids)
    return len(ids)
