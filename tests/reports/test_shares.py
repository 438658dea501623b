"""Who held a ticket while its clocks ran: stored when the clocks are refreshed, summed in
the compliance report."""

import pytest

from servicedesk.accounts.models import Supplier, User
from servicedesk.contracts.models import Contract
from servicedesk.reports.compliance import Scope, compliance_report
from servicedesk.reports.models import ClockShare
from servicedesk.reports.periods import parse_period
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket, TicketClock
from tests.reports.conftest import MANAGER_READER, Report, ams, to_supplier_and_back, workaround

pytestmark = pytest.mark.django_db


def shares(ticket: Ticket, key: str) -> dict[tuple[str, int | None], tuple[int, int, int]]:
    rows = ClockShare.objects.filter(clock__ticket=ticket, clock__key=key)
    return {(r.holder, r.supplier_id): (r.seconds, r.over_seconds, r.paused_seconds) for r in rows}


def test_it_stores_who_held_a_ticket_met_after_a_supplier_held_it_for_hours(
    p_contract: Contract, report: Report, agent: User, supplier: Supplier
) -> None:
    ticket = report(p_contract, ams(2026, 3, 2, 9), "p2")
    to_supplier_and_back(ticket, agent, supplier)
    assert shares(ticket, "restore") == {}  # not settled yet

    workaround(ticket, agent, ams(2026, 3, 2, 16))

    # Restore (8 office hours) is met after 7 hours, 5 of them with the supplier.
    assert TicketClock.objects.get(ticket=ticket, key="restore").state == "met"
    assert shares(ticket, "restore") == {
        ("line2", None): (2 * 3600, 0, 0),
        ("supplier", supplier.pk): (5 * 3600, 0, 0),
    }


def test_it_splits_a_missed_targets_time_over_target_and_sums_it_in_the_report(
    p_contract: Contract, report: Report, agent: User, supplier: Supplier
) -> None:
    ticket = report(p_contract, ams(2026, 3, 2, 9), "p2")
    to_supplier_and_back(ticket, agent, supplier)
    workaround(ticket, agent, ams(2026, 3, 2, 16))

    # The first reaction (4 hours) was due at 13:00 and came at 16:00: 3 hours over
    # target, 2 of them with the supplier (13:00-15:00), 1 on line 2 (15:00-16:00).
    assert TicketClock.objects.get(ticket=ticket, key="first_response").state == "breached"
    assert shares(ticket, "first_response") == {
        ("line2", None): (2 * 3600, 1 * 3600, 0),
        ("supplier", supplier.pk): (5 * 3600, 2 * 3600, 0),
    }

    result = compliance_report(
        MANAGER_READER,
        period=parse_period("2026-03", time_zone="Europe/Amsterdam"),
        scope=Scope(),
        now=ams(2026, 4, 1),
    )
    reaction = next(r for r in result.customer_facing if r.key == "first_response")
    assert reaction.over_seconds == 3 * 3600
    by_holder = {h.label: h.over_seconds for h in reaction.over_by_holder}
    assert by_holder == {"Supplier Acme Hosting": 2 * 3600, "Line 2": 1 * 3600}
    restore = next(r for r in result.customer_facing if r.key == "restore")
    assert restore.over_seconds == 0  # met: nothing over target, and not summed


def test_it_shows_time_waiting_on_the_customer_apart_and_follows_the_support_line(
    p_contract: Contract, report: Report, agent: User
) -> None:
    ticket = report(p_contract, ams(2026, 3, 2, 9), "p2")
    services.ticket_assign(
        ticket=ticket, actor=agent, assignee=agent, support_line=3, now=ams(2026, 3, 2, 10)
    )
    services.ticket_transition(
        ticket=ticket,
        actor=agent,
        status="waiting_on_customer",
        note="Which invoice number?",
        now=ams(2026, 3, 2, 11),
    )
    services.ticket_transition(
        ticket=ticket, actor=agent, status="in_progress", now=ams(2026, 3, 3, 11)
    )
    workaround(ticket, agent, ams(2026, 3, 3, 17))

    # Restore (8 h) ran 9-11 on 2 March and 11-17 on 3 March: 8 h, met at 17:00 exactly.
    # Waiting on the customer (11:00-17:30 and 09:00-11:00: 8.5 h) is shown, not counted.
    assert shares(ticket, "restore") == {
        ("line2", None): (1 * 3600, 0, 0),
        ("line3", None): (7 * 3600, 0, 0),
        ("customer", None): (0, 0, int(8.5 * 3600)),
    }


def test_it_drops_the_shares_of_a_clock_that_is_no_longer_settled(
    saas_contract: Contract, report: Report, agent: User
) -> None:
    ticket = report(saas_contract, ams(2026, 3, 2, 10), "high")
    services.ticket_transition(
        ticket=ticket, actor=agent, status="closed", note="Fixed", now=ams(2026, 3, 3, 10)
    )
    assert shares(ticket, "resolution") == {("line2", None): (24 * 3600, 0, 0)}

    services.ticket_transition(
        ticket=ticket, actor=agent, status="reopened", now=ams(2026, 3, 4, 10)
    )

    assert TicketClock.objects.get(ticket=ticket, key="resolution").state == "running"
    assert shares(ticket, "resolution") == {}
    assert shares(ticket, "workaround") != {}  # the other clocks stay settled


def test_it_keeps_counting_a_missed_clock_until_it_stops(
    saas_contract: Contract, report: Report, agent: User
) -> None:
    ticket = report(saas_contract, ams(2026, 3, 2, 10), "high")
    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent, now=ams(2026, 3, 3, 12))
    # The workaround (24 h of calendar time) is 2 hours over target and still open.
    assert shares(ticket, "workaround") == {("line2", None): (26 * 3600, 2 * 3600, 0)}
    services.ticket_assign(
        ticket=ticket, actor=agent, assignee=agent, support_line=3, now=ams(2026, 3, 3, 15)
    )
    workaround(ticket, agent, ams(2026, 3, 3, 18))

    # Met 32 hours after the report: 8 hours over target, the last 3 on line 3.
    assert shares(ticket, "workaround") == {
        ("line2", None): (29 * 3600, 5 * 3600, 0),
        ("line3", None): (3 * 3600, 3 * 3600, 0),
    }
