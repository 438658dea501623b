"""Notifications: planned by rules, recorded once with their timeline event, sent once.

- `notification_plan` renders what a rule says to each recipient, in their language.
- `notifications_record` stores the planned notifications not stored before (the unique
  `dedupe_key` makes a rule evaluated twice notify once), writes a timeline event for
  each, and queues their sending when the transaction commits.
- `sla_events_notify` turns the SLA warnings and breaches just recorded for a ticket into
  notifications (same transaction as the events).
- `notifications_deliver` sends: it claims each notification with a conditional UPDATE
  (a lease) before sending and stamps it sent after, so two workers never both send it.
  The tick queues again what is unsent at `next_attempt_at`: a lost task, an expired
  claim, or a failed attempt after its back-off (given up after MAX_ATTEMPTS).
  The one window left is a crash between the mail server's acceptance and the stamp: the
  mail is then sent again after the lease, with the same Message-ID, so mail clients can
  drop the copy.
"""

import datetime
import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
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
from servicedesk.automation.texts import About, render
from servicedesk.tickets.models import ClockState, Ticket, TicketClock, TicketEvent

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=10)  # a claim older than this is retried
REQUEUE_AFTER = datetime.timedelta(minutes=5)  # unsent this long after creation: task lost
MAX_ATTEMPTS = 10  # with the back-off below: about a day of failures before giving up
MAX_BACKOFF = datetime.timedelta(hours=6)
SLA_ACTIONS = ("sla_warning", "sla_breached")
# Missing an internal target alerts the team lead; these two are the rules of seed 003.
INTERNAL_RULES = {"assignment": Rule.UNASSIGNED_ALERT, "first_response": Rule.FIRST_RESPONSE_ALERT}


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
        planned.append(Planned(ticket, rule, person, key, subject, body))
    return planned


def _row(item: Planned, at: datetime.datetime) -> Notification:
    person = item.recipient
    channel = NotificationChannel.EMAIL if person.email else NotificationChannel.TIMELINE
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
        # Nothing to send without an address: the timeline is the delivery.
        sent_at=at if channel == NotificationChannel.TIMELINE else None,
        next_attempt_at=at + REQUEUE_AFTER if channel == NotificationChannel.EMAIL else None,
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
    ids = [row.pk for row in created if row.channel == NotificationChannel.EMAIL]
    if ids:
        transaction.on_commit(functools.partial(queue_sending, ids))
    return created


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
