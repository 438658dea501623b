"""Fixtures of the review pack tests: a customer under seed 003's service level with a
quarter of High incidents told through the services, its people, and staff in every role."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from servicedesk.accounts.models import Contact, Organisation, StaffRole, Supplier, User
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket
from tests.factories import (
    ContactFactory,
    ContractFactory,
    OrganisationFactory,
    StaffFactory,
    SupplierFactory,
    complete_details,
)
from tests.portal.fixtures import login
from tests.reports.conftest import HOUR, ams, workaround

QUARTER = "2026-Q1"
AFTER_QUARTER = ams(2026, 4, 15, 12)  # the quarter is over: its verdicts are decided


@pytest.fixture(autouse=True)
def english(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"
    settings.TIME_ZONE = "Europe/Amsterdam"


@pytest.fixture
def role_client(db: None) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        return login(StaffFactory(role=role))

    return make


@pytest.fixture
def manager_client(role_client: Callable[[str], Client]) -> Client:
    return role_client(StaffRole.SERVICE_MANAGER)


@pytest.fixture
def agent(db: None) -> User:
    return StaffFactory(first_name="Sanne", last_name="de Vries")


@pytest.fixture
def supplier(db: None) -> Supplier:
    return SupplierFactory(name="Acme Hosting")


def saas_contract_for(organisation: Organisation) -> Contract:
    """Seed 003: High / Medium / Low, workaround 90% within 24 h and 100% within 48 h."""
    return ContractFactory(
        organisation=organisation,
        service_level="saas-high-medium-low",
        priority_scheme="high-medium-low",
        starts_on=datetime.date(2025, 1, 1),
    )


@dataclass
class Customer:
    """An organisation under contract with its central point of contact and a reporter."""

    organisation: Organisation
    contract: Contract
    cpc: Contact
    reporter: Contact

    def report(
        self,
        at: datetime.datetime,
        priority: str = "high",
        kind: str = "incident",
        product: Product | None = None,
    ) -> Ticket:
        return services.ticket_create(
            requester=self.reporter,
            title=f"Invoices do not print ({at:%d %b %H:%M})",
            kind=kind,
            product=product,
            requested_priority=priority,
            details=complete_details(kind),
            now=at,
        )


def make_customer(name: str, code: str, *, language: str = "en") -> Customer:
    organisation = OrganisationFactory(name=name, code=code, language=language)
    contract = saas_contract_for(organisation)
    cpc = ContactFactory(organisation=organisation, is_cpc=True, language=language)
    reporter = ContactFactory(organisation=organisation, language=language)
    return Customer(organisation, contract, cpc, reporter)


@pytest.fixture
def customer(db: None) -> Customer:
    return make_customer("Kestrel Logistics BV", "kestrel")


@pytest.fixture
def other_customer(db: None) -> Customer:
    return make_customer("Bravo Freight BV", "bravo")


def tell_a_quarter(customer: Customer, agent: User) -> list[Ticket]:
    """Q1 2026 of High incidents: in January 5 with a workaround within 5 hours; in February
    20, of which one after 30 hours and one after 50; in March 4, one after 30 hours.
    The 24-hour target is met 5 + 18 + 3 = 26 times and missed 0 + 2 + 1 = 3 times."""
    tickets = []
    plan = [
        (ams(2026, 1, 5, 10), 5, {}),
        (ams(2026, 2, 2, 10), 20, {18: 30 * HOUR, 19: 50 * HOUR}),
        (ams(2026, 3, 2, 10), 4, {3: 30 * HOUR}),
    ]
    for first, count, late in plan:
        for n in range(count):
            ticket = customer.report(first + n * datetime.timedelta(days=1))
            workaround(ticket, agent, ticket.created_at + late.get(n, 5 * HOUR))
            tickets.append(ticket)
    return tickets
