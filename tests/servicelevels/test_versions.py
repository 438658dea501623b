"""Editing a service level writes a new version: tickets keep the version they started under,
new tickets get the new one, and the explanation names the version."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import Contact, StaffRole, User
from servicedesk.contracts.models import Contract
from servicedesk.servicelevels import services
from servicedesk.servicelevels.models import (
    ImmutableVersionError,
    ServiceLevel,
    ServiceLevelVersion,
)
from servicedesk.tickets import services as ticket_services
from servicedesk.tickets import sla as ticket_sla
from servicedesk.tickets.models import Ticket, TicketClock
from servicedesk.tickets.policy import Refusal
from tests.conftest import client_for
from tests.factories import ContactFactory, ContractFactory, StaffFactory, make_ticket
from tests.servicelevels.helpers import SEVERITY, definition_of, target

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
MONDAY_10 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=AMS)


@pytest.fixture
def admin() -> User:
    return StaffFactory(role=StaffRole.ADMINISTRATOR)


@pytest.fixture
def gold(admin: User) -> ServiceLevel:
    """A copy of the severity preset: sev2 first response within 2 hours."""
    version = services.service_level_copy(
        actor=admin,
        version=ServiceLevelVersion.objects.get(service_level__key=SEVERITY),
        key="gold",
        name="Gold",
    )
    return version.service_level


@pytest.fixture
def contract(gold: ServiceLevel) -> Contract:
    return ContractFactory(
        service_level=gold, priority_scheme="severity-1-4", starts_on=datetime.date(2026, 1, 1)
    )


@pytest.fixture
def requester(contract: Contract) -> Contact:
    return ContactFactory(organisation=contract.organisation)


def faster_sev2(admin: User, level: ServiceLevel) -> ServiceLevelVersion:
    """Edit the level: sev2 first response within 1 hour instead of 2."""
    definition = definition_of()
    target(definition, "sev2", "first_response")["minutes"] = 60
    version = services.service_level_edit(
        actor=admin, level=level, definition=definition, note="Faster sev2"
    )
    assert version is not None
    return version


def first_response(ticket: Ticket) -> TicketClock:
    return TicketClock.objects.get(ticket=ticket, key="first_response")


def test_it_keeps_the_due_times_of_tickets_created_before_an_edit(
    admin: User, gold: ServiceLevel, requester: Contact
) -> None:
    with time_machine.travel(MONDAY_10, tick=False):
        before = make_ticket(requester, requested_priority="sev2")
    assert first_response(before).due_at == MONDAY_10 + datetime.timedelta(hours=2)

    version = faster_sev2(admin, gold)
    assert version.number == 2

    with time_machine.travel(MONDAY_10 + datetime.timedelta(minutes=5), tick=False):
        ticket_services.ticket_add_message(
            ticket=before, body="Looking", author=admin, visibility="internal"
        )
        ticket_sla.sla_refresh(Ticket.objects.get(pk=before.pk))  # and once more, explicitly
        after = make_ticket(requester, requested_priority="sev2")

    clock = first_response(before)
    assert clock.due_at == MONDAY_10 + datetime.timedelta(hours=2)
    assert clock.target_seconds == 2 * 3600
    before.refresh_from_db()
    assert before.service_level_version is not None
    assert before.service_level_version.number == 1
    results = ticket_sla.compute(before, now=MONDAY_10 + datetime.timedelta(minutes=6))
    assert results["first_response"].due == MONDAY_10 + datetime.timedelta(hours=2)

    assert first_response(after).due_at == MONDAY_10 + datetime.timedelta(minutes=65)
    after.refresh_from_db()
    assert after.service_level_version == version


def test_it_names_the_version_in_the_explanation(
    admin: User, gold: ServiceLevel, requester: Contact
) -> None:
    before = make_ticket(requester, requested_priority="sev2")
    faster_sev2(admin, gold)
    after = make_ticket(requester, requested_priority="sev2")
    now = datetime.datetime.now(datetime.UTC)
    old_lines = ticket_sla.explanations(before, now=now)["first_response"][1].lines()
    new_lines = ticket_sla.explanations(after, now=now)["first_response"][1].lines()
    assert old_lines[0] == "Service level Gold, version 1."
    assert "within 2 h" in old_lines[1]
    assert new_lines[0] == "Service level Gold, version 2."
    assert "within 1 h" in new_lines[1]


def test_it_shows_the_version_on_the_desk_and_in_the_api(
    admin: User, gold: ServiceLevel, requester: Contact
) -> None:
    ticket = make_ticket(requester, requested_priority="sev2")
    faster_sev2(admin, gold)
    agent = StaffFactory()
    desk = Client()
    desk.force_login(User.objects.get(pk=agent.pk))
    page = desk.get(reverse("desk:ticket", args=[ticket.number]))
    assert page.status_code == 200
    assert "Service level Gold, version 1" in page.content.decode()
    rows = client_for(agent).get(f"/api/v1/tickets/{ticket.number}/sla/").json()
    assert rows and all(row["explanation"][0] == "Service level Gold, version 1." for row in rows)


def test_it_measures_a_ticket_moved_to_another_level_by_that_levels_current_version(
    gold: ServiceLevel, requester: Contact
) -> None:
    ticket = make_ticket(requester, requested_priority="sev2")
    other = ContractFactory(
        organisation=requester.organisation,
        service_level="four-levels-nl-office-hours",
        priority_scheme="low-normal-high-critical",
    )
    Ticket.objects.filter(pk=ticket.pk).update(contract=other, priority="high")
    ticket = Ticket.objects.get(pk=ticket.pk)
    ticket_sla.sla_refresh(ticket)
    ticket.refresh_from_db()
    assert ticket.service_level_version is not None
    assert ticket.service_level_version.service_level_id == "four-levels-nl-office-hours"


def test_it_writes_no_version_when_nothing_changed(admin: User, gold: ServiceLevel) -> None:
    same = services.service_level_edit(actor=admin, level=gold, definition=definition_of())
    assert same is None
    renamed = services.service_level_edit(actor=admin, level=gold, name="Gold plus")
    assert renamed is not None and renamed.number == 2
    gold.refresh_from_db()
    assert gold.name == "Gold plus"
    assert (
        renamed.definition
        == ServiceLevelVersion.objects.get(service_level=gold, number=1).definition
    )


def test_it_never_changes_or_deletes_a_version(gold: ServiceLevel) -> None:
    version = ServiceLevelVersion.objects.get(service_level=gold)
    version.note = "rewritten"
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        ServiceLevelVersion.objects.filter(pk=version.pk).update(note="rewritten")
    with pytest.raises(ImmutableVersionError):
        ServiceLevelVersion.objects.filter(pk=version.pk).delete()


def test_it_keeps_the_priority_schemes_key(admin: User, gold: ServiceLevel) -> None:
    definition = definition_of()
    definition["scheme"]["key"] = "another-scheme"
    with pytest.raises(services.definitions.DefinitionError) as error:
        services.service_level_edit(actor=admin, level=gold, definition=definition)
    assert ("scheme", "key") in error.value.problems


def test_it_copies_a_version_into_a_new_level(admin: User, gold: ServiceLevel) -> None:
    faster_sev2(admin, gold)
    first = ServiceLevelVersion.objects.get(service_level=gold, number=1)
    copy = services.service_level_copy(actor=admin, version=first, key="silver", name="Silver")
    assert (copy.service_level_id, copy.number, copy.copied_from) == ("silver", 1, first)
    assert copy.definition == first.definition
    with pytest.raises(Exception, match="exists already"):
        services.service_level_copy(actor=admin, version=first, key="silver", name="Again")


@pytest.mark.parametrize("role", [StaffRole.SERVICE_MANAGER, StaffRole.AGENT])
def test_it_lets_only_administrators_write(role: str, gold: ServiceLevel) -> None:
    actor = StaffFactory(role=role)
    with pytest.raises(Refusal):
        services.service_level_edit(actor=actor, level=gold, name="Mine")
    with pytest.raises(Refusal):
        services.service_level_create(
            actor=actor, key="mine", name="Mine", definition=definition_of()
        )
    assert not ServiceLevel.objects.filter(key="mine").exists()
    assert ServiceLevelVersion.objects.filter(service_level=gold).count() == 1


def test_it_takes_the_priorities_of_new_tickets_from_the_current_version(
    admin: User, gold: ServiceLevel, requester: Contact
) -> None:
    definition = definition_of()
    definition["scheme"]["priorities"].append(
        {"code": "sev5", "name_en": "Severity 5: wish", "name_nl": "", "name_fr": ""}
    )
    definition["policies"][0]["targets"].append(
        {"priority": "sev5", "key": "first_response", "metric": "first_response", "minutes": 2400}
    )
    services.service_level_edit(actor=admin, level=gold, definition=definition)
    ticket = make_ticket(requester, requested_priority="sev5")
    assert (ticket.priority, ticket.priority_rank) == ("sev5", 5)
    assert first_response(ticket).target_seconds == 2400 * 60


def test_it_seeds_the_demos_gold_level_once() -> None:
    from servicedesk.servicelevels.demo import seed_demo

    gold = seed_demo()
    assert seed_demo() == gold
    versions = list(ServiceLevelVersion.objects.filter(service_level=gold).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    p1 = {
        t["key"]: t["minutes"]
        for t in versions[1].definition["policies"][0]["targets"]
        if t["priority"] == "p1"
    }
    assert p1 == {"first_response": 30, "restore": 120}
