"""ticket_transition: moves through the state machine and what each one records."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets.models import Kind, Status, Ticket, TicketEvent
from servicedesk.tickets.services import ticket_transition
from tests.factories import SupplierFactory, make_ticket
from tests.tickets.helpers import fields_of, login_of

UTC = datetime.UTC
NINE = datetime.datetime(2030, 1, 2, 9, 0, tzinfo=UTC)
TEN = datetime.datetime(2030, 1, 2, 10, 0, tzinfo=UTC)
ELEVEN = datetime.datetime(2030, 1, 2, 11, 0, tzinfo=UTC)


def stored(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def moves(ticket: Ticket) -> list[tuple[str, str]]:
    return [
        (e.old_value, e.new_value)
        for e in TicketEvent.objects.filter(ticket=ticket, action="status_changed")
    ]


def test_it_takes_a_ticket_into_progress(ticket: Ticket, agent: User) -> None:
    ticket_transition(
        ticket=ticket, actor=agent, status=Status.IN_PROGRESS, note=" Mine ", now=NINE
    )

    after = stored(ticket)
    assert (after.status, after.updated_at) == (Status.IN_PROGRESS, NINE)
    event = TicketEvent.objects.get(ticket=ticket, action="status_changed")
    assert (event.field, event.old_value, event.new_value) == ("status", "new", "in_progress")
    assert (event.actor, event.at, event.note) == (agent, NINE, "Mine")


def test_it_records_a_move_without_actor(ticket: Ticket) -> None:
    # The worker auto-closes tickets that waited too long on the customer.
    ticket_transition(ticket=ticket, actor=None, status=Status.CLOSED, note="No answer in 3 weeks")
    assert TicketEvent.objects.get(ticket=ticket, action="status_changed").actor is None


@pytest.mark.parametrize(
    "target",
    [Status.WAITING_ON_SUPPLIER, Status.REOPENED, Status.NEW, "escalated"],
    ids=["forbidden", "reopen-new", "same", "unknown"],
)
def test_it_refuses_a_move_the_workflow_forbids(ticket: Ticket, agent: User, target: str) -> None:
    supplier = SupplierFactory()
    with pytest.raises(ValidationError) as error:
        ticket_transition(
            ticket=ticket,
            actor=agent,
            status=target,
            note="x",
            supplier=supplier,
            supplier_reference="X-1",
        )
    assert fields_of(error.value) == {"status"}
    assert stored(ticket).status == Status.NEW
    assert moves(ticket) == []


@pytest.mark.parametrize("target", [Status.CLOSED, Status.SOLUTION_OFFERED])
@pytest.mark.parametrize("note", ["", "   "])
def test_it_needs_a_note_to_close_or_offer_a_solution(
    ticket: Ticket, agent: User, target: str, note: str
) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_transition(ticket=ticket, actor=agent, status=target, note=note)
    assert fields_of(error.value) == {"note"}
    assert stored(ticket).status == Status.NEW


def test_it_closes_with_a_note(ticket: Ticket, agent: User) -> None:
    ticket_transition(ticket=ticket, actor=agent, status=Status.CLOSED, note="Fixed", now=NINE)
    after = stored(ticket)
    assert (after.status, after.closed_at, after.resolved_at) == (Status.CLOSED, NINE, NINE)
    assert TicketEvent.objects.get(ticket=ticket, action="status_changed").note == "Fixed"


def test_it_keeps_the_time_the_solution_was_offered(ticket: Ticket, agent: User) -> None:
    ticket_transition(
        ticket=ticket, actor=agent, status=Status.SOLUTION_OFFERED, note="Try 12.1", now=NINE
    )
    assert stored(ticket).resolved_at == NINE
    ticket_transition(ticket=ticket, actor=None, status=Status.CLOSED, note="Confirmed", now=TEN)
    after = stored(ticket)
    assert (after.resolved_at, after.closed_at) == (NINE, TEN)


def test_it_reopens_a_closed_ticket(ticket: Ticket, agent: User) -> None:
    ticket_transition(ticket=ticket, actor=agent, status=Status.CLOSED, note="Fixed", now=NINE)
    ticket_transition(ticket=ticket, actor=agent, status=Status.REOPENED, now=TEN)

    after = stored(ticket)
    assert (after.status, after.closed_at, after.resolved_at) == (Status.REOPENED, None, None)
    assert after.updated_at == TEN
    assert moves(ticket) == [("new", "closed"), ("closed", "reopened")]


def test_it_refuses_to_work_on_a_closed_ticket_without_reopening(
    ticket: Ticket, agent: User
) -> None:
    ticket_transition(ticket=ticket, actor=agent, status=Status.CLOSED, note="Fixed")
    with pytest.raises(ValidationError) as error:
        ticket_transition(ticket=ticket, actor=agent, status=Status.IN_PROGRESS)
    assert fields_of(error.value) == {"status"}


# --- waiting on a supplier ----------------------------------------------------------------


@pytest.fixture
def in_progress(ticket: Ticket, agent: User) -> Ticket:
    return ticket_transition(ticket=ticket, actor=agent, status=Status.IN_PROGRESS)


def test_it_needs_the_supplier(in_progress: Ticket, agent: User) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_transition(
            ticket=in_progress,
            actor=agent,
            status=Status.WAITING_ON_SUPPLIER,
            supplier_reference="UNI-42",
        )
    assert fields_of(error.value) == {"supplier"}
    assert stored(in_progress).status == Status.IN_PROGRESS


@pytest.mark.parametrize("reference", ["", "  "])
def test_it_needs_the_suppliers_reference(in_progress: Ticket, agent: User, reference: str) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_transition(
            ticket=in_progress,
            actor=agent,
            status=Status.WAITING_ON_SUPPLIER,
            supplier=SupplierFactory(),
            supplier_reference=reference,
        )
    assert fields_of(error.value) == {"supplier_reference"}
    after = stored(in_progress)
    assert (after.status, after.supplier) == (Status.IN_PROGRESS, None)


def test_it_records_the_supplier_and_reference(in_progress: Ticket, agent: User) -> None:
    supplier = SupplierFactory()
    ticket_transition(
        ticket=in_progress,
        actor=agent,
        status=Status.WAITING_ON_SUPPLIER,
        supplier=supplier,
        supplier_reference=" UNI-42 ",
    )
    after = stored(in_progress)
    assert (after.status, after.supplier, after.supplier_reference) == (
        Status.WAITING_ON_SUPPLIER,
        supplier,
        "UNI-42",
    )


# --- parking --------------------------------------------------------------------------------


def test_it_parks_a_change_request(contact: Contact, agent: User) -> None:
    rfc = make_ticket(contact, kind=Kind.CHANGE_REQUEST)
    ticket_transition(ticket=rfc, actor=agent, status=Status.IN_PROGRESS)
    ticket_transition(ticket=rfc, actor=agent, status=Status.PARKED, note="Awaiting decision")
    assert stored(rfc).status == Status.PARKED


@pytest.mark.parametrize("kind", [k for k in Kind if k != Kind.CHANGE_REQUEST])
def test_it_refuses_to_park_other_kinds(in_progress: Ticket, agent: User, kind: str) -> None:
    Ticket.objects.filter(pk=in_progress.pk).update(kind=kind)
    with pytest.raises(ValidationError) as error:
        ticket_transition(ticket=stored(in_progress), actor=agent, status=Status.PARKED)
    assert fields_of(error.value) == {"status"}


def test_it_walks_a_full_life(ticket: Ticket, agent: User) -> None:
    steps = [
        (Status.IN_PROGRESS, ""),
        (Status.WAITING_ON_CUSTOMER, "Which administration?"),
        (Status.IN_PROGRESS, ""),
        (Status.SOLUTION_OFFERED, "Patch installed"),
        (Status.REOPENED, "Still broken"),
        (Status.CLOSED, "Fixed for real"),
    ]
    for i, (status, note) in enumerate(steps):
        at = NINE + datetime.timedelta(minutes=i)
        ticket_transition(ticket=ticket, actor=agent, status=status, note=note, now=at)
    assert [new for _, new in moves(ticket)] == [status for status, _ in steps]
    assert stored(ticket).closed_at == NINE + datetime.timedelta(minutes=5)
    assert stored(ticket).resolved_at == NINE + datetime.timedelta(minutes=5)


# --- what a customer may move ---------------------------------------------------------------


def test_it_lets_the_requester_close_their_ticket(ticket: Ticket, contact: Contact) -> None:
    ticket_transition(ticket=ticket, actor=login_of(contact), status=Status.CLOSED, note="Works")
    assert stored(ticket).status == Status.CLOSED
    event = TicketEvent.objects.get(ticket=ticket, action="status_changed")
    assert event.actor == login_of(contact)


@pytest.mark.parametrize(
    "target", [Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER, Status.SOLUTION_OFFERED]
)
def test_it_leaves_the_desks_moves_to_the_desk(
    ticket: Ticket, contact: Contact, target: str
) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_transition(ticket=ticket, actor=login_of(contact), status=target, note="Done")
    assert fields_of(error.value) == {"status"}
    assert stored(ticket).status == Status.NEW
    assert moves(ticket) == []


def test_it_lets_the_requester_accept_or_reject_an_offered_solution(
    contact: Contact, agent: User
) -> None:
    accepted, rejected = make_ticket(contact), make_ticket(contact)
    for ticket in (accepted, rejected):
        ticket_transition(
            ticket=ticket, actor=agent, status=Status.SOLUTION_OFFERED, note="Driver updated"
        )
    ticket_transition(ticket=accepted, actor=login_of(contact), status=Status.CLOSED, note="Yes")
    ticket_transition(ticket=rejected, actor=login_of(contact), status=Status.REOPENED)
    assert (stored(accepted).status, stored(rejected).status) == (Status.CLOSED, Status.REOPENED)


def test_it_refuses_a_customer_who_may_not_see_the_ticket(
    ticket: Ticket, other_contact: Contact
) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_transition(
            ticket=ticket, actor=login_of(other_contact), status=Status.CLOSED, note="Mine"
        )
    assert fields_of(error.value) == {"ticket"}
    assert stored(ticket).status == Status.NEW
