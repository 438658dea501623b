"""The "Stale and breached" queue: open tickets outside their SLA, or without an update for
their contract's N working days in its business calendar."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicedesk.opsreports.scope import report_scope
from servicedesk.opsreports.selectors import stale_and_breached, stale_counts
from servicedesk.tickets import services
from servicedesk.tickets.models import ClockState, Status, Ticket, TicketClock
from tests.automation.helpers import at, committed, local
from tests.factories import BusinessCalendarFactory, ContactFactory
from tests.opsreports.conftest import World, ticket_at

pytestmark = pytest.mark.django_db

FRIDAY = local(2026, 6, 5, 10, 0)
MINUTE = datetime.timedelta(minutes=1)


def flags(
    world: World, *, now: datetime.datetime, user: object = None
) -> dict[str, tuple[bool, bool]]:
    """Return (outside SLA, no update) of each ticket in the queue, by number."""
    tickets = stale_and_breached(report_scope(user or world.manager), now=now)
    return {t.number: (t.is_breached, t.is_stale) for t in tickets}  # type: ignore[attr-defined]


def set_days(world: World, a: int, b: int) -> None:
    for customer, days in ((world.a, a), (world.b, b)):
        customer.contract.stale_after_days = days
        customer.contract.save(update_fields=["stale_after_days"])


def test_a_weekend_is_not_working_days(world: World) -> None:
    # Alpha counts in its own calendar (Mon-Fri, Dutch holidays), Bravo in its service level's.
    world.a.contract.calendar = BusinessCalendarFactory()
    world.a.contract.save(update_fields=["calendar"])
    set_days(world, a=1, b=3)
    alpha = ticket_at(FRIDAY, world.a.requester, product=world.payroll)
    bravo = ticket_at(FRIDAY, world.b.requester, product=world.payroll)
    monday, wednesday = FRIDAY + datetime.timedelta(days=3), FRIDAY + datetime.timedelta(days=5)

    assert alpha.number not in flags(world, now=monday - MINUTE)
    assert flags(world, now=monday + MINUTE)[alpha.number][1] is True  # one working day
    # Friday to Monday is one working day, not three.
    assert bravo.number not in flags(world, now=monday + MINUTE)
    assert bravo.number not in flags(world, now=wednesday - MINUTE)
    assert flags(world, now=wednesday + MINUTE)[bravo.number][1] is True


def test_a_public_holiday_is_not_a_working_day(world: World) -> None:
    set_days(world, a=1, b=1)
    # Whit Monday 2026 is 25 May, a Dutch public holiday: Friday 22nd to Tuesday 26th is one
    # working day.
    friday = local(2026, 5, 22, 10, 0)
    ticket = ticket_at(friday, world.a.requester, product=world.payroll)
    tuesday = local(2026, 5, 26, 10, 0)

    assert ticket.number not in flags(world, now=tuesday - MINUTE)
    assert flags(world, now=tuesday + MINUTE)[ticket.number] == (False, True)


def test_an_update_restarts_the_count(world: World) -> None:
    set_days(world, a=2, b=5)
    ticket = ticket_at(FRIDAY, world.a.requester, product=world.payroll)
    monday = FRIDAY + datetime.timedelta(days=3)
    with at(monday), committed():
        services.ticket_add_message(ticket=ticket, body="Still on it", author=world.agent)
    tuesday = monday + datetime.timedelta(days=1)

    assert flags(world, now=tuesday + MINUTE).get(ticket.number, (False, False))[1] is False
    assert flags(world, now=tuesday + datetime.timedelta(days=1, minutes=1))[ticket.number][1]


def test_each_contract_has_its_own_number_of_days_and_zero_switches_it_off(world: World) -> None:
    set_days(world, a=2, b=0)
    alpha = ticket_at(FRIDAY, world.a.requester, product=world.payroll)
    bravo = ticket_at(FRIDAY, world.b.requester, product=world.payroll)
    # Without a contract: the default, 5 working days.
    loner = ticket_at(FRIDAY, ContactFactory(), product=None, requested_priority="normal")
    later = FRIDAY + datetime.timedelta(days=4, minutes=1)  # Tuesday: two working days on

    found = flags(world, now=later)
    assert found[alpha.number][1] is True
    assert bravo.number not in found
    assert loner.number not in found
    assert flags(world, now=FRIDAY + datetime.timedelta(days=7, minutes=1))[loner.number][1]


def test_closed_tickets_are_never_stale(world: World) -> None:
    set_days(world, a=1, b=1)
    ticket = ticket_at(FRIDAY, world.a.requester, product=world.payroll)
    with at(FRIDAY + MINUTE), committed():
        services.ticket_transition(
            ticket=ticket, actor=world.agent, status=Status.CLOSED, note="ok"
        )

    assert flags(world, now=FRIDAY + datetime.timedelta(days=30)) == {}


def breach(ticket: Ticket, *, internal: bool) -> None:
    """Record a breached target on the ticket, as the SLA sweep does."""
    TicketClock.objects.create(
        ticket=ticket,
        key="x_internal" if internal else "x_customer",
        metric="first_response",
        state=ClockState.BREACHED,
        internal=internal,
        started_at=ticket.created_at,
        due_at=ticket.created_at,
        breached_at=ticket.created_at,
        computed_at=ticket.created_at,
    )
    Ticket.objects.filter(pk=ticket.pk).update(sla_breached=True)


def test_a_customer_sees_only_breaches_of_targets_promised_to_them(world: World) -> None:
    set_days(world, a=20, b=20)
    internal = ticket_at(FRIDAY, world.a.requester, product=world.payroll, title="Internal miss")
    promised = ticket_at(FRIDAY, world.a.requester, product=world.payroll, title="Promise broken")
    theirs = ticket_at(FRIDAY, world.b.requester, product=world.payroll, title="Bravo's")
    breach(internal, internal=True)
    breach(promised, internal=False)
    breach(theirs, internal=False)
    now = FRIDAY + datetime.timedelta(hours=1)

    staff = flags(world, now=now)
    cpc = flags(world, now=now, user=world.a.cpc.user)

    assert staff == {
        internal.number: (True, False),
        promised.number: (True, False),
        theirs.number: (True, False),
    }
    assert cpc == {promised.number: (True, False)}


def test_it_counts_and_reads_the_queue_in_a_constant_number_of_queries(world: World) -> None:
    set_days(world, a=1, b=1)
    scope = report_scope(world.manager)
    monday = FRIDAY + datetime.timedelta(days=3, minutes=1)
    counts = []
    for many in (2, 6):
        while Ticket.objects.count() < many:
            customer = (world.a, world.b)[Ticket.objects.count() % 2]
            ticket_at(FRIDAY, customer.requester, product=world.payroll)
        with CaptureQueriesContext(connection) as queries:
            tickets = stale_and_breached(scope, now=monday)
            summary = stale_counts(tickets)
            rows = [(t.number, t.organisation.name, t.product.group.name) for t in tickets]  # type: ignore[union-attr]
        assert summary.stale == summary.total == len(rows) == many
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
