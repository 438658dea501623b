"""Presets: every seed's service level builds and is coherent."""

from datetime import UTC, datetime, timedelta

import pytest

from servicedesk.sla import (
    PRESETS,
    BusinessCalendar,
    ClockEvent,
    ClockState,
    EventKind,
    NoTarget,
    Target,
    TicketKind,
    compute_clocks,
    get_preset,
)

KEYS = sorted(PRESETS)


def test_it_has_one_preset_per_seed() -> None:
    assert sorted(p.seed for p in PRESETS.values()) == ["000", "001", "002", "003", "004"]
    for key, preset in PRESETS.items():
        assert preset.key == key
        assert key == key.lower() and " " not in key


@pytest.mark.parametrize("key", KEYS)
def test_it_builds_every_preset(key: str) -> None:
    preset = get_preset(key)
    calendar = preset.calendar.build()
    assert isinstance(calendar, BusinessCalendar)
    assert preset.name and preset.description
    assert preset.calendar.as_dict()["time_zone"] == calendar.tz
    for policy in preset.policies:
        assert set(policy.targets) == set(preset.scheme.codes())


@pytest.mark.parametrize("key", KEYS)
def test_it_gives_every_target_a_positive_duration_and_a_reasoned_absence(key: str) -> None:
    for policy in get_preset(key).policies:
        for by_key in policy.targets.values():
            for name, target in by_key.items():
                if isinstance(target, Target):
                    assert target.duration > timedelta(0)
                    assert target.key == name
                    assert 0 < target.objective_percent <= 100
                else:
                    assert isinstance(target, NoTarget) and target.reason


def test_it_keeps_the_seed_targets() -> None:
    severity = get_preset("severity-nl-office-hours").policy
    hours = [severity.targets[f"sev{n}"]["first_response"] for n in range(1, 5)]
    assert [t.duration for t in hours if isinstance(t, Target)] == [
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=8),
        timedelta(hours=16),
    ]
    p = get_preset("impact-urgency-nl-office-hours").policy.targets
    restore = [p[f"p{n}"]["restore"] for n in range(1, 6)]
    assert [t.duration // timedelta(hours=1) for t in restore if isinstance(t, Target)] == [
        4,
        8,
        16,
        32,
        40,
    ]
    assert {t.objective_percent for t in restore if isinstance(t, Target)} == {95}


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("impact-urgency-nl-office-hours", TicketKind.QUESTION),
        ("impact-urgency-nl-office-hours", TicketKind.CHANGE_REQUEST),
        ("severity-nl-office-hours", TicketKind.CHANGE_REQUEST),
        ("support-levels-no-targets", TicketKind.INCIDENT),
        ("support-levels-no-targets", TicketKind.CHANGE_REQUEST),
    ],
)
def test_it_reports_no_target_for_kinds_without_one(key: str, kind: str) -> None:
    preset = get_preset(key)
    start = datetime(2026, 6, 15, 8, tzinfo=UTC)
    events = [ClockEvent(start, EventKind.CREATED, priority=preset.scheme.default)]
    clocks = compute_clocks(
        preset.policy_for(kind),
        kind=kind,
        events=events,
        now=start + timedelta(days=40),
        calendar=preset.calendar.build(),
    )
    assert clocks
    for result in clocks.values():
        assert result.state is ClockState.NONE
        assert result.no_target_reason


def test_it_refuses_unknown_presets() -> None:
    with pytest.raises(KeyError, match="unknown service-level preset"):
        get_preset("gold")
