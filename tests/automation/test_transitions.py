"""The state machine per kind, close outcomes with standard texts, and stale tickets."""

import pytest
from django.core.exceptions import ValidationError

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets import services
from servicedesk.tickets.models import Kind, Status, Ticket, TicketEvent
from servicedesk.tickets.workflow import MACHINES, Outcome, machine, standard_text
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_it_has_a_machine_per_kind_with_parking_for_change_requests_only() -> None:
    assert set(MACHINES) == set(Kind)
    assert Status.PARKED in machine(Kind.CHANGE_REQUEST)
    assert Status.PARKED in machine(Kind.CHANGE_REQUEST)[Status.IN_PROGRESS]
    for kind in set(Kind) - {Kind.CHANGE_REQUEST}:
        assert Status.PARKED not in machine(kind)
        assert all(Status.PARKED not in targets for targets in machine(kind).values())


def test_it_gives_every_outcome_a_standard_text() -> None:
    assert {str(o) for o in Outcome} >= {"solved", "handed_to_planning", "no_response"}
    for outcome in Outcome:
        assert standard_text(outcome)
    assert "planning" in standard_text(Outcome.HANDED_TO_PLANNING)


@pytest.fixture
def ticket(contact: Contact, agent: User) -> Ticket:
    ticket = make_ticket(contact)
    return services.ticket_transition(ticket=ticket, actor=agent, status=Status.IN_PROGRESS)


def test_it_hands_over_to_planning_with_that_outcome_and_its_standard_text(
    ticket: Ticket, agent: User
) -> None:
    services.ticket_transition(
        ticket=ticket, actor=agent, status=Status.CLOSED, outcome=Outcome.HANDED_TO_PLANNING
    )
    close = TicketEvent.objects.get(ticket=ticket, new_value=Status.CLOSED)
    assert close.note == standard_text(Outcome.HANDED_TO_PLANNING)
    assert close.actor == agent
    outcome = TicketEvent.objects.get(ticket=ticket, action="outcome")
    assert (outcome.field, outcome.new_value, outcome.actor) == (
        "outcome",
        "handed_to_planning",
        agent,
    )


def test_it_keeps_the_resolution_text_given_with_an_outcome(ticket: Ticket, agent: User) -> None:
    services.ticket_transition(
        ticket=ticket, actor=agent, status=Status.CLOSED, note="Same as SD-1", outcome="duplicate"
    )
    assert TicketEvent.objects.get(ticket=ticket, new_value=Status.CLOSED).note == "Same as SD-1"


def test_it_records_solved_when_no_outcome_is_given(ticket: Ticket, agent: User) -> None:
    services.ticket_transition(ticket=ticket, actor=agent, status=Status.CLOSED, note="Fixed")
    assert TicketEvent.objects.get(ticket=ticket, action="outcome").new_value == "solved"


def test_it_asks_for_a_resolution_or_an_outcome(ticket: Ticket, agent: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.ticket_transition(ticket=ticket, actor=agent, status=Status.CLOSED)
    assert error.value.message_dict == {
        "note": ["Give the resolution, or an outcome whose standard text says it."]
    }


@pytest.mark.parametrize(
    ("status", "outcome", "field"),
    [(Status.CLOSED, "magic", "outcome"), (Status.WAITING_ON_CUSTOMER, "solved", "outcome")],
    ids=["unknown", "not-a-close"],
)
def test_it_refuses_an_outcome_that_does_not_fit(
    ticket: Ticket, agent: User, status: str, outcome: str, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.ticket_transition(
            ticket=ticket, actor=agent, status=status, note="x", outcome=outcome
        )
    assert set(error.value.message_dict) == {field}
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS


def test_it_decides_on_the_stored_status_not_a_stale_copy(ticket: Ticket, agent: User) -> None:
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_transition(ticket=ticket, actor=None, status=Status.CLOSED, note="Auto")
    with pytest.raises(ValidationError) as error:
        services.ticket_transition(ticket=stale, actor=agent, status=Status.WAITING_ON_CUSTOMER)
    assert error.value.message_dict["status"] == [
        "a ticket cannot go from Closed to Waiting on customer"
    ]
