"""Waiting on the customer: reminders after 7 and 14 days, automatic close after 21 (002)."""

import datetime
from typing import Any

import pytest

from servicedesk.automation import schedule
from servicedesk.automation.models import (
    ActionKind,
    ActionOutcome,
    Notification,
    Rule,
    ScheduledAction,
)
from servicedesk.automation.notify import mail_dedupe_key
from servicedesk.automation.schedule import pending_actions
from servicedesk.mail import config
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.mail.quotes import REPLY_MARKERS
from servicedesk.mail.threading import read_reply_address
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from servicedesk.tickets.workflow import Outcome
from tests.automation.conftest import Tick
from tests.automation.helpers import (
    DAY,
    HOUR,
    Desk,
    at,
    committed,
    contract_for,
    kinds_of,
    local,
)
from tests.factories import complete_details

pytestmark = pytest.mark.django_db

T0 = local(2026, 6, 1, 10, 0)  # a Monday


def waiting(desk: Desk, outbox: list[Any], status: str = Status.WAITING_ON_CUSTOMER) -> Ticket:
    """A ticket, taken by the agent, that waits on the customer from T0.

    Made as requests make it: the mail that causes (the confirmation, the status changes
    the customer is told of) is sent on commit; it is checked and taken out of `outbox`.
    """
    with at(T0), committed():
        ticket = services.ticket_create(
            requester=desk.requester, title="Invoices do not print", details=complete_details()
        )
        services.ticket_assign(ticket=ticket, actor=desk.agent, assignee=desk.agent)
        services.ticket_transition(ticket=ticket, actor=desk.agent, status=Status.IN_PROGRESS)
        note = "Which administration?" if status == Status.WAITING_ON_CUSTOMER else "Try 12.1"
        services.ticket_transition(ticket=ticket, actor=desk.agent, status=status, note=note)
    # Created; in progress; the question asked (waiting) or the solution offered.
    told = [OutboundKind.TICKET_CREATED, OutboundKind.STATUS_CHANGED, OutboundKind.STATUS_CHANGED]
    assert kinds_of(outbox) == told
    outbox.clear()
    return ticket


def stored(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_it_schedules_two_reminders_and_a_close(desk: Desk, mailoutbox: list[Any]) -> None:
    ticket = waiting(desk, mailoutbox)
    assert [(a.kind, a.due_at) for a in pending_actions(ticket)] == [
        (ActionKind.REMINDER_1, T0 + 7 * DAY),
        (ActionKind.REMINDER_2, T0 + 14 * DAY),
        (ActionKind.AUTO_CLOSE, T0 + 21 * DAY),
    ]


def test_it_reminds_the_customer_at_seven_days_and_not_before(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk, mailoutbox)
    earlier = set(OutboundMail.objects.filter(ticket=ticket).values_list("message_id", flat=True))
    with at(T0 + 7 * DAY - HOUR):  # 6 days 23 hours
        assert run_tick().actions == 0
    assert mailoutbox == []
    with at(T0 + 7 * DAY):
        assert run_tick().actions == 1
    # Sent by the e-mail channel: multipart, in the contact's language, threaded, with the
    # reply marker and the ticket's signed reply address.
    (mail,) = mailoutbox
    notification = Notification.objects.get(ticket=ticket, rule=Rule.REMINDER_1)
    reminder = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.REMINDER)
    assert reminder.dedupe_key == mail_dedupe_key(notification)
    assert reminder.sent_at == T0 + 7 * DAY
    assert mail.extra_headers["Message-ID"] == f"<{reminder.message_id}>"
    assert mail.to == [desk.requester.email]
    assert mail.subject == f"[{ticket.number}] Reminder: Invoices do not print"
    assert [alternative.mimetype for alternative in mail.alternatives] == ["text/html"]
    assert mail.body.startswith(REPLY_MARKERS["en"] + "\n\n")
    assert "second reminder" not in mail.body
    assert "22 June 2026" in mail.body  # when it closes by itself
    assert read_reply_address(mail.reply_to[0], secret=config.reply_secret()) == ticket.number
    assert mail.extra_headers["Auto-Submitted"] == "auto-generated"
    assert {ref.strip("<>") for ref in mail.extra_headers["References"].split()} == earlier
    event = TicketEvent.objects.get(ticket=ticket, action="notified")
    assert (event.field, event.new_value) == ("reminder_1", desk.requester.email)


