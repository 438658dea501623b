"""Waiting on the customer: reminders after 7 and 14 days, automatic close after 21 (002)."""

import datetime
from typing import Any

import pytest

from servicedesk.automation import schedule
from servicedesk.automation.models import ActionKind, ActionOutcome, ScheduledAction
from servicedesk.automation.schedule import pending_actions
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from servicedesk.tickets.workflow import Outcome
from tests.automation.conftest import Tick
from tests.automation.helpers import DAY, HOUR, Desk, at, contract_for, local

pytestmark = pytest.mark.django_db

T0 = local(2026, 6, 1, 10, 0)  # a Monday


def waiting(desk: Desk, status: str = Status.WAITING_ON_CUSTOMER) -> Ticket:
    """A ticket, taken by the agent, that waits on the customer from T0."""
    with at(T0):
        ticket = services.ticket_create(requester=desk.requester, title="Invoices do not print")
        services.ticket_assign(ticket=ticket, actor=desk.agent, assignee=desk.agent)
        services.ticket_transition(ticket=ticket, actor=desk.agent, status=Status.IN_PROGRESS)
        note = "Which administration?" if status == Status.WAITING_ON_CUSTOMER else "Try 12.1"
        services.ticket_transition(ticket=ticket, actor=desk.agent, status=status, note=note)
    return ticket


def stored(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_it_schedules_two_reminders_and_a_close(desk: Desk) -> None:
    ticket = waiting(desk)
    assert [(a.kind, a.due_at) for a in pending_actions(ticket)] == [
        (ActionKind.REMINDER_1, T0 + 7 * DAY),
        (ActionKind.REMINDER_2, T0 + 14 * DAY),
        (ActionKind.AUTO_CLOSE, T0 + 21 * DAY),
    ]


def test_it_reminds_the_customer_at_seven_days_and_not_before(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk)
    with at(T0 + 7 * DAY - HOUR):  # 6 days 23 hours
        assert run_tick().actions == 0
    assert mailoutbox == []
    with at(T0 + 7 * DAY):
        assert run_tick().actions == 1
    (mail,) = mailoutbox
    assert mail.to == [desk.requester.email]
    assert (
        mail.subject
        == f"[{ticket.number}] Reminder: ticket {ticket.number} is waiting for your reply"
    )
    assert "22 June 2026" in mail.body  # when it closes by itself
    event = TicketEvent.objects.get(ticket=ticket, action="notified")
    assert (event.field, event.new_value) == ("reminder_1", desk.requester.email)


def test_it_sends_the_second_reminder_at_fourteen_days(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    waiting(desk)
    for day in (7, 13, 14, 14):
        with at(T0 + day * DAY):
            run_tick()
    assert [m.subject.split("] ")[1].split(":")[0] for m in mailoutbox] == [
        "Reminder",
        "Second reminder",
    ]


def test_it_closes_after_21_days_with_exactly_one_mail(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk)
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
    (mail,) = mailoutbox
    assert mail.to == [desk.requester.email]
    assert mail.subject == f"[{ticket.number}] Ticket {ticket.number} has been closed"
    assert "did not receive a reply" in mail.body
    assert "within 14 days to reopen" in mail.body
    after = stored(ticket)
    assert (after.status, after.closed_at) == (Status.CLOSED, T0 + 21 * DAY)
    close = TicketEvent.objects.get(ticket=ticket, action="status_changed", new_value="closed")
    assert close.actor is None
    assert "did not receive a reply" in close.note
    assert TicketEvent.objects.get(ticket=ticket, action="outcome").new_value == "no_response"


def test_it_cancels_the_close_when_the_customer_replies_on_day_20(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk)
    with at(T0 + 14 * DAY):
        run_tick()
    mailoutbox.clear()
    with at(T0 + 20 * DAY):
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
    ticket = waiting(desk, Status.SOLUTION_OFFERED)
    for day in (7, 14, 21):
        with at(T0 + day * DAY):
            run_tick()
    first, second, closed = mailoutbox
    assert "offered a solution" in first.body
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
    ticket = waiting(desk)
    assert [(a.kind, a.due_at) for a in pending_actions(ticket)] == [
        (ActionKind.REMINDER_1, T0 + 2 * DAY),
        (ActionKind.AUTO_CLOSE, T0 + 5 * DAY),
    ]
    for day in (2, 5):
        with at(T0 + day * DAY):
            run_tick()
    assert len(mailoutbox) == 2
    assert stored(ticket).status == Status.CLOSED


def test_it_never_closes_when_the_contract_switches_it_off(desk: Desk) -> None:
    contract_for(desk.requester, auto_close_after=None)
    ticket = waiting(desk)
    kinds = [a.kind for a in pending_actions(ticket)]
    assert kinds == [ActionKind.REMINDER_1, ActionKind.REMINDER_2]


def test_it_sends_only_the_latest_step_after_the_worker_was_down(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk)
    with at(T0 + 15 * DAY):
        assert run_tick().actions == 2
    (mail,) = mailoutbox
    assert mail.subject.split("] ")[1].startswith("Second reminder")
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
    ticket = waiting(desk)
    with at(T0 + 3 * DAY):
        services.ticket_customer_reply(ticket=ticket, contact=desk.requester, body="Admin 12")
        services.ticket_transition(
            ticket=ticket, actor=desk.agent, status=Status.WAITING_ON_CUSTOMER, note="And 13?"
        )
    with at(T0 + 7 * DAY):
        assert run_tick().actions == 0
    with at(T0 + 10 * DAY):
        assert run_tick().actions == 1
    assert len(mailoutbox) == 1
    cancelled = ScheduledAction.objects.filter(ticket=ticket, cancelled_at=T0 + 3 * DAY)
    assert sorted(cancelled.values_list("kind", flat=True)) == sorted(schedule.CHAIN)


def test_it_leaves_a_ticket_alone_that_no_longer_waits(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    ticket = waiting(desk)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.IN_PROGRESS)  # behind our back
    with at(T0 + 7 * DAY):
        run_tick()
    assert mailoutbox == []
    reminder = ScheduledAction.objects.get(ticket=ticket, kind=ActionKind.REMINDER_1)
    assert reminder.outcome == ActionOutcome.OBSOLETE


def test_it_cancels_everything_when_the_desk_closes_the_ticket(desk: Desk) -> None:
    ticket = waiting(desk)
    with at(T0 + DAY):
        services.ticket_transition(
            ticket=ticket, actor=desk.agent, status=Status.CLOSED, outcome=Outcome.WITHDRAWN
        )
    assert pending_actions(ticket) == []
