"""ticket_create: the one door every channel uses to open a ticket."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Reporters
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.tickets import completeness, priorities
from servicedesk.tickets.models import Channel, Kind, Level, Status, Ticket, TicketEvent
from servicedesk.tickets.services import (
    contract_for,
    ticket_change_priority,
    ticket_create,
    ticket_transition,
    ticket_update,
)
from tests.factories import (
    ContactFactory,
    ContractFactory,
    ProductFactory,
    complete_details,
    make_ticket,
)
from tests.tickets.helpers import fields_of, login_of

UTC = datetime.UTC
NOW = datetime.datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
LONG_AGO = datetime.date(2020, 1, 1)


@pytest.fixture
def product(db: None) -> Product:
    return ProductFactory()


# --- what the ticket records ------------------------------------------------


def test_it_takes_the_organisation_from_the_requester(contact: Contact) -> None:
    ticket = make_ticket(contact)
    assert ticket.requester == contact
    assert ticket.organisation == contact.organisation


def test_it_stores_the_request_as_given(contact: Contact, product: Product) -> None:
    ticket = ticket_create(
        requester=contact,
        title="  Invoices do not print  ",
        kind=Kind.QUESTION,
        channel=Channel.EMAIL,
        product=product,
        impact=Level.HIGH,
        urgency=Level.LOW,
        details={
            "description": "How do I print?",
            "steps_taken": "Pressed print",
            "reproducible": "yes",
        },
    )
    ticket.refresh_from_db()
    assert ticket.title == "Invoices do not print"
    assert (ticket.kind, ticket.channel, ticket.product) == ("question", "email", product)
    assert (ticket.impact, ticket.urgency) == ("high", "low")
    assert (ticket.description, ticket.steps_taken, ticket.reproducible) == (
        "How do I print?",
        "Pressed print",
        "yes",
    )
    assert ticket.status == Status.NEW


def test_it_defaults_reproducible_to_unknown(contact: Contact) -> None:
    ticket = make_ticket(contact, details={"reproducible": ""})
    assert ticket.reproducible == "unknown"


def test_it_stamps_creation_with_the_clock(contact: Contact) -> None:
    with time_machine.travel(NOW, tick=False):
        ticket = make_ticket(contact)
    assert ticket.created_at == NOW
    assert ticket.updated_at == NOW
    assert ticket.first_response_at is None


def test_it_stamps_creation_with_the_given_time(contact: Contact) -> None:
    ticket = make_ticket(contact, now=NOW)
    ticket.refresh_from_db()
    assert ticket.created_at == NOW


def test_it_records_a_created_event(contact: Contact, agent: User) -> None:
    ticket = make_ticket(contact, channel=Channel.PHONE, actor=agent, now=NOW)

    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.action, event.field, event.old_value, event.new_value) == (
        "created",
        "status",
        "",
        "new",
    )
    assert event.actor == agent
    assert event.at == NOW
    assert event.note == "channel phone"


# --- validation ------------------------------------------------------------------


@pytest.mark.parametrize("title", ["", "   \n"])
def test_it_requires_a_title(contact: Contact, title: str) -> None:
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, title=title)
    assert fields_of(error.value) == {"title"}
    assert not Ticket.objects.exists()


def test_it_refuses_a_title_longer_than_200_characters(contact: Contact) -> None:
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, title="x" * 201)
    assert fields_of(error.value) == {"title"}
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("field", ["kind", "channel", "impact", "urgency"])
def test_it_refuses_an_unknown_choice(contact: Contact, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, **{field: "bogus"})
    assert fields_of(error.value) == {field}
    assert "'bogus'" in error.value.message_dict[field][0]
    assert not Ticket.objects.exists()


def test_it_refuses_an_unknown_description_field(contact: Contact) -> None:
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, details={"priority": "critical"})
    assert fields_of(error.value) == {"priority"}


def test_it_refuses_an_invalid_reproducible_value(contact: Contact) -> None:
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, details={"reproducible": "sometimes"})
    assert fields_of(error.value) == {"reproducible"}
    assert not Ticket.objects.exists()


def test_it_refuses_an_inactive_requester(db: None) -> None:
    with pytest.raises(ValidationError) as error:
        make_ticket(ContactFactory(active=False))
    assert fields_of(error.value) == {"requester"}


def test_it_refuses_an_inactive_product(contact: Contact) -> None:
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, product=ProductFactory(active=False))
    assert fields_of(error.value) == {"product"}


# --- priority ---------------------------------------------------------------------


def test_it_follows_the_requested_priority(contact: Contact) -> None:
    urgent = make_ticket(contact, requested_priority="critical")
    calm = make_ticket(contact, requested_priority="low", impact=Level.HIGH, urgency=Level.HIGH)

    assert (urgent.priority, urgent.requested_priority, urgent.priority_rank) == (
        "critical",
        "critical",
        1,
    )
    assert (calm.priority, calm.priority_rank) == ("low", 4)


def test_it_refuses_a_priority_outside_the_scheme(contact: Contact) -> None:
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, requested_priority="whenever")
    assert fields_of(error.value) == {"requested_priority"}
    assert not Ticket.objects.exists()


def test_it_validates_the_priority_against_the_contracts_scheme(contact: Contact) -> None:
    ContractFactory(
        organisation=contact.organisation, starts_on=LONG_AGO, priority_scheme="severity-1-4"
    )
    assert priorities.scheme_for(None).has("critical")

    with pytest.raises(ValidationError) as error:
        make_ticket(contact, requested_priority="critical")
    assert fields_of(error.value) == {"requested_priority"}

    ticket = make_ticket(contact, requested_priority="sev2")
    assert (ticket.priority, ticket.priority_rank) == ("sev2", 2)


def test_it_requests_the_priority_impact_and_urgency_give(contact: Contact, agent: User) -> None:
    ticket = make_ticket(contact, impact=Level.HIGH, urgency=Level.HIGH)
    assert ticket.requested_priority == "critical"
    assert (ticket.priority, ticket.priority_rank) == ("critical", 1)

    # It is the customer's request: the desk says why when it deviates from it.
    with pytest.raises(ValidationError) as error:
        ticket_change_priority(ticket=ticket, actor=agent, priority="low")
    assert fields_of(error.value) == {"priority_justification"}


def test_it_gives_the_schemes_default_without_impact_or_urgency(contact: Contact) -> None:
    assert make_ticket(contact, impact=Level.HIGH).priority == "normal"
    ContractFactory(
        organisation=contact.organisation, starts_on=LONG_AGO, priority_scheme="severity-1-4"
    )
    assert make_ticket(contact).priority == "sev3"


# --- which contract applies ---------------------------------------------------------


def test_it_picks_the_contract_that_covers_the_product(contact: Contact, product: Product) -> None:
    org = contact.organisation
    ContractFactory(organisation=org, starts_on=LONG_AGO)
    covering = ContractFactory(organisation=org, starts_on=datetime.date(2023, 1, 1))
    covering.products.add(product)

    assert make_ticket(contact, product=product).contract == covering


def test_it_takes_the_earliest_active_contract_without_a_product(contact: Contact) -> None:
    org = contact.organisation
    # Names sort the other way round, so only the start date can decide.
    ContractFactory(organisation=org, name="A later", starts_on=datetime.date(2023, 1, 1))
    earliest = ContractFactory(organisation=org, name="Z earliest", starts_on=LONG_AGO)
    ContractFactory(organisation=org, starts_on=LONG_AGO).products.add(ProductFactory())

    assert make_ticket(contact).contract == earliest


def test_it_takes_the_earliest_of_the_contracts_that_cover_the_product(
    contact: Contact, product: Product
) -> None:
    org = contact.organisation
    ContractFactory(organisation=org, name="Z earliest", starts_on=LONG_AGO)  # covers nothing
    later = ContractFactory(organisation=org, name="A later", starts_on=datetime.date(2024, 1, 1))
    earlier = ContractFactory(organisation=org, name="Y", starts_on=datetime.date(2021, 1, 1))
    later.products.add(product)
    earlier.products.add(product)

    assert make_ticket(contact, product=product).contract == earlier


def test_it_refuses_a_product_no_active_contract_covers(contact: Contact) -> None:
    org = contact.organisation
    product = ProductFactory(name="Payroll")
    ContractFactory(organisation=org, starts_on=LONG_AGO).products.add(
        ProductFactory(name="Invoicing"), ProductFactory(name="Archive")
    )
    ContractFactory(organisation=org, starts_on=LONG_AGO, active=False).products.add(product)

    assert contract_for(contact=contact, product=product, on=NOW.date()) is None
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, product=product, now=NOW)
    assert error.value.message_dict == {
        "product": [
            "Your organisation's contract does not cover Payroll. Covered: Archive, Invoicing."
        ]
    }
    assert not Ticket.objects.exists()


def test_it_serves_an_organisation_without_a_contract_best_effort(
    contact: Contact, product: Product
) -> None:
    ticket = make_ticket(contact, product=product)
    assert (ticket.contract, ticket.product) == (None, product)


@pytest.mark.parametrize(
    "dead",
    [
        {"active": False},
        {"ends_on": datetime.date(2025, 3, 3)},
        {"starts_on": datetime.date(2025, 3, 5)},
    ],
    ids=["inactive", "ended", "not-started"],
)
def test_it_ignores_contracts_that_do_not_apply_today(
    contact: Contact, product: Product, dead: dict[str, object]
) -> None:
    org = contact.organisation
    # Both cover the product; the older one would win if it applied today.
    fallback = ContractFactory(organisation=org, starts_on=datetime.date(2024, 1, 1))
    fallback.products.add(product)
    covering = ContractFactory(organisation=org, **{"starts_on": LONG_AGO, **dead})
    covering.products.add(product)

    assert make_ticket(contact, product=product, now=NOW).contract == fallback


def test_it_counts_the_last_day_of_a_contract(contact: Contact) -> None:
    last_day = ContractFactory(
        organisation=contact.organisation, starts_on=LONG_AGO, ends_on=NOW.date()
    )
    assert make_ticket(contact, now=NOW).contract == last_day


def test_it_never_takes_another_organisations_contract(contact: Contact, product: Product) -> None:
    ContractFactory(starts_on=LONG_AGO).products.add(product)
    assert make_ticket(contact, product=product).contract is None


def test_it_judges_contract_dates_in_the_desks_time_zone(contact: Contact) -> None:
    # 22:30 UTC on 1 June is 00:30 on 2 June in Amsterdam (TIME_ZONE): the contract has begun.
    starts = ContractFactory(organisation=contact.organisation, starts_on=datetime.date(2025, 6, 2))
    late = datetime.datetime(2025, 6, 1, 22, 30, tzinfo=UTC)
    assert make_ticket(contact, now=late).contract == starts


# --- seed 000: only the CPC and key users may report ----------------------------------


@pytest.fixture
def strict_product(contact: Contact) -> Product:
    """A product covered by a contract under which only the CPC and key users report."""
    product = ProductFactory()
    contract = ContractFactory(
        organisation=contact.organisation, starts_on=LONG_AGO, reporters=Reporters.CPC_AND_KEY_USERS
    )
    contract.products.add(product)
    return product


def test_it_refuses_a_plain_contact_under_a_cpc_only_contract(
    contact: Contact, strict_product: Product
) -> None:
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, product=strict_product)
    assert fields_of(error.value) == {"requester"}
    assert not Ticket.objects.exists()


def test_it_lets_the_cpc_report(contact: Contact, strict_product: Product) -> None:
    cpc = ContactFactory(organisation=contact.organisation, is_cpc=True)
    assert make_ticket(cpc, product=strict_product).requester == cpc


def test_it_lets_a_key_user_report_about_their_product(
    contact: Contact, strict_product: Product
) -> None:
    contact.key_user_products.add(strict_product)
    assert make_ticket(contact, product=strict_product).requester == contact


def test_it_refuses_a_key_user_for_another_product(
    contact: Contact, strict_product: Product
) -> None:
    contact.key_user_products.add(ProductFactory())
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, product=strict_product)
    assert fields_of(error.value) == {"requester"}


def test_it_lets_any_key_user_report_without_a_product(
    contact: Contact, strict_product: Product
) -> None:
    with pytest.raises(ValidationError):
        make_ticket(contact)
    contact.key_user_products.add(ProductFactory())
    assert make_ticket(contact).product is None


def test_it_lets_any_contact_report_under_an_open_contract(
    contact: Contact, product: Product
) -> None:
    ContractFactory(
        organisation=contact.organisation, starts_on=LONG_AGO, reporters=Reporters.ANY_CONTACT
    ).products.add(product)
    assert re.fullmatch(r"SD-\d{6}", make_ticket(contact, product=product).number)


# --- seed 003: the one automated completeness check ------------------------------------


def status_events(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, action="status_changed").order_by("pk"))


@pytest.mark.parametrize(
    "channel, by",
    [(Channel.API, "contact"), (Channel.PORTAL, "contact"), (Channel.EMAIL, "mail intake")],
    ids=["api", "portal", "mail"],
)
def test_it_sends_an_incomplete_request_back_to_the_customer(
    contact: Contact, channel: str, by: str
) -> None:
    # `reproducible` is given: left out, the service would record "unknown", not ask.
    details = {
        "description": "Printing fails.",
        "steps_taken": "Pressed Print.",
        "reproducible": "no",
    }
    ticket = ticket_create(
        requester=contact,
        title="Invoices do not print",
        channel=channel,
        details=details,
        actor=login_of(contact) if by == "contact" else None,
        now=NOW,
    )

    assert ticket.status == Status.WAITING_ON_CUSTOMER
    assert Ticket.objects.get(pk=ticket.pk).status == Status.WAITING_ON_CUSTOMER
    (event,) = status_events(ticket)
    assert (event.old_value, event.new_value, event.at) == ("new", "waiting_on_customer", NOW)
    assert event.actor is None  # the desk itself, not the reporter
    missing = completeness.missing_fields(Kind.INCIDENT, details)
    assert [field for field, _message in missing] == [
        "expected_result",
        "actual_result",
        "administration",
        "affected_users",
        "business_impact",
    ]
    for _field, message in missing:
        assert f"- {message}" in event.note
    assert str(completeness.MISSING["steps_taken"]) not in event.note


def test_it_mails_the_customer_what_is_missing(contact: Contact) -> None:
    ticket = ticket_create(
        requester=contact,
        title="Invoices do not print",
        channel=Channel.EMAIL,
        details={"description": "Printing fails."},
        now=NOW,
    )
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    # Waiting on the customer is only useful when the customer knows what to send.
    (question,) = OutboundMail.objects.filter(ticket=ticket, kind=OutboundKind.STATUS_CHANGED)
    assert question.to == contact.email
    (event,) = status_events(ticket)
    assert event.note and event.note in question.body_text  # the list of what is missing


@pytest.mark.parametrize("kind", [Kind.QUESTION, Kind.CHANGE_REQUEST, Kind.COMPLAINT])
def test_it_asks_for_what_the_kind_needs(contact: Contact, kind: str) -> None:
    ticket = ticket_create(requester=contact, title="Hello", kind=kind, now=NOW)
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    (event,) = status_events(ticket)
    for field in completeness.REQUIRED_BY_KIND[kind]:
        assert str(completeness.MISSING[field]) in event.note


@pytest.mark.parametrize(
    "kind", [Kind.INCIDENT, Kind.QUESTION, Kind.CHANGE_REQUEST, Kind.APPLICATION_SERVICE]
)
def test_it_leaves_a_complete_request_new(contact: Contact, kind: str) -> None:
    ticket = ticket_create(
        requester=contact,
        title="Hello",
        kind=kind,
        details=complete_details(kind),
        actor=login_of(contact),
        now=NOW,
    )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW
    assert status_events(ticket) == []


def test_it_checks_completeness_only_once_at_intake(contact: Contact, agent: User) -> None:
    complete = make_ticket(contact, now=NOW)
    # The customer empties a required field later: no second check sends it back.
    ticket_update(ticket=complete, actor=login_of(contact), changes={"steps_taken": ""})
    assert Ticket.objects.get(pk=complete.pk).status == Status.NEW

    incomplete = ticket_create(requester=contact, title="Printing", now=NOW)
    ticket_transition(ticket=incomplete, actor=agent, status=Status.IN_PROGRESS)
    # Still incomplete after an update, but the desk took it on: it stays in progress.
    ticket_update(ticket=incomplete, actor=login_of(contact), changes={"title": "Printing fails"})
    assert Ticket.objects.get(pk=incomplete.pk).status == Status.IN_PROGRESS
    assert [e.new_value for e in status_events(incomplete)] == [
        "waiting_on_customer",
        "in_progress",
    ]
    assert [e.new_value for e in status_events(complete)] == []


# --- seed 004: a contract may refuse requests by e-mail ---------------------------------


def test_it_refuses_a_mailed_request_under_a_contract_without_email(contact: Contact) -> None:
    ContractFactory(organisation=contact.organisation, starts_on=LONG_AGO, accepts_email=False)
    with pytest.raises(ValidationError) as error:
        make_ticket(contact, channel=Channel.EMAIL)
    assert fields_of(error.value) == {"channel"}
    assert not Ticket.objects.exists()

    assert make_ticket(contact, channel=Channel.PORTAL).channel == Channel.PORTAL


def test_it_takes_a_mailed_request_under_a_contract_with_email(contact: Contact) -> None:
    ContractFactory(organisation=contact.organisation, starts_on=LONG_AGO)
    assert make_ticket(contact, channel=Channel.EMAIL).channel == Channel.EMAIL
