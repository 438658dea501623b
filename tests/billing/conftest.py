"""Fixtures of the billing tests: a desk (agent, team lead, service manager), a customer
organisation under contract with its central point of contact, tickets, credit bundles."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, StaffRole, User
from servicedesk.billing.models import BundleKind, CreditBundle
from servicedesk.contracts.models import Contract
from servicedesk.tickets.models import Ticket
from tests.factories import ContactFactory, ContractFactory, StaffFactory, make_ticket

JAN_1 = datetime.date(2026, 1, 1)
DEC_31 = datetime.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def billing_settings(settings: Settings) -> None:
    """Tasks run when queued (on commit), English pages."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "en"


@dataclass
class Desk:
    agent: User
    lead: User
    manager: User
    contract: Contract
    cpc: Contact
    requester: Contact
    ticket: Ticket


def bundle(contract: Contract, hours: str | int, **fields: Any) -> CreditBundle:
    """Return a new credit bundle of the contract, valid through 2026 unless said."""
    fields.setdefault("valid_from", JAN_1)
    fields.setdefault("valid_to", DEC_31)
    fields.setdefault("kind", BundleKind.CREDIT)
    fields.setdefault("name", f"{hours} hours")
    return CreditBundle.objects.create(contract=contract, hours=Decimal(str(hours)), **fields)


@pytest.fixture
def desk(db: None) -> Desk:
    agent = StaffFactory(first_name="Aart", last_name="Agent")
    lead = StaffFactory(role=StaffRole.TEAM_LEAD, first_name="Lea", last_name="Lead")
    manager = StaffFactory(
        role=StaffRole.SERVICE_MANAGER,
        first_name="Sam",
        last_name="Manager",
        email="sam@vendor.example",
    )
    contract = ContractFactory(starts_on=JAN_1, organisation__name="Van den Berg")
    cpc = ContactFactory(
        organisation=contract.organisation,
        name="Carla CPC",
        email="carla@vandenberg.example",
        is_cpc=True,
        language="nl",
    )
    requester = ContactFactory(organisation=contract.organisation, name="Rob Requester")
    ticket = make_ticket(requester, title="Invoices do not print")
    assert ticket.contract_id == contract.pk
    return Desk(agent, lead, manager, contract, cpc, requester, ticket)
