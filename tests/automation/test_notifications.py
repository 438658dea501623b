"""Notifications: on the timeline, created once, sent once, retried after a crash."""

import datetime
from typing import Any

import pytest
from django.core.mail import EmailMessage
from pytest_django.fixtures import Settings

from servicedesk.automation import notify
from servicedesk.automation.models import Notification, NotificationChannel, Rule
from servicedesk.automation.notify import notification_plan, notifications_deliver
from servicedesk.automation.raci import Recipient
from servicedesk.tickets import selectors, services
from servicedesk.tickets.models import Status, Ticket
from tests.automation.conftest import Tick
from tests.automation.helpers import DAY, Desk, at, local

pytestmark = pytest.mark.django_db
T0 = local(2026, 6, 1, 10, 0)


def reminded(desk: Desk, run_tick: Tick) -> Ticket:
    """A ticket waiting on the customer since T0, unassigned, ticked at day 7 (both rules)."""
    with at(T0):
        ticket = services.ticket_create(requester=desk.requester, title="Invoices do not print")
        services.ticket_assign(ticket=ticket, actor=desk.lead, assignee=None, team=desk.team)
        services.ticket_transition(
            ticket=ticket, actor=desk.lead, status=Status.WAITING_ON_CUSTOMER, note="Which?"
        )
    with at(T0 + 7 * DAY):
        run_tick()
    return ticket


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
        ticket = services.ticket_create(requester=desk.requester, title="Hello")
    person = Recipient("team_lead", "Lea", desk.lead.email, "en", user_id=desk.lead.pk)
    for _ in range(3):
        planned = notification_plan(
            ticket, rule=Rule.UNASSIGNED_ALERT, people=[person], occurrence="t1"
        )
        notify.notifications_record(planned, at=T0)
    assert Notification.objects.filter(ticket=ticket).count() == 1


def test_it_sends_a_notification_once_however_often_it_is_delivered(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = reminded(desk, run_tick)
    ids = list(Notification.objects.filter(ticket=ticket).values_list("pk", flat=True))
    assert len(mailoutbox) == len(ids) == 2
    assert notifications_deliver(ids) == 0
    assert notifications_deliver(ids, worker="other") == 0
    assert len(mailoutbox) == 2
    assert all(n.sent_at == T0 + 7 * DAY for n in Notification.objects.filter(ticket=ticket))


def test_it_marks_mail_as_automatic_with_a_stable_message_id(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = reminded(desk, run_tick)
    mail = next(m for m in mailoutbox if m.to == [desk.requester.email])
    notification = Notification.objects.get(ticket=ticket, rule=Rule.REMINDER_1)
    assert mail.extra_headers["Message-ID"] == (
        f"<notification.{notification.pk}.{ticket.number}@localhost>"
    )
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"


def test_it_requeues_a_notification_whose_task_was_lost(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any], settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    reminded(desk, run_tick)  # queued, never run
    assert mailoutbox == []
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with at(T0 + 7 * DAY + notify.REQUEUE_AFTER):
        assert run_tick().requeued == 2
        assert run_tick().requeued == 0
    assert len(mailoutbox) == 2


def test_it_retries_after_a_worker_died_holding_the_claim(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any], settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    ticket = reminded(desk, run_tick)
    crashed = T0 + 7 * DAY  # claimed, then the worker died before sending
    Notification.objects.filter(ticket=ticket).update(
        claimed_at=crashed, attempts=1, next_attempt_at=crashed + notify.LEASE
    )
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    with at(crashed + notify.REQUEUE_AFTER):
        assert run_tick().requeued == 0  # the claim still holds
    with at(crashed + notify.LEASE):
        assert run_tick().requeued == 2
    assert len(mailoutbox) == 2
    assert set(Notification.objects.values_list("attempts", flat=True)) == {2}


def test_it_retries_a_failed_send_with_back_off_and_gives_up_in_the_end(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: EmailMessage, *args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    ticket = reminded(desk, run_tick)
    failing = Notification.objects.filter(ticket=ticket, rule=Rule.REMINDER_1)
    first = failing.get()
    assert (first.attempts, first.last_error) == (1, "SMTP server down")
    assert first.next_attempt_at == T0 + 7 * DAY + notify.backoff(1)
    moment = T0 + 7 * DAY
    for attempt in range(1, notify.MAX_ATTEMPTS):
        moment += notify.backoff(attempt)
        with at(moment - datetime.timedelta(seconds=1)):
            assert run_tick().requeued == 0
        with at(moment):
            assert run_tick().requeued == 2  # the reminder and the lead's alert
    given_up = failing.get()
    assert (given_up.attempts, given_up.sent_at, given_up.next_attempt_at) == (10, None, None)
    assert given_up.failed_at is not None
    assert moment - T0 - 7 * DAY > datetime.timedelta(hours=20)
    monkeypatch.undo()
    with at(moment + DAY):
        assert run_tick().requeued == 0
    assert mailoutbox == []


def test_it_records_a_recipient_without_address_on_the_timeline_only(desk: Desk) -> None:
    with at(T0):
        ticket = services.ticket_create(requester=desk.requester, title="Hello")
    person = Recipient("team_lead", "Lea", "", "en", user_id=desk.lead.pk)
    planned = notification_plan(ticket, rule=Rule.UNASSIGNED_ALERT, people=[person], occurrence="x")
    (row,) = notify.notifications_record(planned, at=T0)
    assert (row.channel, row.sent_at) == (NotificationChannel.TIMELINE, T0)
