"""Channel x rule: every intake rule of `ticket_create` holds whichever door a request comes
in by, driven through the real adapters (portal form, API, mail intake, desk phone form).

tests/tickets/test_intake_rules.py calls the service with each channel value; here each
door parses its own input, so a door that drops, renames or pre-empts a field shows up.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import resolve, reverse

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract, Reporters
from servicedesk.mail.intake import mail_ingest
from servicedesk.mail.models import InboundMail, InboundStatus, Mailbox, OutboundKind, OutboundMail
from servicedesk.tickets.models import Channel, EventAction, Status, Ticket, TicketEvent
from tests.conftest import client_for
from tests.factories import ContactFactory, ProductFactory, complete_details, make_ticket
from tests.mail.conftest import mail_settings  # noqa: F401 -- autouse: the desk's addresses
from tests.mail.helpers import compose
from tests.portal.fixtures import login

pytestmark = pytest.mark.django_db

# The doors a new ticket with a product, impact and urgency comes in by.
PORTAL, API_CONTACT, API_STAFF, PHONE = "portal", "api-contact", "api-staff", "phone"
FORM_DOORS = [PORTAL, API_CONTACT, API_STAFF, PHONE]
CHANNEL_OF = {
    PORTAL: Channel.PORTAL,
    API_CONTACT: Channel.API,
    API_STAFF: Channel.API,
    PHONE: Channel.PHONE,
}
MISSING_INCIDENT = ("Tell us what you did", "Describe the impact on your business")


@dataclass(frozen=True)
class Answer:
    """What a door answered: the ticket it made, if any, and its errors by field
    ("" for an error above the form)."""

    ticket: Ticket | None
    errors: dict[str, list[str]]


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def uncovered(db: None) -> Product:
    """An active product the organisation's contract does not cover."""
    return ProductFactory(name="Osprey Warehouse")


@pytest.fixture
def mailbox(product: Product) -> Mailbox:
    """The mailbox of the covered product."""
    return Mailbox.objects.create(name="invoicing", product=product)


@pytest.fixture
def reporters_limited(contract: Contract) -> Contract:
    contract.reporters = Reporters.CPC_AND_KEY_USERS
    contract.save()
    return contract


@pytest.fixture
def portal_only(contract: Contract) -> Contract:
    contract.accepts_email = False
    contract.save()
    return contract


# ----------------------------------------------------------------------------- the doors


def via_portal(
    requester: Contact,
    *,
    kind: str = "incident",
    title: str = "Invoices do not print",
    product: Product | None = None,
    impact: str = "",
    urgency: str = "",
    details: dict[str, str] | None = None,
) -> Answer:
    """Post the portal's report form as the requester."""
    data: dict[str, Any] = {"title": title, "product": product.pk if product else ""}
    data.update({"impact": impact, "urgency": urgency} if kind == "incident" else {})
    data.update(details or {})
    response = login(requester.user).post(reverse("portal:report", args=[kind]), data)
    if response.status_code == 302:
        number = resolve(response["Location"]).kwargs["number"]
        return Answer(Ticket.objects.get(number=number), {})
    assert response.status_code == 200
    errors = response.context["form"].errors
    return Answer(None, {("" if k == "__all__" else k): list(v) for k, v in errors.items()})


def via_api(
    user: User,
    *,
    requester: Contact | None = None,
    kind: str = "incident",
    title: str = "Invoices do not print",
    product: Product | None = None,
    impact: str = "",
    urgency: str = "",
    details: dict[str, str] | None = None,
) -> Answer:
    """POST /api/v1/tickets/ with the user's token (staff name the requester)."""
    data: dict[str, Any] = {"title": title, "kind": kind, **(details or {})}
    if requester is not None:
        data["requester"] = requester.pk
    if product is not None:
        data["product"] = product.pk
    if impact or urgency:
        data.update(impact=impact, urgency=urgency)
    response = client_for(user).post("/api/v1/tickets/", data, format="json")
    if response.status_code == 201:
        return Answer(Ticket.objects.get(number=response.json()["number"]), {})
    assert response.status_code == 400, response.content
    return Answer(None, {k: list(v) for k, v in response.json().items()})


