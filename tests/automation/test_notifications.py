"""Notifications: on the timeline, created once, sent once, retried after a crash.

The customer's reminder is mailed by the e-mail channel (an `OutboundMail`, with its own
retries); the team lead's alert by the notification layer.
"""

import datetime
from typing import Any

import pytest
from django.core.mail import EmailMessage
from pytest_django.fixtures import Settings

from servicedesk.automation import notify
from servicedesk.automation.models import Notification, NotificationChannel, Rule
from servicedesk.automation.notify import (
    mail_dedupe_key,
    notification_plan,
    notifications_deliver,
)
from servicedesk.automation.raci import Recipient
from servicedesk.automation.texts import About
from servicedesk.mail import outbound
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.outbox.services import LEASE, MAX_ATTEMPTS, REQUEUE_AFTER, backoff
from servicedesk.tickets import selectors, services
from servicedesk.tickets.models import Status, Ticket
from tests.automation.conftest import Tick
from tests.automation.helpers import DAY, Desk, at, committed, kinds_of, local
from tests.factories import complete_details

pytestmark = pytest.mark.django_db
T0 = local(2026, 6, 1, 10, 0)
NONE = {"notification": 0, "mail": 0}  # nothing requeued


def waiting(desk: Desk) -> Ticket:
    """A ticket waiting on the customer since T0, unassigned, made as requests make it:
    the requester's confirmation and the lead's question are queued (and sent) on commit."""
    with at(T0), committed():
        ticket = services.ticket_create(
            requester=desk.requester, title="Invoices do not print", details=complete_details()
        )
        services.ticket_assign(ticket=ticket, actor=desk.lead, assignee=None, team=desk.team)
        services.ticket_transition(
            ticket=ticket, actor=desk.lead, status=Status.WAITING_ON_CUSTOMER, note="Which?"
        )
    return ticket


def reminded(desk: Desk, run_tick: Tick) -> Ticket:
    """The waiting ticket ticked at day 7: the customer's reminder and the lead's alert."""
    ticket = waiting(desk)
    with at(T0 + 7 * DAY):
        run_tick()
    return ticket


def reminder_mail(ticket: Ticket) -> OutboundMail:
    return OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.REMINDER)


def test_it_shows_customers_their_own_notifications_but_not_internal_alerts(
    desk: Desk, run_tick: Tick
) -> None:
    ticket = reminded(desk, run_tick)
    staff_view = selectors.events_visible_to(desk.agent, ticket)
    assert {(e.action, e.field) for e in staff_view.filter(action__startswith="notified")} == {
        ("notified", Rule.REMINDER_1),
        ("notified_staff", Rule.UNASSIGNED_ALERT),
    }
    customer = desk.requester.user
    assert customer is not None
    customer_view = selectors.events_visible_to(customer, ticket)
    notified = customer_view.filter(action__startswith="notified")
    assert [(e.action, e.new_value) for e in notified] == [("notified", desk.requester.email)]


def test_it_creates_a_notification_once_however_often_a_rule_runs(desk: Desk) -> None:
    with at(T0):
        ticket = services.ticket_create(
            requester=desk.requester, title="Hello", details=complete_details()
        )
    person = Recipient("team_lead", "Lea", desk.lead.email, "en", user_id=desk.lead.pk)
    for _ in range(3):
        planned = notification_plan(
            ticket, rule=Rule.UNASSIGNED_ALERT, people=[person], occurrence="t1"
        )
        notify.notifications_record(planned, at=T0)
    assert Notification.objects.filter(ticket=ticket).count() == 1


