"""Fixtures of the survey tests: a team with its lead, a customer under contract, tickets
closed as the desk closes them."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, StaffRole, Team, User
from servicedesk.contracts.models import Contract
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket
from tests.automation.helpers import committed
from tests.factories import ContactFactory, ContractFactory, StaffFactory, TeamFactory, make_ticket


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Settings) -> None:
    """Run tasks when queued (on commit), so a test sees the mail sent."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "en"


@dataclass
class Desk:
    lead: User
    agent: User
    team: Team
    contract: Contract
    requester: Contact


@pytest.fixture
def desk(db: None) -> Desk:
    """A team led by Lea, an agent in it, and a Dutch-speaking requester under contract."""
    lead = StaffFactory(
        role=StaffRole.TEAM_LEAD, first_name="Lea", last_name="Lead", email="lea@vendor.example"
    )
    agent = StaffFactory(first_name="Aart", last_name="Agent")
    team = TeamFactory(lead=lead)
    team.members.add(agent)
    contract = ContractFactory(starts_on=datetime.date(2026, 1, 1))
    requester = ContactFactory(
        organisation=contract.organisation, name="Carla Klant", language="nl"
    )
    return Desk(lead, agent, team, contract, requester)


def close(ticket: Ticket, agent: User, **kwargs: Any) -> Ticket:
    """Close the ticket as the agent does, with what the commit sends."""
    kwargs.setdefault("note", "Fixed in the latest release.")
    with committed():
        return services.ticket_transition(
            ticket=ticket, actor=agent, status=Status.CLOSED, **kwargs
        )


def closed_ticket(desk: Desk, *, title: str = "Invoices do not print", **kwargs: Any) -> Ticket:
    """Return a ticket of the desk's requester, handled by the team and closed by the agent."""
    with committed():
        ticket = make_ticket(desk.requester, title=title)
        services.ticket_assign(ticket=ticket, actor=desk.lead, assignee=desk.agent, team=desk.team)
    return close(ticket, desk.agent, **kwargs)
