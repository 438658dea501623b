"""Open tickets per product group x priority with their ages, and the reaction times of open
tickets per product group: grouped in the database, within the reader's scope."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicedesk.opsreports.scope import report_scope
from servicedesk.opsreports.selectors import open_tickets, reaction_times
from servicedesk.tickets import services
from servicedesk.tickets.models import Status
from servicedesk.tickets.policy import Refusal
from tests.automation.helpers import DAY, HOUR, at, committed, local
from tests.factories import StaffFactory
from tests.opsreports.conftest import World, ticket_at

pytestmark = pytest.mark.django_db

NOW = local(2026, 6, 1, 10, 0)  # a Monday


@pytest.fixture
def spread(world: World) -> World:
    """Open and closed tickets of both customers, reported over the last days."""
    a, b = world.a.requester, world.b.requester
    ticket_at(NOW - 3 * DAY, a, product=world.payroll, requested_priority="sev2")
    ticket_at(NOW - 1 * DAY, a, product=world.payroll, requested_priority="sev2")
    ticket_at(NOW - 2 * DAY, a, product=world.payroll, requested_priority="sev3")
    ticket_at(NOW - 5 * DAY, a, product=world.finance, requested_priority="sev3")
    ticket_at(NOW - 1 * DAY, a, product=None, requested_priority="sev3")
    ticket_at(NOW - 4 * DAY, b, product=world.payroll, requested_priority="sev2")
    closed = ticket_at(NOW - 10 * DAY, a, product=world.payroll, requested_priority="sev2")
    with at(NOW - 9 * DAY), committed():
        services.ticket_transition(
            ticket=closed, actor=world.agent, status=Status.CLOSED, note="Done"
        )
    return world


def close_enough(actual: datetime.timedelta, expected: datetime.timedelta) -> bool:
    return abs(actual - expected) < datetime.timedelta(seconds=1)


def test_it_counts_open_tickets_per_product_group_and_priority_with_their_ages(
    spread: World,
) -> None:
    rows = open_tickets(report_scope(spread.manager), now=NOW)

    found = {(r.group, r.priority): r for r in rows}
    assert [(r.group, r.priority, r.count) for r in rows] == [
        ("Finance", "sev3", 1),
        ("Payroll", "sev2", 3),
        ("Payroll", "sev3", 1),
        ("", "sev3", 1),  # no product group: last
    ]
    payroll = found["Payroll", "sev2"]
    assert payroll.oldest == NOW - 4 * DAY
    assert close_enough(payroll.average_age, (4 + 3 + 1) * DAY / 3)
    assert payroll.priority_rank < found["Payroll", "sev3"].priority_rank
    assert close_enough(found["Finance", "sev3"].average_age, 5 * DAY)


def test_it_groups_in_one_query(spread: World) -> None:
    scope = report_scope(spread.manager)
    with CaptureQueriesContext(connection) as queries:
        open_tickets(scope, now=NOW)
        reaction_times(scope, now=NOW)
    assert len(queries.captured_queries) == 2
    assert all("GROUP BY" in q["sql"] for q in queries.captured_queries)


def test_a_central_point_of_contact_counts_only_their_organisation(spread: World) -> None:
    rows = open_tickets(report_scope(spread.a.cpc.user), now=NOW)

    payroll = next(r for r in rows if (r.group, r.priority) == ("Payroll", "sev2"))
    assert payroll.count == 2  # not Bravo's
    assert payroll.oldest == NOW - 3 * DAY
    assert sum(r.count for r in rows) == 5
    with pytest.raises(Refusal):
        report_scope(spread.a.cpc.user, organisation_id=spread.b.contract.organisation_id)


def test_staff_narrow_the_report_to_an_organisation_a_group_or_a_team(spread: World) -> None:
    bravo = report_scope(spread.lead, organisation_id=spread.b.contract.organisation_id)
    finance = report_scope(spread.lead, product_group_id=spread.finance.group_id)

    assert [(r.group, r.count) for r in open_tickets(bravo, now=NOW)] == [("Payroll", 1)]
    assert [(r.group, r.count) for r in open_tickets(finance, now=NOW)] == [("Finance", 1)]
    assert open_tickets(report_scope(spread.lead, team_id=spread.team.pk), now=NOW) == []


@pytest.mark.parametrize("who", ["agent", "requester", "anonymous"])
def test_others_read_no_reports(world: World, who: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    user = {
        "agent": StaffFactory(),
        "requester": world.a.requester.user,
        "anonymous": AnonymousUser(),
    }[who]
    with pytest.raises(Refusal):
        report_scope(user)


def test_it_measures_the_first_reaction_of_open_tickets_per_group(world: World) -> None:
    a = world.a.requester
    quick = ticket_at(NOW - 2 * DAY, a, product=world.payroll)
    slow = ticket_at(NOW - 2 * DAY, a, product=world.payroll)
    waiting = ticket_at(NOW - 1 * DAY, a, product=world.payroll)
    ticket_at(NOW - 3 * HOUR, a, product=world.finance)
    for ticket, after in ((quick, 2 * HOUR), (slow, 6 * HOUR)):
        with at(ticket.created_at + after), committed():
            services.ticket_add_message(ticket=ticket, body="We look into it", author=world.agent)
    # A reaction that is only an internal note is no reaction to the customer.
    with at(waiting.created_at + HOUR), committed():
        services.ticket_add_message(
            ticket=waiting, body="Hmm", author=world.agent, visibility="internal"
        )

    rows = {r.group: r for r in reaction_times(report_scope(world.manager), now=NOW)}

    payroll = rows["Payroll"]
    assert (payroll.open, payroll.answered, payroll.waiting) == (3, 2, 1)
    assert close_enough(payroll.average_reaction, 4 * HOUR)  # type: ignore[arg-type]
    assert close_enough(payroll.longest_reaction, 6 * HOUR)  # type: ignore[arg-type]
    assert payroll.oldest_waiting == NOW - DAY
    finance = rows["Finance"]
    assert (finance.open, finance.answered, finance.waiting) == (1, 0, 1)
    assert finance.average_reaction is None
    assert finance.oldest_waiting == NOW - 3 * HOUR