def test_it_sends_the_second_reminder_at_fourteen_days(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    waiting(desk, mailoutbox)
    for day in (7, 13, 14, 14):
        with at(T0 + day * DAY):
            run_tick()
    assert kinds_of(mailoutbox) == [OutboundKind.REMINDER, OutboundKind.REMINDER]
    first, second = mailoutbox
    assert "second reminder" not in first.body
    assert "This is a second reminder." in second.body
    assert "22 June 2026" in second.body


def test_it_closes_after_21_days_with_exactly_one_mail(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk, mailoutbox)
    with at(T0 + 14 * DAY):
        run_tick()
    mailoutbox.clear()
    with at(T0 + 21 * DAY - datetime.timedelta(seconds=1)):
        run_tick()
    assert stored(ticket).status == Status.WAITING_ON_CUSTOMER
    with at(T0 + 21 * DAY):
        run_tick()
        run_tick()
    with at(T0 + 22 * DAY):
        run_tick()
    (mail,) = mailoutbox  # the closing mail only: no status mail besides it
    notification = Notification.objects.get(ticket=ticket, rule=Rule.AUTO_CLOSE)
    closed = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.CLOSED)
    assert closed.dedupe_key == mail_dedupe_key(notification)
    assert mail.extra_headers["Message-ID"] == f"<{closed.message_id}>"
    assert mail.to == [desk.requester.email]
    assert mail.subject == f"[{ticket.number}] Closed: Invoices do not print"
    assert mail.body.startswith(REPLY_MARKERS["en"])
    assert "did not receive a reply" in mail.body
    assert "within 14 days and we will reopen" in mail.body
    after = stored(ticket)
    assert (after.status, after.closed_at) == (Status.CLOSED, T0 + 21 * DAY)
    close = TicketEvent.objects.get(ticket=ticket, action="status_changed", new_value="closed")
    assert close.actor is None
    assert "did not receive a reply" in close.note
    assert TicketEvent.objects.get(ticket=ticket, action="outcome").new_value == "no_response"


def test_it_cancels_the_close_when_the_customer_replies_on_day_20(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk, mailoutbox)
    with at(T0 + 14 * DAY):
        run_tick()
    mailoutbox.clear()
    with at(T0 + 20 * DAY), committed():
        reply = services.ticket_customer_reply(
            ticket=stored(ticket), contact=desk.requester, body="It is administration 12."
        )
    assert reply.outcome == services.ReplyOutcome.RESUMED
    with at(T0 + 21 * DAY):
        assert run_tick().actions == 0
    assert mailoutbox == []
    assert stored(ticket).status == Status.IN_PROGRESS
    close = ScheduledAction.objects.get(ticket=ticket, kind=ActionKind.AUTO_CLOSE)
    assert (close.cancelled_at, close.done_at) == (T0 + 20 * DAY, None)


def test_it_closes_an_unconfirmed_solution_likewise(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk, mailoutbox, Status.SOLUTION_OFFERED)
    for day in (7, 14, 21):
        with at(T0 + day * DAY):
            run_tick()
    reminded = [OutboundKind.REMINDER, OutboundKind.REMINDER, OutboundKind.CLOSED]
    assert kinds_of(mailoutbox) == reminded
    first, second, closed = mailoutbox
    assert "offered a solution" in first.body
    assert "This is a second reminder." in second.body
    assert "consider it solved" in second.body
    assert "consider your problem solved" in closed.body
    assert stored(ticket).status == Status.CLOSED
    outcome = TicketEvent.objects.get(ticket=ticket, action="outcome").new_value
    assert outcome == Outcome.SOLVED


