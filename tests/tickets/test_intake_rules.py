"""The intake rules hold for every channel, because every channel goes through ticket_create."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from servicedesk.accounts.models import Contact
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.mail.models import OutboundMail
from servicedesk.tickets import services
from servicedesk.tickets.models import Channel, Status, TicketClock, TicketEvent
from tests.factories import (
    ContactFactory,
    ContractFactory,
    ProductFactory,
    StaffFactory,
    complete_details,
)
from tests.tickets.helpers import login_of

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
CHANNELS = [Channel.PORTAL, Channel.EMAIL, Channel.API, Channel.PHONE]


@pytest.fixture
def contract() -> Contract:
    return ContractFactory(
        service_level="severity-nl-office-hours",
        priority_scheme="severity-1-4",
        starts_on=datetime.date(2026, 1, 1),
    )


@pytest.fixture
def requester(contract: Contract) -> Contact:
    return ContactFactory(organisation=contract.organisation, email="jan@klant.example")


def _reporter(channel: str, requester: Contact) -> object:
    """Return who reports by this channel: staff log calls, customers report themselves."""
    return StaffFactory() if channel == Channel.PHONE else login_of(requester)


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_sends_an_incomplete_request_back_with_what_is_missing(
    requester: Contact, channel: str
) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="It does not work",
        channel=channel,
        actor=_reporter(channel, requester),  # type: ignore[arg-type]
    )

    assert ticket.status == Status.WAITING_ON_CUSTOMER
    event = TicketEvent.objects.get(ticket=ticket, action="status_changed")
    assert event.actor is None
    assert "what you did" in event.note and "impact on your business" in event.note
    asked = OutboundMail.objects.get(ticket=ticket, kind="status_changed")
    assert asked.to == "jan@klant.example"
    assert "what you did" in asked.body_text


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_leaves_a_complete_request_new(requester: Contact, channel: str) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="Invoices do not print",
        channel=channel,
        details=complete_details("incident"),
        actor=_reporter(channel, requester),  # type: ignore[arg-type]
    )

    assert ticket.status == Status.NEW
    assert not OutboundMail.objects.filter(ticket=ticket, kind="status_changed").exists()


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_refuses_a_product_the_contract_does_not_cover(
    requester: Contact, contract: Contract, channel: str
) -> None:
    covered = ProductFactory(name="Payroll")
    contract.products.add(covered)
    elsewhere: Product = ProductFactory(name="Logistics")

    with pytest.raises(ValidationError) as refused:
        services.ticket_create(
            requester=requester,
            title="Stock is wrong",
            channel=channel,
            product=elsewhere,
            details=complete_details("incident"),
            actor=_reporter(channel, requester),  # type: ignore[arg-type]
        )

    (message,) = refused.value.message_dict["product"]
    assert "Logistics" in message and "Covered: Payroll" in message


def test_it_takes_a_covered_product_under_the_contract_that_covers_it(
    requester: Contact, contract: Contract
) -> None:
    product = ProductFactory()
    contract.products.add(product)

    ticket = services.ticket_create(
        requester=requester, title="x", product=product, details=complete_details("incident")
    )

    assert ticket.contract == contract


@pytest.mark.parametrize("channel", CHANNELS)
def test_it_derives_the_requested_priority_from_impact_and_urgency(
    requester: Contact, channel: str
) -> None:
    ticket = services.ticket_create(
        requester=requester,
        title="Everyone is blocked",
        channel=channel,
        impact="high",
        urgency="high",
        details=complete_details("incident"),
        actor=_reporter(channel, requester),  # type: ignore[arg-type]
    )

    assert ticket.requested_priority == ticket.priority
    assert ticket.requested_priority != ""
    staff = StaffFactory()
    with pytest.raises(ValidationError) as refused:
        services.ticket_change_priority(ticket=ticket, actor=staff, priority="sev4")
    assert "priority_justification" in refused.value.message_dict


def test_it_refuses_mail_under_a_portal_only_contract(
    requester: Contact, contract: Contract
) -> None:
    contract.accepts_email = False
    contract.save()

    with pytest.raises(ValidationError) as refused:
        services.ticket_create(
            requester=requester,
            title="By mail",
            channel=Channel.EMAIL,
            details=complete_details("incident"),
        )

    assert "channel" in refused.value.message_dict
    portal = services.ticket_create(
        requester=requester, title="In the portal", details=complete_details("incident")
    )
    assert portal.channel == Channel.PORTAL


def test_it_refuses_a_customer_reporting_for_someone_else(requester: Contact) -> None:
    colleague = ContactFactory(organisation=requester.organisation)

    with pytest.raises(ValidationError) as refused:
        services.ticket_create(
            requester=colleague,
            title="x",
            details=complete_details("incident"),
            actor=login_of(requester),
        )

    assert "requester" in refused.value.message_dict


def test_it_refuses_a_phone_call_logged_by_a_customer(requester: Contact) -> None:
    with pytest.raises(ValidationError) as refused:
        services.ticket_create(
            requester=requester,
            title="x",
            channel=Channel.PHONE,
            details=complete_details("incident"),
            actor=login_of(requester),
        )

    assert "channel" in refused.value.message_dict


def test_it_mails_the_question_and_counts_it_as_the_first_reaction(requester: Contact) -> None:
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 0, tzinfo=AMS), tick=False):
        ticket = services.ticket_create(
            requester=requester, title="x", details=complete_details("incident")
        )
    agent = StaffFactory()
    asked_at = datetime.datetime(2026, 6, 1, 10, 10, tzinfo=AMS)
    with time_machine.travel(asked_at, tick=False):
        services.ticket_transition(
            ticket=ticket,
            actor=agent,
            status=Status.WAITING_ON_CUSTOMER,
            note="Which printer do you use?",
        )

    asked = OutboundMail.objects.get(ticket=ticket, kind="status_changed")
    assert "Which printer do you use?" in asked.body_text
    clock = TicketClock.objects.get(ticket=ticket, key="first_response")
    assert clock.state == "met"
    assert clock.met_at == asked_at