def via_phone(
    agent: User,
    caller: Contact,
    *,
    kind: str = "incident",
    title: str = "Invoices do not print",
    product: Product | None = None,
    impact: str = "",
    urgency: str = "",
    summary: str = "Caller says invoices do not print.",
) -> Answer:
    """Post the desk's phone form: a new ticket for the caller."""
    data = {
        "caller": caller.pk,
        "ticket": "",
        "summary": summary,
        "visibility": "internal",
        "kind": kind,
        "product": product.pk if product else "",
        "title": title,
        "impact": impact,
        "urgency": urgency,
    }
    response = login(agent).post(reverse("desk:phone"), data)
    if response.status_code == 302:
        number = resolve(response["Location"]).kwargs["number"]
        return Answer(Ticket.objects.get(number=number), {})
    assert response.status_code == 200
    errors = response.context["form"].errors
    return Answer(None, {("" if k == "__all__" else k): list(v) for k, v in errors.items()})


def via_door(door: str, requester: Contact, agent: User, **request: Any) -> Answer:
    """Report through one of the form doors; the request is a complete incident unless the
    test says otherwise."""
    details = request.pop("details", complete_details("incident"))
    if door == PORTAL:
        return via_portal(requester, details=details, **request)
    if door == API_CONTACT:
        assert requester.user is not None
        return via_api(requester.user, details=details, **request)
    if door == API_STAFF:
        return via_api(agent, requester=requester, details=details, **request)
    assert door == PHONE
    return via_phone(agent, requester, **request)


def via_mail(
    sender: Contact, *, body: str = "Invoices do not print.\n", mailbox: Mailbox | None = None
) -> InboundMail:
    """Receive a new mail from the contact, as a receiver hands it to the intake."""
    raw = compose(
        sender=f"{sender.name} <{sender.email}>", subject="Invoices do not print", body=body
    )
    return mail_ingest(raw, source="test", mailbox=mailbox)


# ----------------------------------------------------------------------------- 1. coverage


@pytest.mark.parametrize("door", FORM_DOORS)
def test_it_refuses_a_product_the_contract_does_not_cover(
    door: str, customer: Contact, staff: User, product: Product, uncovered: Product
) -> None:
    answer = via_door(door, customer, staff, product=uncovered)

    assert answer.ticket is None
    (message,) = answer.errors["product"]
    assert "does not cover Osprey Warehouse" in message
    assert "Covered: Kestrel Invoicing." in message
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("door", FORM_DOORS)
def test_it_takes_a_covered_product_under_its_contract(
    door: str, customer: Contact, staff: User, product: Product, contract: Contract
) -> None:
    answer = via_door(door, customer, staff, product=product)

    assert answer.ticket is not None, answer.errors
    assert (answer.ticket.product, answer.ticket.contract) == (product, contract)
    assert answer.ticket.channel == CHANNEL_OF[door]


def test_it_takes_mail_to_an_uncovered_products_mailbox_without_the_product(
    customer: Contact, contract: Contract, uncovered: Product
) -> None:
    inbound = via_mail(customer, mailbox=Mailbox.objects.create(name="wms", product=uncovered))

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.ticket is not None
    assert inbound.ticket.product is None
    assert inbound.ticket.contract == contract
    assert inbound.ticket.channel == Channel.EMAIL


def test_it_takes_mail_to_a_covered_products_mailbox_with_the_product(
    customer: Contact, product: Product, mailbox: Mailbox
) -> None:
    inbound = via_mail(customer, mailbox=mailbox)

    assert inbound.ticket is not None
    assert inbound.ticket.product == product