def test_it_follows_the_contracts_settings(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    contract_for(
        desk.requester,
        reminder_1_after=2 * DAY,
        reminder_2_after=None,
        auto_close_after=5 * DAY,
    )
    ticket = waiting(desk, mailoutbox)
    assert [(a.kind, a.due_at) for a in pending_actions(ticket)] == [
        (ActionKind.REMINDER_1, T0 + 2 * DAY),
        (ActionKind.AUTO_CLOSE, T0 + 5 * DAY),
    ]
    for day in (2, 5):
        with at(T0 + day * DAY):
            run_tick()
    assert kinds_of(mailoutbox) == [OutboundKind.REMINDER, OutboundKind.CLOSED]
    assert stored(ticket).status == Status.CLOSED


def test_it_never_closes_when_the_contract_switches_it_off(
    desk: Desk, mailoutbox: list[Any]
) -> None:
    contract_for(desk.requester, auto_close_after=None)
    ticket = waiting(desk, mailoutbox)
    kinds = [a.kind for a in pending_actions(ticket)]
    assert kinds == [ActionKind.REMINDER_1, ActionKind.REMINDER_2]


def test_it_sends_only_the_latest_step_after_the_worker_was_down(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk, mailoutbox)
    with at(T0 + 15 * DAY):
        assert run_tick().actions == 2
    (mail,) = mailoutbox
    assert kinds_of(mailoutbox) == [OutboundKind.REMINDER]
    assert "This is a second reminder." in mail.body
    outcomes = dict(
        ScheduledAction.objects.filter(ticket=ticket, done_at__isnull=False).values_list(
            "kind", "outcome"
        )
    )
    assert outcomes == {
        ActionKind.REMINDER_1: ActionOutcome.SUPERSEDED,
        ActionKind.REMINDER_2: ActionOutcome.DONE,
    }


def test_it_starts_again_on_a_new_wait(desk: Desk, run_tick: Tick, mailoutbox: list[Any]) -> None:
    ticket = waiting(desk, mailoutbox)
    with at(T0 + 3 * DAY), committed():
        services.ticket_customer_reply(ticket=ticket, contact=desk.requester, body="Admin 12")
        services.ticket_transition(
            ticket=ticket, actor=desk.agent, status=Status.WAITING_ON_CUSTOMER, note="And 13?"
        )
    with at(T0 + 7 * DAY):
        assert run_tick().actions == 0
    with at(T0 + 10 * DAY):
        assert run_tick().actions == 1
    # The new question, then the first reminder of the new wait.
    assert kinds_of(mailoutbox) == [OutboundKind.STATUS_CHANGED, OutboundKind.REMINDER]
    cancelled = ScheduledAction.objects.filter(ticket=ticket, cancelled_at=T0 + 3 * DAY)
    assert sorted(cancelled.values_list("kind", flat=True)) == sorted(schedule.CHAIN)


def test_it_leaves_a_ticket_alone_that_no_longer_waits(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk, mailoutbox)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.IN_PROGRESS)  # behind our back
    with at(T0 + 7 * DAY):
        run_tick()
    assert mailoutbox == []
    reminder = ScheduledAction.objects.get(ticket=ticket, kind=ActionKind.REMINDER_1)
    assert reminder.outcome == ActionOutcome.OBSOLETE


def test_it_cancels_everything_when_the_desk_closes_the_ticket(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk, mailoutbox)
    with at(T0 + DAY), committed():
        services.ticket_transition(
            ticket=ticket, actor=desk.agent, status=Status.CLOSED, outcome=Outcome.WITHDRAWN
        )
    assert pending_actions(ticket) == []
    assert kinds_of(mailoutbox) == [OutboundKind.CLOSED]  # the desk's own closing mail
    mailoutbox.clear()
    with at(T0 + 21 * DAY):
        assert run_tick().actions == 0
    assert mailoutbox == []
