"""ticket_update: who may change which descriptive field, and the history it leaves."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets.models import Kind, Level, Status, Ticket, TicketEvent
from servicedesk.tickets.services import ticket_transition, ticket_update
from tests.factories import (
    COMPLETE_REPORT,
    ContractFactory,
    ProductFactory,
    UserFactory,
    make_ticket,
)
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
        changes={"title": "Printing fails", "actual_result": "Nothing", "reproducible": "no"},
        now=LATER,
    )

    ticket.refresh_from_db()
    assert (ticket.title, ticket.actual_result, ticket.reproducible) == (
        "Printing fails",
        "Nothing",
        "no",
    )
    assert ticket.updated_at == LATER
    assert sorted(updates(ticket)) == [
        ("actual_result", COMPLETE_REPORT["actual_result"], "Nothing"),
        ("reproducible", "yes", "no"),
        ("title", "Invoices do not print", "Printing fails"),
    ]
    event = TicketEvent.objects.filter(ticket=ticket, action="updated").first()
    assert event is not None
    assert (event.actor, event.at) == (login_of(contact), LATER)


def test_it_records_only_the_fields_that_changed(ticket: Ticket, contact: Contact) -> None:
    ticket_update(
        ticket=ticket,
        actor=login_of(contact),
        changes={"title": ticket.title, "description": "More detail"},
    )
    assert updates(ticket) == [("description", "", "More detail")]


def test_it_writes_nothing_when_nothing_changes(ticket: Ticket, contact: Contact) -> None:
    before = ticket.updated_at
    ticket_update(ticket=ticket, actor=login_of(contact), changes={"title": ticket.title})
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
        ticket_update(ticket=ticket, actor=agent, changes={field: None})
    assert fields_of(error.value) == {field}


def test_it_refuses_an_invalid_value(ticket: Ticket, agent: User) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=ticket, actor=agent, changes={"kind": "rant"})
    assert fields_of(error.value) == {"kind"}
    ticket.refresh_from_db()
    assert ticket.kind == Kind.INCIDENT
    assert updates(ticket) == []


@pytest.mark.parametrize("title", ["", "   "], ids=["empty", "spaces"])
def test_it_refuses_a_blank_title(ticket: Ticket, contact: Contact, title: str) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=ticket, actor=login_of(contact), changes={"title": title})
    assert fields_of(error.value) == {"title"}
    ticket.refresh_from_db()
    assert ticket.title == "Invoices do not print"


@pytest.fixture
def closed(ticket: Ticket, agent: User) -> Ticket:
    return ticket_transition(ticket=ticket, actor=agent, status=Status.CLOSED, note="Fixed")


def test_it_refuses_contact_edits_to_a_closed_ticket(closed: Ticket, contact: Contact) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=closed, actor=login_of(contact), changes={"title": "Again"})
    assert fields_of(error.value) == {"status"}
    closed.refresh_from_db()
    assert closed.title == "Invoices do not print"


def test_it_lets_staff_correct_a_closed_ticket(closed: Ticket, agent: User) -> None:
    ticket_update(ticket=closed, actor=agent, changes={"title": "Printer driver"})
    closed.refresh_from_db()
    assert closed.title == "Printer driver"
    assert closed.status == Status.CLOSED


def test_it_refuses_a_customer_who_may_not_see_the_ticket(
    ticket: Ticket, other_contact: Contact
) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=ticket, actor=login_of(other_contact), changes={"title": "Mine now"})
    assert fields_of(error.value) == {"ticket"}
    ticket.refresh_from_db()
    assert ticket.title == "Invoices do not print"
    assert updates(ticket) == []


def test_it_takes_a_superuser_without_a_role_for_staff(ticket: Ticket) -> None:
    admin = UserFactory(is_superuser=True)
    ticket_update(ticket=ticket, actor=admin, changes={"kind": Kind.QUESTION})
    assert updates(ticket) == [("kind", "incident", "question")]


def test_it_takes_a_user_without_a_staff_role_for_a_customer(ticket: Ticket) -> None:
    # Neither staff nor the ticket's contact: refused as a customer who may not see it.
    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=ticket, actor=UserFactory(), changes={"kind": Kind.QUESTION})
    assert fields_of(error.value) == {"ticket"}
    assert Ticket.objects.get(pk=ticket.pk).kind == Kind.INCIDENT
    assert updates(ticket) == []


def test_it_moves_the_ticket_to_the_contract_that_covers_its_new_product(
    contact: Contact, agent: User
) -> None:
    first, payroll = ProductFactory(), ProductFactory(name="Payroll")
    start = datetime.date(2020, 1, 1)
    ContractFactory(organisation=contact.organisation, starts_on=start).products.add(first)
    covering = ContractFactory(organisation=contact.organisation, starts_on=start)
    covering.products.add(payroll)
    ticket = make_ticket(contact, product=first)

    ticket_update(ticket=ticket, actor=agent, changes={"product": payroll})

    assert Ticket.objects.get(pk=ticket.pk).contract == covering


def test_it_refuses_a_new_product_no_contract_covers(contact: Contact, agent: User) -> None:
    first = ProductFactory(name="Invoicing")
    start = datetime.date(2020, 1, 1)
    ContractFactory(organisation=contact.organisation, starts_on=start).products.add(first)
    ticket = make_ticket(contact, product=first)

    with pytest.raises(ValidationError) as error:
        ticket_update(ticket=ticket, actor=agent, changes={"product": ProductFactory(name="HR")})
    assert error.value.message_dict == {
        "product": ["Your organisation's contract does not cover HR. Covered: Invoicing."]
    }
    assert Ticket.objects.get(pk=ticket.pk).product == first
    assert updates(ticket) == []
