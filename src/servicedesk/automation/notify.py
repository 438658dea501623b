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
- The others (staff alerts) are rows of the outbox (`servicedesk.outbox`, channel
  NOTIFICATIONS): stored once, claimed with a lease, sent, retried with back-off and
  requeued by the tick there. `notifications_deliver` sends some now (the outbox's task
  does it in the background).
"""

import datetime
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError
from django.utils import translation

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
from servicedesk.outbox.services import (
    REQUEUE_AFTER,
    Channel,
    outbox_add,
    outbox_deliver,
    outbox_queue_on_commit,
)
from servicedesk.tickets.models import ClockState, Ticket, TicketClock, TicketEvent

logger = logging.getLogger(__name__)

SLA_ACTIONS = ("sla_warning", "sla_breached")
# Missing an internal target alerts the team lead; these two are the rules of seed 003.
INTERNAL_RULES = {"assignment": Rule.UNASSIGNED_ALERT, "first_response": Rule.FIRST_RESPONSE_ALERT}
# Customer notices the e-mail channel mails (its templates, threading and reply address).
CUSTOMER_MAIL_RULES = frozenset({Rule.REMINDER_1, Rule.REMINDER_2, Rule.AUTO_CLOSE})
MAIL_KEY_PREFIX = "notification:"


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
    )


def notifications_record(
    planned: Sequence[Planned], *, at: datetime.datetime
) -> list[Notification]:
    """Store the planned notifications not stored before, each with a timeline event, and
    queue their sending on commit; return the new ones."""
    if not planned:
        return []
    created = outbox_add(NOTIFICATIONS, [_row(item, at) for item in planned], at=at)
    if not created:
        return []
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
    about: dict[str, About] = {}
    for item in planned:
        about.setdefault(item.dedupe_key, item.about)  # the first of a key is stored
    mailed = [row for row in created if by_mail_channel(row.rule, row.audience, row.channel)]
    if mailed:
        _mail_customers(mailed, about, at=at)
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
        ids = [row.pk for row in failed]
        Notification.objects.filter(pk__in=ids).update(
            sent_at=None, next_attempt_at=at + REQUEUE_AFTER
        )
        for row in failed:
            row.sent_at, row.next_attempt_at = None, at + REQUEUE_AFTER
        outbox_queue_on_commit(NOTIFICATIONS, ids)


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


def _sla_people(ticket: Ticket, directory: Directory) -> list[Recipient]:
    people = recipients(RaciStep.ESCALATION, ticket.kind, "AI", ticket=ticket, directory=directory)
    # The service manager hears of the highest priority only (000: severity 1; 003).
    return [p for p in people if p.role != MANAGER or ticket.priority_rank == 1]


def top_priority_notify(
    ticket: Ticket, *, at: datetime.datetime, directory: Directory | None = None
) -> list[Notification]:
    """Tell the people the escalation step names (assignee, team lead, service managers)
    that a ticket of the highest priority was reported (seed 000: "Support afdeling en
    Service manager ook melden"); nothing for any other priority."""
    if ticket.priority_rank != 1:
        return []
    people = [
        p for p in _sla_people(ticket, directory or Directory()) if p.audience == Audience.STAFF
    ]
    planned = notification_plan(
        ticket, rule=Rule.TOP_PRIORITY_REPORTED, people=people, occurrence=f"t{ticket.pk}"
    )
    return notifications_record(planned, at=at)


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


def notification_send(notification: Notification) -> None:
    """Send a notification as a plain-text mail (raises when the mail server refuses)."""
    _message(notification).send()


# The notifications' table in the outbox: sent by `notification_send`.
NOTIFICATIONS = Channel("notification", Notification, notification_send, related=("ticket",))


def notifications_deliver(ids: Iterable[int], *, worker: str = "") -> int:
    """Send the notifications among `ids` that are unsent and unclaimed; return how many
    (the outbox's `outbox_deliver`: each claimed with a lease, sent once)."""
    return outbox_deliver(NOTIFICATIONS, ids, worker=worker)
