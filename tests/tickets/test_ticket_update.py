"""ticket_update: who may change which descriptive field, and the history it leaves."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets.models import Kind, Level, Status, Ticket, TicketEvent
from servicedesk.tickets.services import ticket_transition, ticket_update
from tests.factories import ProductFactory
from tests.tickets.helpers import fields_of, login_of

UTC = datetime.UTC
LATER = datetime.datetime(2030, 1, 2, 9, 0, tzinfo=UTC)


def updates(ticket: Ticket) -> list[tuple[str, str, str]]:
    return [
        (e.field, e.old_value, e.new_value)
        for e in TicketEvent.objects.filter(ticket=ticket, action="updated")
    ]


def test_it_lets_the_contact_change_the_description(ticket: Ticket, contact: Contact) -> None:
    ticket_update(
        ticket=ticket,
        actor=login_of(contact),
        staff=False,
        changes={"title": "Printing fails", "actual_result": "Nothing", "reproducible": "yes"},
        now=LATER,
    )

    ticket.refresh_from_db()
    assert (ticket.title, ticket.actual_result, ticket.reproducible) == (
        "Printing fails",
        "Nothing",
        "yes",
    )
    assert ticket.updated_at == LATER
    assert sorted(updates(ticket)) == [
        ("actual_result", "", "Nothing"),
        ("reproducible", "unknown", "yes"),
        ("title", "Invoices do not print", "Printing fails"),
    ]
    event = TicketEvent.objects.filter(ticket=ticket, action="updated").first()
    assert event is not None
    assert (event.actor, event.at) == (login_of(contact), LATER)


def test_it_records_only_the_fields_that_changed(ticket: Ticket, contact: Contact) -> None:
    ticket_update(
        ticket=ticket,
        actor=login_of(contact),
        staff=False,
        changes={"title": ticket.title, "description": "More detail"},
    )
    assert updates(ticket) == [("description", "", "More detail")]


def test_it_writes_nothing_when_nothing_changes(ticket: Ticket, contact: Contact) -> None:
    before = ticket.updated_at
    ticket_update(
        ticket=ticket, actor=login_of(contact), staff=False, changes={"title": ticket.title}
    )
    ticket.refresh_from_db()
    assert ticket.updated_at == before
    assert updates(ticket) == []


@pytest.mark.parametrize(
    "field, value",
    [("kind", Kind.QUESTION), ("impact", Level.HIGH), ("urgency", Level.LOW), ("status", "closed")],
)
def test_it_keeps_triage_fields_from_the_contact(
    ticket: Ticket, contact: Contact, field: str, value: str
) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_update(
            ticket=ticket,
            actor=login_of(contact),
            staff=False,
            changes={"title": "Sneaky", field: value},
        )
    assert fields_of(error.value) == {field}
    ticket.refresh_from_db()
    assert ticket.title == "Invoices do not print"
    assert updates(ticket) == []


def test_it_lets_staff_triage(ticket: Ticket, agent: User) -> None:
    product = ProductFactory(name="Payroll")
    ticket_update(
        ticket=ticket,
        actor=agent,
        staff=True,
        changes={"kind": Kind.QUESTION, "product": product, "impact": Level.MEDIUM},
    )
    ticket.refresh_from_db()
    assert (ticket.kind, ticket.product, ticket.impact) == ("question", product, "medium")
    assert sorted(updates(ticket)) == [
        ("impact", "", "medium"),
        ("kind", "incident", "question"),
        ("product", "", "Payroll"),
    ]


@pytest.mark.parametrize("field", ["status", "priority", "assignee", "requester", "number"])
def test_it_sends_staff_to_the_dedicated_service(ticket: Ticket, agent: User, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=ticket, actor=agent, staff=True, changes={field: None})
    assert fields_of(error.value) == {field}


def test_it_refuses_an_invalid_value(ticket: Ticket, agent: User) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=ticket, actor=agent, staff=True, changes={"kind": "rant"})
    assert fields_of(error.value) == {"kind"}
    ticket.refresh_from_db()
    assert ticket.kind == Kind.INCIDENT
    assert updates(ticket) == []


@pytest.mark.parametrize("title", ["", "   "], ids=["empty", "spaces"])
def test_it_refuses_a_blank_title(ticket: Ticket, contact: Contact, title: str) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=ticket, actor=login_of(contact), staff=False, changes={"title": title})
    assert fields_of(error.value) == {"title"}
    ticket.refresh_from_db()
    assert ticket.title == "Invoices do not print"


@pytest.fixture
def closed(ticket: Ticket, agent: User) -> Ticket:
    return ticket_transition(ticket=ticket, actor=agent, status=Status.CLOSED, note="Fixed")


def test_it_refuses_contact_edits_to_a_closed_ticket(closed: Ticket, contact: Contact) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_update(
            ticket=closed, actor=login_of(contact), staff=False, changes={"title": "Again"}
        )
    assert fields_of(error.value) == {"status"}
    closed.refresh_from_db()
    assert closed.title == "Invoices do not print"


def test_it_lets_staff_correct_a_closed_ticket(closed: Ticket, agent: User) -> None:
    ticket_update(ticket=closed, actor=agent, staff=True, changes={"title": "Printer driver"})
    closed.refresh_from_db()
    assert closed.title == "Printer driver"
    assert closed.status == Status.CLOSED
