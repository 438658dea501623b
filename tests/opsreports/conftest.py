"""Fixtures of the operational report tests: two customers under contract, two product
groups, a team, and staff in every role that reads reports or does not."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, StaffRole, Team, User
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.tickets.models import Ticket
from tests.automation.helpers import at, committed
from tests.factories import (
    ContactFactory,
    ContractFactory,
    ProductFactory,
    ProductGroupFactory,
    StaffFactory,
    TeamFactory,
    make_ticket,
)


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Settings) -> None:
    """Run tasks when queued (on commit), so a test sees the mail sent."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "en"


@dataclass
class Customer:
    contract: Contract
    requester: Contact
    cpc: Contact


@dataclass
class World:
    payroll: Product  # in group "Payroll"
    finance: Product  # in group "Finance"
    a: Customer
    b: Customer
    team: Team
    lead: User
    manager: User
    agent: User


def customer(name: str, *products: Product) -> Customer:
    contract = ContractFactory(
        organisation__name=name, starts_on=datetime.date(2026, 1, 1), name=f"{name} support"
    )
    contract.products.add(*products)
    requester = ContactFactory(organisation=contract.organisation, name=f"{name} reporter")
    cpc = ContactFactory(organisation=contract.organisation, name=f"{name} CPC", is_cpc=True)
    return Customer(contract, requester, cpc)


@pytest.fixture
def world(db: None) -> World:
    payroll = ProductFactory(name="Payroll app", group=ProductGroupFactory(name="Payroll"))
    finance = ProductFactory(name="Ledger", group=ProductGroupFactory(name="Finance"))
    lead = StaffFactory(role=StaffRole.TEAM_LEAD, first_name="Lea", email="lea@vendor.example")
    manager = StaffFactory(
        role=StaffRole.SERVICE_MANAGER, first_name="Sam", email="sam@vendor.example"
    )
    agent = StaffFactory(first_name="Aart", email="aart@vendor.example")
    team = TeamFactory(lead=lead, name="Payroll team")
    team.members.add(agent)
    return World(
        payroll=payroll,
        finance=finance,
        a=customer("Alpha BV", payroll, finance),
        b=customer("Bravo BV", payroll),
        team=team,
        lead=lead,
        manager=manager,
        agent=agent,
    )


def ticket_at(
    moment: datetime.datetime, requester: Contact, *, product: Product | None, **kwargs: Any
) -> Ticket:
    """Return a ticket reported at `moment` (its mails sent)."""
    kwargs.setdefault("requested_priority", "sev3")
    with at(moment), committed():
        return make_ticket(requester, product=product, **kwargs)
