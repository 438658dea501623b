"""Fixtures of the report tests: contracts under the seeds' service levels, staff in every
role, and tickets told through the services at chosen instants (Amsterdam time)."""

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from servicedesk.accounts.models import Contact, StaffRole, Supplier, User
from servicedesk.contracts.models import Contract
from servicedesk.reports.access import ReportReader
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket
from tests.factories import (
    ContactFactory,
    ContractFactory,
    StaffFactory,
    SupplierFactory,
    complete_details,
)

AMS = ZoneInfo("Europe/Amsterdam")
HOUR = datetime.timedelta(hours=1)
MANAGER_READER = ReportReader(organisation_id=None, internal=True, time_zone="Europe/Amsterdam")


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=AMS)


@pytest.fixture
def agent(db: None) -> User:
    return StaffFactory(first_name="Sanne", last_name="de Vries")


@pytest.fixture
def role_user(db: None) -> Callable[[str], User]:
    def make(role: str) -> User:
        user: User = StaffFactory(role=role)
        return user

    return make


@pytest.fixture
def manager(role_user: Callable[[str], User]) -> User:
    return role_user(StaffRole.SERVICE_MANAGER)


@pytest.fixture
def saas_contract(db: None) -> Contract:
    """Seed 003: High / Medium / Low, workaround 90% within 24 h and 100% within 48 h."""
    return ContractFactory(
        service_level="saas-high-medium-low",
        priority_scheme="high-medium-low",
        starts_on=datetime.date(2025, 1, 1),
    )


@pytest.fixture
def p_contract(db: None) -> Contract:
    """Seed 001: P1-P5, reaction 100% and restore 95% in office hours 09:00-17:30."""
    return ContractFactory(
        service_level="impact-urgency-nl-office-hours",
        priority_scheme="impact-urgency-p1-p5",
        starts_on=datetime.date(2025, 1, 1),
    )


@pytest.fixture
def supplier(db: None) -> Supplier:
    return SupplierFactory(name="Acme Hosting")


def requester_of(contract: Contract) -> Contact:
    contact: Contact = ContactFactory(organisation=contract.organisation)
    return contact


Report = Callable[..., Ticket]


@pytest.fixture
def report() -> Report:
    """Report a complete incident for the contract's organisation at `at`."""

    def make(
        contract: Contract, at: datetime.datetime, priority: str, kind: str = "incident"
    ) -> Ticket:
        return services.ticket_create(
            requester=requester_of(contract),
            title="Invoices do not print",
            kind=kind,
            requested_priority=priority,
            details=complete_details(kind),
            now=at,
        )

    return make


def workaround(ticket: Ticket, agent: User, at: datetime.datetime) -> None:
    """An agent's public reply with a workaround: reaction, workaround and restore met."""
    services.ticket_add_message(
        ticket=ticket, body="Use the PDF export meanwhile.", author=agent, workaround=True, now=at
    )


def reply(ticket: Ticket, agent: User, at: datetime.datetime) -> None:
    """An agent's public reply: a reaction, nothing more."""
    services.ticket_add_message(ticket=ticket, body="We are looking into it.", author=agent, now=at)


def to_supplier_and_back(ticket: Ticket, agent: User, supplier: Supplier) -> None:
    """Monday 2 March 2026: in progress at 09:30, with the supplier 10:00-15:00."""
    services.ticket_transition(
        ticket=ticket, actor=agent, status="in_progress", now=ams(2026, 3, 2, 9, 30)
    )
    services.ticket_transition(
        ticket=ticket,
        actor=agent,
        status="waiting_on_supplier",
        supplier=supplier,
        supplier_reference="ACME-1234",
        now=ams(2026, 3, 2, 10),
    )
    services.ticket_transition(
        ticket=ticket, actor=agent, status="in_progress", now=ams(2026, 3, 2, 15)
    )