def test_it_refuses_the_desk_an_uncovered_product_on_edit(
    customer: Contact, staff: User, product: Product, uncovered: Product
) -> None:
    ticket = make_ticket(customer, product=product)
    data = {"edit-title": ticket.title, "edit-kind": ticket.kind, "edit-product": uncovered.pk}

    response = login(staff).post(reverse("desk:edit", args=[ticket.number]), data)

    assert response.status_code == 200
    (message,) = response.context["edit_form"].errors["product"]
    assert "does not cover Osprey Warehouse" in message
    assert "Covered: Kestrel Invoicing." in message
    ticket.refresh_from_db()
    assert ticket.product == product
    assert not ticket.events.filter(action=EventAction.UPDATED).exists()


# ----------------------------------------------------------------------------- 2. priority


@pytest.mark.parametrize("door", FORM_DOORS)
@pytest.mark.parametrize(
    ("impact", "urgency", "expected"), [("medium", "high", "p2"), ("low", "low", "p5")]
)
def test_it_requests_the_priority_the_contracts_scheme_gives(
    door: str,
    customer: Contact,
    staff: User,
    product: Product,
    impact: str,
    urgency: str,
    expected: str,
) -> None:
    answer = via_door(door, customer, staff, product=product, impact=impact, urgency=urgency)

    assert answer.ticket is not None, answer.errors
    assert (answer.ticket.impact, answer.ticket.urgency) == (impact, urgency)
    assert answer.ticket.requested_priority == expected


# ----------------------------------------------------------------------------- 3. completeness


def assert_sent_back(ticket: Ticket, requester: Contact) -> None:
    """The ticket waits on the customer, who is mailed the list the status event names."""
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    event = TicketEvent.objects.get(
        ticket=ticket, action=EventAction.STATUS_CHANGED, new_value=Status.WAITING_ON_CUSTOMER
    )
    asked = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.STATUS_CHANGED)
    assert asked.to == requester.email
    for item in MISSING_INCIDENT:
        assert item in event.note
        assert item in asked.body_text


@pytest.mark.parametrize("door", [API_CONTACT, API_STAFF])
def test_it_sends_an_api_request_with_only_a_title_back(
    door: str, customer: Contact, staff: User
) -> None:
    answer = via_door(door, customer, staff, details={})

    assert answer.ticket is not None, answer.errors
    assert_sent_back(answer.ticket, customer)


def test_it_sends_a_mail_with_only_a_body_back(customer: Contact) -> None:
    inbound = via_mail(customer, body="Invoices do not print since this morning.\n")

    assert inbound.ticket is not None
    assert_sent_back(inbound.ticket, customer)


def test_it_sends_a_call_with_only_a_summary_back(customer: Contact, staff: User) -> None:
    answer = via_phone(staff, customer, kind="incident")

    assert answer.ticket is not None, answer.errors
    assert_sent_back(answer.ticket, customer)


@pytest.mark.parametrize(
    ("door", "kind"),
    [(PORTAL, "incident"), (API_CONTACT, "incident"), (API_STAFF, "incident"), (PHONE, "question")],
)
def test_it_leaves_a_complete_request_new(
    door: str, kind: str, customer: Contact, staff: User, product: Product
) -> None:
    # A call carries only a summary: complete for a question, which needs only a description.
    answer = via_door(door, customer, staff, kind=kind, product=product)

    assert answer.ticket is not None, answer.errors
    assert answer.ticket.status == Status.NEW
    assert not OutboundMail.objects.filter(kind=OutboundKind.STATUS_CHANGED).exists()


def test_it_has_the_portal_form_refuse_an_incomplete_report_itself(
    customer: Contact, product: Product
) -> None:
    details = complete_details("incident", steps_taken="", business_impact="")

    answer = via_portal(customer, product=product, details=details)

    assert answer.ticket is None
    assert answer.errors["steps_taken"] == ["Tell us what you did: the steps taken."]
    assert answer.errors["business_impact"] == ["Describe the impact on your business."]
    assert not Ticket.objects.exists()


