"""Tickets carry their SLA state: stored clocks, due times, warnings and breaches once."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from servicedesk.accounts.models import Contact, User
from servicedesk.contracts.models import Contract
from servicedesk.tickets import services
from servicedesk.tickets.models import TicketClock, TicketEvent
from servicedesk.tickets.sla import sla_refresh, sla_sweep
from tests.factories import ContactFactory, ContractFactory, StaffFactory, complete_details

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMS)


@pytest.fixture
def severity_contract() -> Contract:
    return ContractFactory(
        service_level="severity-nl-office-hours",
        priority_scheme="severity-1-4",
        starts_on=datetime.date(2026, 1, 1),
    )


@pytest.fixture
def requester(severity_contract: Contract) -> Contact:
    return ContactFactory(organisation=severity_contract.organisation)


@pytest.fixture
def staff() -> User:
    return StaffFactory()


def test_it_stores_the_due_time_over_a_holiday_weekend(requester: Contact) -> None:
    # Friday 16:30 before Whit Monday: 30 min on Friday, then 1 h 30 on Tuesday.
    ticket = services.ticket_create(
        requester=requester,
        title="Orders stuck",
        requested_priority="sev2",
        details=complete_details(),
        now=local(2026, 5, 22, 16, 30),
    )
    clock = TicketClock.objects.get(ticket=ticket, key="first_response")
    assert clock.state == "running"
    assert clock.due_at == local(2026, 5, 26, 10, 30)
    assert clock.target_seconds == 2 * 3600
    ticket.refresh_from_db()
    assert ticket.sla_due_at == local(2026, 5, 26, 10, 30)


def test_it_meets_the_first_response_with_an_agent_reply(requester: Contact, staff: User) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="Orders stuck",
        requested_priority="sev2",
        details=complete_details(),
        now=local(2026, 6, 1, 9, 0),
    )
    services.ticket_add_message(
        ticket=ticket, body="Looking", author=staff, now=local(2026, 6, 1, 10, 0)
    )
    clock = TicketClock.objects.get(ticket=ticket, key="first_response")
    assert clock.state == "met"
    assert clock.met_at == local(2026, 6, 1, 10, 0)
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None
    assert ticket.sla_next_check_at is None


def test_it_does_not_count_a_customer_reply_as_a_response(requester: Contact) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="Orders stuck",
        requested_priority="sev2",
        details=complete_details(),
        now=local(2026, 6, 1, 9, 0),
    )
    services.ticket_add_message(
        ticket=ticket,
        body="Any news?",
        author=requester.user,
        contact=requester,
        now=local(2026, 6, 1, 10, 0),
    )
    assert TicketClock.objects.get(ticket=ticket).state == "running"


def test_it_rebases_the_due_time_when_the_priority_changes(requester: Contact, staff: User) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="Orders stuck",
        requested_priority="sev3",
        details=complete_details(),
        now=local(2026, 6, 1, 9, 0),
    )
    assert TicketClock.objects.get(ticket=ticket).due_at == local(2026, 6, 1, 17, 0)
    services.ticket_change_priority(
        ticket=ticket,
        actor=staff,
        priority="sev1",
        justification="Whole company down",
        now=local(2026, 6, 1, 9, 10),
    )
    assert TicketClock.objects.get(ticket=ticket).due_at == local(2026, 6, 1, 9, 30)


def test_it_records_a_warning_and_a_breach_once(requester: Contact) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="Down",
        requested_priority="sev1",
        details=complete_details(),
        now=local(2026, 6, 1, 9, 0),
    )
    ticket.refresh_from_db()
    # 75% of 30 minutes: the warning comes at 09:22:30.
    assert ticket.sla_next_check_at == local(2026, 6, 1, 9, 22, 31)
    assert sla_sweep(now=local(2026, 6, 1, 9, 20)) == 0
    assert sla_sweep(now=local(2026, 6, 1, 9, 25)) == 1
    assert sla_sweep(now=local(2026, 6, 1, 9, 26)) == 0
    for minute in (31, 40, 50):
        sla_sweep(now=local(2026, 6, 1, 9, minute))
        sla_refresh(ticket, now=local(2026, 6, 1, 9, minute))
    actions = list(
        TicketEvent.objects.filter(ticket=ticket, action__startswith="sla_").values_list(
            "action", flat=True
        )
    )
    assert actions == ["sla_warning", "sla_breached"]
    clock = TicketClock.objects.get(ticket=ticket)
    assert clock.state == "breached"
    assert clock.breached_at == local(2026, 6, 1, 9, 30)


def test_it_pauses_while_waiting_on_the_customer(requester: Contact, staff: User) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="Report wrong",
        requested_priority="sev3",
        details=complete_details(),
        now=local(2026, 6, 1, 9, 0),
    )
    services.ticket_transition(
        ticket=ticket, actor=staff, status="waiting_on_customer", now=local(2026, 6, 1, 10, 0)
    )
    assert TicketClock.objects.get(ticket=ticket).state == "paused"
    services.ticket_transition(
        ticket=ticket, actor=staff, status="in_progress", now=local(2026, 6, 2, 10, 0)
    )
    # 1 h used before the pause, 7 h left from Tuesday 10:00: due Tuesday 17:00.
    assert TicketClock.objects.get(ticket=ticket).due_at == local(2026, 6, 2, 17, 0)


def test_it_expresses_kinds_without_a_target(requester: Contact) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="New report wanted",
        kind="change_request",
        details=complete_details("change_request"),
        now=local(2026, 6, 1, 9, 0),
    )
    clock = TicketClock.objects.get(ticket=ticket)
    assert clock.state == "none"
    assert "change management" in clock.no_target_reason.lower()
    ticket.refresh_from_db()
    assert ticket.sla_due_at is None


def test_it_has_no_clocks_without_a_contract() -> None:
    ticket = services.ticket_create(
        requester=ContactFactory(), title="Hello", details=complete_details()
    )
    assert not TicketClock.objects.filter(ticket=ticket).exists()


def test_it_shows_sla_state_and_explanation_in_the_api(requester: Contact) -> None:
    from tests.conftest import client_for

    ticket = services.ticket_create(
        requester=requester,
        title="Orders stuck",
        requested_priority="sev2",
        details=complete_details(),
        now=local(2026, 5, 22, 16, 30),
    )
    api = client_for(requester.user)  # type: ignore[arg-type]
    body = api.get(f"/api/v1/tickets/{ticket.number}").json()
    (clock,) = body["sla"]
    assert clock["key"] == "first_response"
    assert datetime.datetime.fromisoformat(clock["due_at"]) == local(2026, 5, 26, 10, 30)
    explained = api.get(f"/api/v1/tickets/{ticket.number}/sla").json()
    text = " ".join(explained[0]["explanation"])
    assert "2026-05-25" in text or "Whit" in text or "holiday" in text.lower()


def test_it_counts_a_question_from_staff_as_the_first_reaction(
    requester: Contact, staff: User
) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="Report wrong",
        requested_priority="sev3",
        details=complete_details(),
        now=local(2026, 6, 1, 9, 0),
    )
    services.ticket_transition(
        ticket=ticket,
        actor=staff,
        status="waiting_on_customer",
        note="Which report do you mean?",
        now=local(2026, 6, 1, 10, 0),
    )
    clock = TicketClock.objects.get(ticket=ticket, key="first_response")
    assert clock.state == "met"
    assert clock.met_at == local(2026, 6, 1, 10, 0)


def test_it_does_not_count_the_automated_completeness_check_as_a_reaction(
    requester: Contact, staff: User
) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="Report wrong",
        requested_priority="sev3",
        now=local(2026, 6, 1, 9, 0),
    )
    assert ticket.status == "waiting_on_customer"
    clock = TicketClock.objects.get(ticket=ticket, key="first_response")
    assert (clock.state, clock.met_at) == ("paused", None)

    services.ticket_customer_reply(
        ticket=ticket,
        contact=requester,
        author=requester.user,
        body="It happens in the monthly report; everyone in finance is affected.",
        now=local(2026, 6, 1, 11, 0),
    )
    clock.refresh_from_db()
    assert (clock.state, clock.met_at) == ("running", None)
    services.ticket_add_message(
        ticket=ticket, body="Looking", author=staff, now=local(2026, 6, 1, 12, 0)
    )
    clock.refresh_from_db()
    assert (clock.state, clock.met_at) == ("met", local(2026, 6, 1, 12, 0))
