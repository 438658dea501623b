"""The tick closes a batch's unanswered tickets together: the same result as one by one,
in a number of statements that does not grow with the batch."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicedesk.automation.models import ActionOutcome, ScheduledAction
from servicedesk.automation.schedule import pending_actions
from servicedesk.automation.tick import tick
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.tickets import services
from servicedesk.tickets.models import ClockState, Status, Ticket, TicketClock, TicketEvent
from tests.automation.conftest import Tick
from tests.automation.helpers import DAY, Desk, at, contract_for
from tests.automation.test_waiting import T0, waiting

pytestmark = pytest.mark.django_db


def waiting_tickets(desk: Desk, outbox: list[Any], count: int) -> list[Ticket]:
    """`count` tickets waiting from T0: on the customer, every third on a solution's
    confirmation."""
    contract_for(desk.requester)
    return [
        waiting(desk, outbox, Status.SOLUTION_OFFERED if n % 3 == 2 else Status.WAITING_ON_CUSTOMER)
        for n in range(count)
    ]


def test_it_closes_a_batch_as_it_closes_one(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    tickets = waiting_tickets(desk, mailoutbox, 3)
    with at(T0 + 21 * DAY):
        report = run_tick()
    assert report.failed == 0
    for ticket in tickets:
        ticket.refresh_from_db()
        assert (ticket.status, ticket.closed_at) == (Status.CLOSED, T0 + 21 * DAY)
        outcome = TicketEvent.objects.get(ticket=ticket, action="outcome").new_value
        solved = ticket.pk == tickets[2].pk
        assert outcome == ("solved" if solved else "no_response")
        assert pending_actions(ticket) == []
        # The close stopped the clocks: nothing runs, nothing is due.
        states = set(TicketClock.objects.filter(ticket=ticket).values_list("state", flat=True))
        assert ClockState.RUNNING not in states
        assert (ticket.sla_due_at, ticket.sla_next_check_at) == (None, None)
        assert OutboundMail.objects.filter(ticket=ticket, kind=OutboundKind.CLOSED).count() == 1
    assert sorted(mail.to[0] for mail in mailoutbox) == [desk.requester.email] * 3


def closing_statements(desk: Desk, run_tick: Tick, outbox: list[Any], count: int) -> int:
    outbox.clear()
    waiting_tickets(desk, outbox, count)
    # The reminders went out before: the tick at day 21 has only the closes to do.
    with at(T0 + 14 * DAY):
        run_tick()
    with at(T0 + 21 * DAY), CaptureQueriesContext(connection) as queries:
        report = tick()  # the sending that follows the commit is per mail: not counted
    assert report.actions == count
    return len(queries)


def test_the_statements_of_a_batch_of_closes_do_not_grow_with_it(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    three = closing_statements(desk, run_tick, mailoutbox, 3)  # closed: out of the next count
    six = closing_statements(desk, run_tick, mailoutbox, 6)
    assert six == three
    assert Ticket.objects.filter(status=Status.CLOSED).count() == 9


def test_a_refused_batch_is_closed_one_by_one(
    desk: Desk, run_tick: Tick, mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets = waiting_tickets(desk, mailoutbox, 3)
    together = services.tickets_transition

    def refuse_batches(moves: list[services.Move], **kwargs: Any) -> list[Ticket]:
        if len(moves) > 1:
            raise ValidationError({"status": ["refused in a batch"]})
        return together(moves, **kwargs)

    monkeypatch.setattr(services, "tickets_transition", refuse_batches)
    with at(T0 + 21 * DAY):
        report = run_tick()
    assert report.failed == 0
    assert set(Ticket.objects.values_list("status", flat=True)) == {Status.CLOSED}
    closes = ScheduledAction.objects.filter(ticket__in=tickets, kind="auto_close")
    assert set(closes.values_list("outcome", flat=True)) == {ActionOutcome.DONE}
    assert TicketEvent.objects.filter(action="outcome").count() == 3
