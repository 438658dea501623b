"""Fixtures of the outage pages' tests: a team lead who may publish (the RACI's default for
the outage step), a notice about the customer's product, and another organisation with a
product and a notice of its own."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from servicedesk.accounts.models import Contact, StaffRole, User
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.outages.models import Outage, OutageState
from servicedesk.outages.services import outage_create
from servicedesk.tickets.models import Ticket
from tests.factories import (
    ContactFactory,
    ContractFactory,
    ProductFactory,
    StaffFactory,
    make_ticket,
)
from tests.portal.fixtures import login


def publish(
    *,
    lead: User,
    products: list[Product],
    title: str = "Invoices cannot be sent",
    started_at: datetime.datetime | None = None,
    symptoms: str = "Sending an invoice shows “server unavailable”.",
) -> Outage:
    """Publish a notice through the service, as the desk does."""
    return outage_create(
        actor=lead,
        title=title,
        products=products,
        started_at=started_at or timezone.now() - datetime.timedelta(minutes=30),
        symptoms=symptoms,
        impact="high",
        manager=lead,
    )


def close(outage: Outage, *, at: datetime.datetime) -> None:
    """Set a notice closed at a time (the worker closes it 4 hours after the solution)."""
    Outage.objects.filter(pk=outage.pk).update(
        state=OutageState.CLOSED, resolved_at=at - datetime.timedelta(hours=4), closed_at=at
    )


@pytest.fixture
def lead(db: None) -> User:
    """A team lead: responsible for outage communication in the RACI's defaults."""
    return StaffFactory(first_name="Tara", last_name="Lead", role=StaffRole.TEAM_LEAD)


@pytest.fixture
def lead_client(lead: User) -> Client:
    return login(lead)


@pytest.fixture
def outage(lead: User, product: Product, contract: Contract) -> Outage:
    return publish(lead=lead, products=[product])


@pytest.fixture
def other_product(db: None) -> Product:
    return ProductFactory(name="Heron Payroll")


@pytest.fixture
def other_contract(other_product: Product) -> Contract:
    contract = ContractFactory(organisation__name="Other Org")
    contract.products.add(other_product)
    return contract


@pytest.fixture
def other_customer(other_contract: Contract) -> Contact:
    """A contact of another organisation, whose contract covers only the other product."""
    return ContactFactory(organisation=other_contract.organisation, name="Olga Other")


@pytest.fixture
def other_outage(lead: User, other_product: Product, other_contract: Contract) -> Outage:
    return publish(lead=lead, products=[other_product], title="Payslips are empty")


def ticket_of(contact: Contact, product: Product, title: str = "Cannot send invoices") -> Ticket:
    return make_ticket(contact, product=product, title=title)
