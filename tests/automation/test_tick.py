"""The tick reads due rows by index, works in batches, and retries a failing rule."""

import datetime
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from servicedesk.automation import rules
from servicedesk.automation.models import ActionKind, ActionOutcome, ScheduledAction
from servicedesk.automation.tick import tick
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.outbox.services import MAX_ATTEMPTS, backoff
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket
from tests.automation.conftest import Tick
from tests.automation.helpers import DAY, Desk, at, committed, kinds_of, local
from tests.factories import ContactFactory, complete_details

pytestmark = pytest.mark.django_db
T0 = local(2026, 6, 1, 10, 0)


def waiting_tickets(count: int) -> list[Ticket]:
    """Tickets waiting on the customer since T0, assigned (so only reminders are due); made
    as requests make them, so each requester's confirmation and the desk's question are
    sent on commit."""
    tickets = []
    with at(T0), committed():
        for _ in range(count):
            ticket = services.ticket_create(
                requester=ContactFactory(), title="Wait", details=complete_details()
            )
            ScheduledAction.objects.filter(ticket=ticket).delete()  # no unassigned alert
            services.ticket_transition(
                ticket=ticket, actor=None, status=Status.WAITING_ON_CUSTOMER, note="Which?"
            )
            tickets.append(ticket)
    return tickets


def test_it_does_not_look_at_tickets_with_nothing_due(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    waiting_tickets(10)
    with at(T0 + 6 * DAY), django_assert_num_queries(8):
        # due actions, due SLA checks, due outage work, proposals due a reminder or lapse,
        # the outbox's unsent notifications and unsent mail (+ a savepoint pair)
        report = tick()
    assert report.actions == 0


def test_it_handles_a_batch_in_a_constant_number_of_queries(
    django_assert_max_num_queries: Any, run_tick: Tick, mailoutbox: list[Any]
) -> None:
    counts = []
    for count in (3, 30):
        ScheduledAction.objects.all().delete()
        waiting_tickets(count)
        with at(T0 + 7 * DAY), django_assert_max_num_queries(26) as context:
            # due rows, lock, actions, mark done, pending closes, RACI, outcome, dedupe,
            # notifications, events, the reminders' mail (dedupe, insert), due outage work
            # and proposals, unsent notifications and mail, savepoints; the sending runs
            # after commit, in a task
            assert tick(batch_size=100).actions == count
        counts.append(len(context.captured_queries))
        assert OutboundMail.objects.filter(kind=OutboundKind.REMINDER).count() == count
        OutboundMail.objects.all().delete()
    assert counts[0] == counts[1]


def test_it_works_through_more_due_actions_than_a_batch(
    run_tick: Tick, mailoutbox: list[Any]
) -> None:
    waiting_tickets(7)
    assert kinds_of(mailoutbox) == [OutboundKind.TICKET_CREATED, OutboundKind.STATUS_CHANGED] * 7
    mailoutbox.clear()
    with at(T0 + 7 * DAY):
        assert run_tick(batch_size=3).actions == 7
    assert kinds_of(mailoutbox) == [OutboundKind.REMINDER] * 7
    assert len({mail.to[0] for mail in mailoutbox}) == 7


def test_it_retries_a_failing_rule_later_and_gives_up_in_the_end(
    desk: Desk, run_tick: Tick, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(action: ScheduledAction, batch: rules.Batch) -> rules.Result:
        raise RuntimeError("template missing")

    monkeypatch.setitem(rules.HANDLERS, ActionKind.REMINDER_1, broken)
    (ticket,) = waiting_tickets(1)
    moment = T0 + 7 * DAY
    with at(moment):
        assert run_tick().failed == 1
    reminder = ScheduledAction.objects.get(ticket=ticket, kind=ActionKind.REMINDER_1)
    assert (reminder.done_at, reminder.attempts, reminder.last_error) == (
        None,
        1,
        "template missing",
    )
    assert reminder.due_at == moment + backoff(1)  # the outbox's back-off
    for attempt in range(2, MAX_ATTEMPTS + 1):
        moment += backoff(attempt - 1)
        with at(moment - datetime.timedelta(seconds=1)):
            assert run_tick().failed == 0  # not due yet
        with at(moment):
            assert run_tick().failed == 1
    reminder.refresh_from_db()
    assert (reminder.outcome, reminder.attempts) == (ActionOutcome.FAILED, MAX_ATTEMPTS)
    assert reminder.done_at is not None
    with at(moment + DAY):
        assert run_tick().failed == 0


def test_it_redoes_a_batch_whose_worker_died_before_the_commit(
    run_tick: Tick, mailoutbox: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from servicedesk.automation import tick as tick_module

    def die(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    waiting_tickets(2)
    mailoutbox.clear()
    monkeypatch.setattr(tick_module, "notifications_record", die)
    with at(T0 + 7 * DAY), pytest.raises(OperationalError):
        run_tick()
    assert not ScheduledAction.objects.filter(done_at__isnull=False).exists()
    assert not OutboundMail.objects.filter(kind=OutboundKind.REMINDER).exists()
    monkeypatch.undo()
    with at(T0 + 7 * DAY + DAY):
        assert run_tick().actions == 2
        assert run_tick().actions == 0
    assert kinds_of(mailoutbox) == [OutboundKind.REMINDER] * 2
