"""Fixtures of the change tests: an organisation under a seed-003 contract with a CPC, key
users and a plain contact, the desk's staff, and a change request in progress."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module
from typing import Any

import pytest
from django.test import Client

from servicedesk.accounts.models import Contact, StaffRole, User
from servicedesk.automation.models import RaciEntry
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.tickets import services as ticket_services
from servicedesk.tickets.models import Kind, Status, Ticket
from tests.automation.helpers import local
from tests.factories import (
    ContactFactory,
    ContractFactory,
    ProductFactory,
    StaffFactory,
    TeamFactory,
    make_ticket,
)

# Monday 2 March 2026, 10:00 in Amsterdam: a plain working week follows.
MONDAY = local(2026, 3, 2, 10, 0)


@pytest.fixture(autouse=True)
def change_raci(db: None) -> None:
    """The `change_proposal` step's default rows (this app's migration), back if a
    transactional test flushed them."""
    seeded = import_module("servicedesk.changes.migrations.0002_raci_change_proposal")
    RaciEntry.objects.bulk_create(
        [RaciEntry(step=s, kind=k, role=r, letter=le) for s, k, r, le in seeded.DEFAULTS],
        ignore_conflicts=True,
    )


@dataclass
class World:
    contract: Contract
    product: Product
    other_product: Product
    cpc: Contact
    key_user: Contact
    other_key_user: Contact
    plain: Contact
    requester: Contact
    agent: User
    lead: User
    stranger: Contact


def build_world(**contract_fields: Any) -> World:
    """Return an organisation under a seed-003 contract (working days NL), its contacts and
    the desk's staff: an agent in a team led by a team lead."""
    contract_fields.setdefault("service_level", "saas-high-medium-low")
    contract_fields.setdefault("priority_scheme", "high-medium-low")
    contract_fields.setdefault("hourly_rate", Decimal("120.00"))
    contract_fields.setdefault("satisfaction_survey", False)
    contract = ContractFactory(starts_on=datetime.date(2026, 1, 1), **contract_fields)
    product = ProductFactory(name="Payroll")
    other_product = ProductFactory(name="Time sheets")
    contract.products.add(product, other_product)
    org = contract.organisation
    cpc = ContactFactory(organisation=org, name="Carla Centraal", is_cpc=True, language="nl")
    key_user = ContactFactory(organisation=org, name="Koen Key", language="fr")
    key_user.key_user_products.add(product)
    other_key_user = ContactFactory(organisation=org, name="Olga Other")
    other_key_user.key_user_products.add(other_product)
    plain = ContactFactory(organisation=org, name="Piet Plain")
    requester = ContactFactory(organisation=org, name="Rita Requester")
    lead = StaffFactory(role=StaffRole.TEAM_LEAD, first_name="Lotte", last_name="Lead")
    team = TeamFactory(lead=lead)
    agent = StaffFactory(first_name="Sanne", last_name="Agent")
    team.members.add(agent)
    return World(
        contract=contract,
        product=product,
        other_product=other_product,
        cpc=cpc,
        key_user=key_user,
        other_key_user=other_key_user,
        plain=plain,
        requester=requester,
        agent=agent,
        lead=lead,
        stranger=ContactFactory(name="Stella Stranger"),
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def change_request(
    world: World, *, kind: str = Kind.CHANGE_REQUEST, title: str = "Export to CSV"
) -> Ticket:
    """Return a ticket of the requester about the product, taken in progress by the agent
    with the team (so the service center's team lead is the ticket's)."""
    ticket = make_ticket(world.requester, kind=kind, product=world.product, title=title)
    team = world.lead.led_teams.first()
    ticket_services.ticket_assign(ticket=ticket, actor=world.agent, assignee=world.agent, team=team)
    if ticket.status != Status.IN_PROGRESS:
        ticket_services.ticket_transition(
            ticket=ticket, actor=world.agent, status=Status.IN_PROGRESS
        )
    return ticket


def signed_in(user: User | None) -> Client:
    """Return a client signed in as the user, as stored (factories do not save passwords)."""
    assert user is not None
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    return client
