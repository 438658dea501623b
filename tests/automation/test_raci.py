"""The RACI matrix: seeded from seed 003, editable by administrators, used for recipients."""

from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from servicedesk.accounts.models import StaffRole
from servicedesk.automation.models import RaciEntry, RaciStep
from servicedesk.automation.raci import default_entries, load_matrix, recipients
from servicedesk.tickets import services
from servicedesk.tickets.models import Kind, Ticket
from tests.automation.helpers import Desk
from tests.factories import StaffFactory, complete_details

pytestmark = pytest.mark.django_db


def test_it_is_seeded_with_the_defaults() -> None:
    stored = set(RaciEntry.objects.values_list("step", "kind", "role", "letter"))
    assert stored == set(default_entries())


def test_it_follows_seed_003_for_incidents() -> None:
    matrix = load_matrix()
    assert matrix["intake", Kind.INCIDENT] == {
        "customer": {"I"},
        "agent": {"R"},
        "team_lead": {"A"},
    }
    assert matrix["escalation", Kind.INCIDENT]["service_manager"] == {"I"}
    assert "service_manager" not in matrix["escalation", Kind.QUESTION]  # 003: "N/A"
    assert matrix["handling", Kind.COMPLAINT]["service_manager"] == {"R"}
    assert matrix["outage", Kind.INCIDENT]["team_lead"] == {"R", "A"}


@pytest.fixture
def ticket(desk: Desk) -> Ticket:
    ticket = services.ticket_create(
        requester=desk.requester, title="Down", details=complete_details()
    )
    return services.ticket_assign(
        ticket=ticket, actor=desk.lead, assignee=desk.agent, team=desk.team
    )


def emails(people: list[Any]) -> list[tuple[str, str]]:
    return [(p.role, p.email) for p in people]


def test_it_resolves_roles_to_people(desk: Desk, ticket: Ticket) -> None:
    people = recipients(RaciStep.ESCALATION, Kind.INCIDENT, "AI", ticket=ticket)
    assert emails(people) == [
        ("agent", desk.agent.email),
        ("team_lead", desk.lead.email),
        ("service_manager", desk.manager.email),
    ]
    customers = recipients(RaciStep.CLOSING, Kind.INCIDENT, "I", ticket=ticket)
    assert emails(customers) == [("customer", desk.requester.email)]
    assert recipients(RaciStep.INTAKE, Kind.INCIDENT, "R", ticket=ticket)[0].role == "agent"


def test_it_names_each_person_once(desk: Desk, ticket: Ticket) -> None:
    desk.team.lead = desk.agent
    desk.team.save()
    ticket.refresh_from_db()
    people = recipients(RaciStep.ESCALATION, Kind.INCIDENT, "AI", ticket=ticket)
    assert [p.email for p in people] == [desk.agent.email, desk.manager.email]


def test_it_leaves_out_inactive_people(desk: Desk, ticket: Ticket) -> None:
    desk.manager.is_active = False
    desk.manager.save()
    StaffFactory(role=StaffRole.SERVICE_MANAGER, email="second@example.test")
    people = recipients(RaciStep.ESCALATION, Kind.INCIDENT, "I", ticket=ticket)
    assert [p.email for p in people] == [desk.agent.email, "second@example.test"]


def test_it_notifies_whom_the_administrator_sets(desk: Desk, ticket: Ticket) -> None:
    RaciEntry.objects.filter(
        step=RaciStep.ESCALATION, kind=Kind.INCIDENT, role="service_manager"
    ).delete()
    RaciEntry.objects.create(
        step=RaciStep.ESCALATION, kind=Kind.INCIDENT, role="administrator", letter="I"
    )
    admin = StaffFactory(role=StaffRole.ADMINISTRATOR)
    people = recipients(RaciStep.ESCALATION, Kind.INCIDENT, "AI", ticket=ticket)
    assert [p.email for p in people] == [desk.agent.email, desk.lead.email, admin.email]


def test_it_lets_only_administrators_edit_the_matrix(desk: Desk) -> None:
    model_admin = site._registry[RaciEntry]
    request = RequestFactory().get("/")
    request.user = StaffFactory(role=StaffRole.ADMINISTRATOR, is_staff=True)
    assert model_admin.has_change_permission(request)
    assert model_admin.has_add_permission(request)
    request.user = desk.lead
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