def test_it_mails_a_customer_notification_once_however_often_it_is_recorded(
    desk: Desk, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk)
    mailoutbox.clear()
    requester = desk.requester
    person = Recipient(
        "customer", requester.name, requester.email, requester.language, contact_id=requester.pk
    )
    about = About(waiting_for=Status.WAITING_ON_CUSTOMER, since=T0, close_on=T0 + 21 * DAY)
    for _ in range(3):
        planned = notification_plan(
            ticket, rule=Rule.REMINDER_1, people=[person], occurrence="a1", about=about
        )
        with committed():
            notify.notifications_record(planned, at=T0 + 7 * DAY)
    notification = Notification.objects.get(ticket=ticket)
    assert (notification.channel, notification.sent_at) == (NotificationChannel.EMAIL, T0 + 7 * DAY)
    mail = reminder_mail(ticket)
    assert mail.dedupe_key == mail_dedupe_key(notification)
    assert kinds_of(mailoutbox) == [OutboundKind.REMINDER]
    # Its dedupe key makes the hook a no-op for this notification from now on.
    assert outbound.mail_on_reminder(ticket, which=1, dedupe_key=mail.dedupe_key) is None


def test_it_sends_a_notification_once_however_often_it_is_delivered(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = reminded(desk, run_tick)
    ids = list(Notification.objects.filter(ticket=ticket).values_list("pk", flat=True))
    mails = list(OutboundMail.objects.filter(ticket=ticket).values_list("pk", flat=True))
    sent = [
        OutboundKind.TICKET_CREATED,
        OutboundKind.STATUS_CHANGED,  # the question
        "notification",
        OutboundKind.REMINDER,
    ]
    assert kinds_of(mailoutbox) == sent
    assert (len(ids), len(mails)) == (2, 3)  # reminder, alert; confirmation, question, reminder
    assert notifications_deliver(ids) == 0
    assert notifications_deliver(ids, worker="other") == 0
    assert outbound.mail_deliver(mails) == 0
    assert kinds_of(mailoutbox) == sent
    assert all(n.sent_at == T0 + 7 * DAY for n in Notification.objects.filter(ticket=ticket))


def test_it_marks_mail_as_automatic_with_a_stable_message_id(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = reminded(desk, run_tick)
    alert = next(m for m in mailoutbox if m.to == [desk.lead.email])
    notification = Notification.objects.get(ticket=ticket, rule=Rule.UNASSIGNED_ALERT)
    assert alert.extra_headers["Message-ID"] == (
        f"<notification.{notification.pk}.{ticket.number}@localhost>"
    )
    assert alert.extra_headers["Auto-Submitted"] == "auto-generated"
    # The reminder's Message-ID is stored with it, so every attempt sends the same one.
    reminder = mailoutbox[kinds_of(mailoutbox).index(OutboundKind.REMINDER)]
    assert reminder.to == [desk.requester.email]
    assert reminder.extra_headers["Message-ID"] == f"<{reminder_mail(ticket).message_id}>"
    assert reminder.extra_headers["Auto-Submitted"] == "auto-generated"


def test_it_requeues_a_notification_whose_task_was_lost(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any], settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    reminded(desk, run_tick)  # queued, never run
    assert mailoutbox == []
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with at(T0 + 7 * DAY + REQUEUE_AFTER):
        report = run_tick()
        # The alert; the confirmation, the question and the reminder.
        assert report.requeued == {"notification": 1, "mail": 3}
        report = run_tick()
        assert report.requeued == NONE
    told = [OutboundKind.TICKET_CREATED, OutboundKind.STATUS_CHANGED, OutboundKind.REMINDER]
    assert sorted(kinds_of(mailoutbox)) == sorted([*told, "notification"])


def test_it_retries_after_a_worker_died_holding_the_claim(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any], settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    ticket = reminded(desk, run_tick)
    crashed = T0 + 7 * DAY  # claimed, then the worker died before sending
    claim = {"claimed_at": crashed, "attempts": 1, "next_attempt_at": crashed + LEASE}
    alert = Notification.objects.filter(ticket=ticket, rule=Rule.UNASSIGNED_ALERT)
    assert alert.update(**claim) == 1
    mails = OutboundMail.objects.filter(ticket=ticket)
    assert mails.update(**claim) == 3  # the confirmation, the question and the reminder
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with at(crashed + REQUEUE_AFTER):
        report = run_tick()
        assert report.requeued == NONE  # the claims still hold
    with at(crashed + LEASE):
        report = run_tick()
        assert report.requeued == {"notification": 1, "mail": 3}
    assert len(mailoutbox) == 4
    assert (alert.get().attempts, alert.get().sent_at) == (2, crashed + LEASE)
    assert set(mails.values_list("attempts", flat=True)) == {2}
    assert not mails.filter(sent_at__isnull=True).exists()


def test_it_retries_a_failed_send_with_back_off_and_gives_up_in_the_end(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: EmailMessage, *args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("SMTP server down")

    ticket = waiting(desk)  # its confirmation is sent
    mailoutbox.clear()
    monkeypatch.setattr(EmailMessage, "send", refuse)  # EmailMultiAlternatives' too
    with at(T0 + 7 * DAY):
        run_tick()
    alert = Notification.objects.filter(ticket=ticket, rule=Rule.UNASSIGNED_ALERT)
    reminder = OutboundMail.objects.filter(ticket=ticket, kind=OutboundKind.REMINDER)
    first, first_mail = alert.get(), reminder.get()
    for row in (first, first_mail):  # one outbox: the same attempts, error and back-off
        assert (row.attempts, row.last_error) == (1, "ConnectionRefusedError: SMTP server down")
        assert row.next_attempt_at == T0 + 7 * DAY + backoff(1)
    moment = T0 + 7 * DAY
    for attempt in range(1, MAX_ATTEMPTS):
        moment += backoff(attempt)
        with at(moment - datetime.timedelta(seconds=1)):
            report = run_tick()
            assert report.requeued == NONE
        with at(moment):
            report = run_tick()
            assert report.requeued == {"notification": 1, "mail": 1}  # the alert; the reminder
    for given_up in (alert.get(), reminder.get()):
        assert (given_up.attempts, given_up.sent_at, given_up.next_attempt_at) == (10, None, None)
        assert given_up.failed_at is not None
    assert moment - T0 - 7 * DAY > datetime.timedelta(hours=20)
    monkeypatch.undo()
    with at(moment + DAY):
        report = run_tick()
        assert report.requeued == NONE
    assert mailoutbox == []


def test_it_records_a_recipient_without_address_on_the_timeline_only(desk: Desk) -> None:
    with at(T0):
        ticket = services.ticket_create(
            requester=desk.requester, title="Hello", details=complete_details()
        )
    person = Recipient("team_lead", "Lea", "", "en", user_id=desk.lead.pk)
    planned = notification_plan(ticket, rule=Rule.UNASSIGNED_ALERT, people=[person], occurrence="x")
    (row,) = notify.notifications_record(planned, at=T0)
    assert (row.channel, row.sent_at) == (NotificationChannel.TIMELINE, T0)


def test_it_records_a_reminder_to_a_requester_without_address_on_the_timeline_only(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk)
    type(desk.requester).objects.filter(pk=desk.requester.pk).update(email="")
    mailoutbox.clear()
    with at(T0 + 7 * DAY):
        run_tick()
    row = Notification.objects.get(ticket=ticket, rule=Rule.REMINDER_1)
    assert (row.channel, row.sent_at) == (NotificationChannel.TIMELINE, T0 + 7 * DAY)
    assert not OutboundMail.objects.filter(ticket=ticket, kind=OutboundKind.REMINDER).exists()
    assert kinds_of(mailoutbox) == ["notification"]  # the lead's alert


def test_it_mails_a_customer_notice_as_plain_text_when_the_mail_channel_fails(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise LookupError("template missing")

    ticket = waiting(desk)
    mailoutbox.clear()
    monkeypatch.setattr(outbound, "mail_on_reminder", broken)
    with at(T0 + 7 * DAY):
        assert run_tick().failed == 0
    notification = Notification.objects.get(ticket=ticket, rule=Rule.REMINDER_1)
    assert notification.sent_at == T0 + 7 * DAY
    assert notification.attempts == 1  # sent by the notification layer
    assert not OutboundMail.objects.filter(ticket=ticket, kind=OutboundKind.REMINDER).exists()
    assert kinds_of(mailoutbox) == ["notification", "notification"]  # the reminder, the alert
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [desk.requester.email, desk.lead.email]
    )
