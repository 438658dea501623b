"""The five presets become records (version 1) that measure exactly as the presets did, and
contracts and tickets point at them."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from servicedesk.contracts.models import Contract
from servicedesk.servicelevels.models import ServiceLevel, ServiceLevelVersion
from servicedesk.servicelevels.selectors import current_version
from servicedesk.sla import TicketKind, compute_clocks
from servicedesk.sla.presets import PRESETS
from servicedesk.tickets.models import Ticket, TicketClock, TicketEvent
from servicedesk.tickets.sla import SLA_ACTIONS, clock_events
from tests.factories import ContactFactory, ContractFactory, make_ticket

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime.datetime(2026, 3, 2, 16, 0, tzinfo=AMS)  # an hour before closing


def test_it_seeds_each_preset_as_a_level_with_version_1() -> None:
    for key, preset in PRESETS.items():
        level = ServiceLevel.objects.get(key=key)
        assert (level.name, level.description) == (preset.name, preset.description)
        assert list(level.versions.values_list("number", flat=True)) == [1]


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_it_builds_each_seeded_level_exactly_as_its_preset(key: str) -> None:
    version = current_version(key)
    assert version is not None and version.number == 1
    built, preset = version.preset, PRESETS[key]
    assert built.scheme.codes() == preset.scheme.codes()
    assert built.scheme.default == preset.scheme.default
    assert built.scheme.key == preset.scheme.key
    assert built.scheme.matrix() == preset.scheme.matrix()
    assert [built.scheme.label(c) for c in built.scheme.codes()] == [
        preset.scheme.label(c) for c in preset.scheme.codes()
    ]
    assert built.calendar.as_dict() == preset.calendar.as_dict()
    assert [p.name for p in built.policies] == [p.name for p in preset.policies]
    for kind in TicketKind:
        ours, theirs = built.policy_for(kind), preset.policy_for(kind)
        assert ours.name == theirs.name
        assert ours.target_keys() == theirs.target_keys()
        for priority in (*preset.scheme.codes(), None):
            assert ours.targets_for(kind=kind, priority=priority) == theirs.targets_for(
                kind=kind, priority=priority
            ), (kind, priority)


def test_it_names_the_seeded_priorities_in_english_dutch_and_french() -> None:
    version = ServiceLevelVersion.objects.get(service_level__key="impact-urgency-nl-office-hours")
    first = version.definition["scheme"]["priorities"][0]
    assert first["code"] == "p1" and first["name_en"] == "P1 Critical"
    assert first["name_nl"] and first["name_fr"]


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_it_gives_a_sample_ticket_the_due_times_of_the_preset(key: str) -> None:
    preset = PRESETS[key]
    contract = ContractFactory(
        service_level=key,
        priority_scheme=preset.scheme.key,
        starts_on=datetime.date(2026, 1, 1),
    )
    requester = ContactFactory(organisation=contract.organisation)
    with time_machine.travel(MONDAY, tick=False):
        ticket = make_ticket(requester, requested_priority=preset.scheme.codes()[0])
    events = TicketEvent.objects.filter(ticket=ticket, action__in=SLA_ACTIONS).order_by("at", "pk")
    expected = compute_clocks(
        preset.policy_for(ticket.kind),
        kind=ticket.kind,
        events=clock_events(ticket, events),
        now=MONDAY,
        calendar=preset.calendar.build(),
    )
    stored = {
        c.key: (c.state, c.due_at, c.target_seconds)
        for c in TicketClock.objects.filter(ticket=ticket)
    }
    assert stored == {
        k: (
            str(r.state),
            r.due,
            int(r.target.duration.total_seconds()) if r.target is not None else None,
        )
        for k, r in expected.items()
    }
    assert any(due is not None for _state, due, _seconds in stored.values()) or key.startswith(
        "support-levels"
    )


def test_it_lets_a_contract_point_at_the_record_by_its_key() -> None:
    contract = ContractFactory(service_level="saas-high-medium-low", priority_scheme="")
    assert contract.service_level_id == "saas-high-medium-low"
    assert isinstance(contract.service_level, ServiceLevel)
    contract.full_clean()  # fills in the scheme of the level
    assert contract.priority_scheme == "high-medium-low"
    assert Contract.objects.filter(service_level="saas-high-medium-low").count() == 1


def test_it_pins_a_new_ticket_to_the_current_version() -> None:
    contract = ContractFactory(starts_on=datetime.date(2026, 1, 1))
    ticket = make_ticket(ContactFactory(organisation=contract.organisation))
    ticket.refresh_from_db()
    assert ticket.service_level_version == ServiceLevelVersion.objects.get(
        service_level__key=contract.service_level_id, number=1
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_pins_existing_tickets_to_version_1_of_their_level() -> None:
    contract = ContractFactory(
        service_level="saas-high-medium-low", starts_on=datetime.date(2026, 1, 1)
    )
    requester = ContactFactory(organisation=contract.organisation)
    with_contract = make_ticket(requester)
    without = make_ticket(ContactFactory())
    executor = MigrationExecutor(connection)
    executor.migrate([("tickets", "0005_open_ticket_queues")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    pinned = dict(Ticket.objects.values_list("pk", "service_level_version__service_level__key"))
    numbers = dict(Ticket.objects.values_list("pk", "service_level_version__number"))
    assert pinned == {with_contract.pk: "saas-high-medium-low", without.pk: None}
    assert numbers[with_contract.pk] == 1
