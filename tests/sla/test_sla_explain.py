"""Explanations: a person can see why the due time is what it is."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from servicedesk.sla import (
    ClockEvent,
    EventKind,
    compute_clock,
    explain,
    format_duration,
    get_preset,
)

AMS = ZoneInfo("Europe/Amsterdam")
PRESET = get_preset("severity-nl-office-hours")


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def test_it_explains_a_due_time_across_a_holiday() -> None:
    events = [
        ClockEvent(ams(2026, 5, 22, 16, 30), EventKind.CREATED, priority="sev3"),
        ClockEvent(ams(2026, 5, 22, 16, 40), EventKind.PRIORITY_CHANGED, priority="sev2"),
        ClockEvent(
            ams(2026, 5, 22, 16, 45), EventKind.STATUS_CHANGED, status="waiting_on_customer"
        ),
        ClockEvent(ams(2026, 5, 26, 9), EventKind.STATUS_CHANGED, status="in_progress"),
    ]
    result = compute_clock(
        PRESET.policy,
        "first_response",
        kind="incident",
        events=events,
        now=ams(2026, 5, 26, 9, 30),
        calendar=PRESET.calendar.build(),
    )
    lines = explain(result).lines()
    assert lines[0] == "Target: first response within 2 h (100% of tickets), priority sev2."
    assert "Started Fri 22 May 2026 16:30 CEST." in lines
    assert any(line.startswith("Counted in: Mon-Fri 09:00-17:00") for line in lines)
    assert any("Priority changed from sev3 to sev2" in line for line in lines)
    paused = "Paused (waiting on customer) from Fri 22 May 2026 16:45 CEST to Tue 26 May 2026 09:00"
    assert f"{paused} CEST." in lines
    assert "Closed days skipped: Mon 25 May 2026 (Pentecost Monday)." in lines
    assert "Due Tue 26 May 2026 10:45 CEST." in lines  # 15 min Friday, 1 h 45 min Tuesday
    assert lines[-1] == "Running: 45 min used, 1 h 15 min left."
    assert explain(result).text() == "\n".join(lines)


def test_it_explains_a_missing_target() -> None:
    result = compute_clock(
        PRESET.policy,
        "first_response",
        kind="change_request",
        events=[ClockEvent(ams(2026, 5, 22, 16, 30), EventKind.CREATED, priority="sev3")],
        now=ams(2026, 5, 26),
        calendar=PRESET.calendar.build(),
    )
    assert (
        explain(result).lines()[0]
        == "first response: no target (Changes follow change management: no target)."
    )


def test_it_formats_durations() -> None:
    assert format_duration(timedelta(minutes=30)) == "30 min"
    assert format_duration(timedelta(hours=2)) == "2 h"
    assert format_duration(timedelta(hours=1, minutes=30)) == "1 h 30 min"
    assert format_duration(timedelta(hours=48)) == "48 h"
    assert format_duration(timedelta(days=30)) == "30 days"
    assert format_duration(timedelta(days=28, hours=4, minutes=30)) == "28 days 4 h 30 min"
    assert format_duration(timedelta(0)) == "0 min"