# ----------------------------------------------------------------------------- 4. reporters


def test_it_refuses_a_contact_reporting_for_a_colleague_by_api(
    customer: Contact, colleague: Contact, staff: User
) -> None:
    assert customer.user is not None
    answer = via_api(customer.user, requester=colleague, details=complete_details())

    assert answer.ticket is None
    assert "requester" in answer.errors
    assert not Ticket.objects.exists()


def test_it_lets_staff_report_for_any_contact_by_api(colleague: Contact, staff: User) -> None:
    answer = via_api(staff, requester=colleague, details=complete_details())

    assert answer.ticket is not None, answer.errors
    assert answer.ticket.requester == colleague


# Where each door shows the refusal: above the portal's form, on the API's `requester`,
# on the phone form's caller.
REQUESTER_FIELD = {PORTAL: "", API_CONTACT: "requester", API_STAFF: "requester", PHONE: "caller"}


@pytest.mark.parametrize("door", FORM_DOORS)
def test_it_refuses_a_plain_contact_where_only_cpc_and_key_users_report(
    door: str, reporters_limited: Contract, customer: Contact, staff: User, product: Product
) -> None:
    answer = via_door(door, customer, staff, product=product)

    assert answer.ticket is None
    messages = answer.errors[REQUESTER_FIELD[door]]
    assert any("only the central point of contact" in m for m in messages), answer.errors
    assert not Ticket.objects.exists()


def test_it_answers_a_plain_contacts_mail_politely_where_only_cpc_and_key_users_report(
    reporters_limited: Contract, customer: Contact, mailbox: Mailbox
) -> None:
    ContactFactory(organisation=reporters_limited.organisation, name="Carla Kok", is_cpc=True)

    inbound = via_mail(customer, mailbox=mailbox)

    assert inbound.status == InboundStatus.REFUSED
    assert inbound.ticket is None
    assert not Ticket.objects.exists()
    (answer,) = OutboundMail.objects.filter(kind=OutboundKind.REFUSED_REPORTER)
    assert answer.to == customer.email
    assert "Carla Kok" in answer.body_text


@pytest.mark.parametrize("door", [PORTAL, API_CONTACT, "mail"])
@pytest.mark.parametrize("role", ["cpc", "key user"])
def test_it_takes_the_cpc_and_key_users_where_only_they_report(
    door: str,
    role: str,
    reporters_limited: Contract,
    staff: User,
    product: Product,
    mailbox: Mailbox,
) -> None:
    reporter = ContactFactory(organisation=reporters_limited.organisation, is_cpc=role == "cpc")
    if role == "key user":
        reporter.key_user_products.add(product)

    if door == "mail":
        ticket = via_mail(reporter, mailbox=mailbox).ticket
    else:
        answer = via_door(door, reporter, staff, product=product)
        assert not answer.errors
        ticket = answer.ticket

    assert ticket is not None
    assert ticket.requester == reporter


# ----------------------------------------------------------------------------- 5. portal only


def test_it_answers_mail_under_a_portal_only_contract_with_the_portal(
    portal_only: Contract, customer: Contact, mailbox: Mailbox
) -> None:
    inbound = via_mail(customer, mailbox=mailbox)

    assert inbound.status == InboundStatus.REFUSED
    assert inbound.ticket is None
    assert not Ticket.objects.exists()
    (answer,) = OutboundMail.objects.filter(kind=OutboundKind.REFUSED_CHANNEL)
    assert answer.to == customer.email


@pytest.mark.parametrize("door", FORM_DOORS)
def test_it_takes_the_other_doors_under_a_portal_only_contract(
    door: str, portal_only: Contract, customer: Contact, staff: User, product: Product
) -> None:
    answer = via_door(door, customer, staff, product=product)

    assert answer.ticket is not None, answer.errors
    assert answer.ticket.contract == portal_only
    assert answer.ticket.channel == CHANNEL_OF[door]
