"""Clocks computed from a ticket's history: pauses, met/breached, priority re-base, reopen."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.sla import (
    PAUSE_ALSO_ON_SUPPLIER,
    BusinessCalendar,
    ClockEvent,
    ClockResult,
    ClockState,
    EventKind,
    Metric,
    NoTarget,
    Policy,
    Target,
    TicketKind,
    compute_clock,
    compute_clocks,
    get_preset,
)

AMS = ZoneInfo("Europe/Amsterdam")
H = timedelta(hours=1)
E = EventKind
NL = BusinessCalendar("Europe/Amsterdam", {d: [("09:00", "17:00")] for d in range(5)}, country="NL")

POLICY = Policy(
    "test",
    {
        "p1": {
            "first_response": Target(Metric.FIRST_RESPONSE, 1 * H),
            "resolution": Target(Metric.RESOLUTION, 8 * H),
        },
        "p2": {
            "first_response": Target(Metric.FIRST_RESPONSE, 4 * H),
            "resolution": Target(Metric.RESOLUTION, 16 * H),
            "assignment": Target(Metric.ASSIGNMENT, 2 * H, internal=True),
            "acceptance": Target(Metric.ACCEPTANCE, 8 * H, internal=True),
        },
        "p3": {
            "first_response": Target(Metric.FIRST_RESPONSE, 8 * H),
            "resolution": NoTarget("best effort"),
        },
    },
    exempt_kinds={TicketKind.QUESTION: "first come, first served"},
)


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def created(at: datetime, priority: str = "p2") -> ClockEvent:
    return ClockEvent(at, E.CREATED, priority=priority)


def status(at: datetime, new: str) -> ClockEvent:
    return ClockEvent(at, E.STATUS_CHANGED, status=new)


def clock(
    key: str,
    events: list[ClockEvent],
    now: datetime,
    *,
    policy: Policy = POLICY,
    kind: str = TicketKind.INCIDENT,
) -> ClockResult:
    return compute_clock(policy, key, kind=kind, events=events, now=now, calendar=NL)


MONDAY = ams(2026, 6, 15, 10)  # an ordinary week: no holidays


def test_it_runs_a_fresh_clock() -> None:
    result = clock("resolution", [created(MONDAY)], ams(2026, 6, 15, 12))
    assert result.state is ClockState.RUNNING
    assert result.start == MONDAY
    assert result.due == ams(2026, 6, 17, 10)  # 16 office hours
    assert result.elapsed == 2 * H
    assert result.remaining == 14 * H
    assert result.due is not None and result.due.tzinfo is UTC


def test_it_extends_the_due_time_by_exactly_the_paused_open_time() -> None:
    events = [
        created(MONDAY),
        status(ams(2026, 6, 15, 14), "waiting_on_customer"),
        status(ams(2026, 6, 16, 11), "in_progress"),  # paused: Mon 14-17 and Tue 9-11 = 5 h
    ]
    unpaused = clock("resolution", events[:1], MONDAY).due
    result = clock("resolution", events, ams(2026, 6, 16, 12))
    assert unpaused is not None and result.due is not None
    assert NL.elapsed(unpaused, result.due) == 5 * H
    assert result.due == ams(2026, 6, 17, 15)
    assert result.elapsed == 5 * H  # Mon 10-14, Tue 11-12
    assert [(p.start, p.end, p.reason) for p in result.pauses] == [
        (ams(2026, 6, 15, 14), ams(2026, 6, 16, 11), "waiting_on_customer")
    ]


def test_it_freezes_a_paused_clock() -> None:
    events = [created(MONDAY), status(ams(2026, 6, 15, 14), "waiting_on_customer")]
    result = clock("resolution", events, ams(2026, 6, 18, 12))
    assert result.state is ClockState.PAUSED
    assert result.due is None
    assert result.remaining == 12 * H
    assert result.next_change_at is None


def test_it_runs_no_clock_while_a_change_request_is_parked_whatever_the_target_says() -> None:
    # 001: an RFC waits for a decision outside the desk; no target lists "parked".
    events = [
        created(MONDAY),
        status(ams(2026, 6, 15, 12), "parked"),
        status(ams(2026, 6, 17, 12), "in_progress"),  # two working days parked
    ]
    kind = TicketKind.INCIDENT  # an incident turned change request: it keeps its targets
    assert "parked" not in Target(Metric.RESOLUTION, 16 * H).pausing_statuses
    parked = clock("resolution", events[:2], ams(2026, 6, 16, 12), kind=kind)
    assert parked.state is ClockState.PAUSED
    assert parked.remaining == 14 * H
    resumed = clock("resolution", events, ams(2026, 6, 17, 13), kind=kind)
    assert resumed.state is ClockState.RUNNING
    assert resumed.elapsed == 3 * H  # Mon 10-12 and Wed 12-13
    assert [p.reason for p in resumed.pauses] == ["parked"]


def test_it_pauses_on_a_supplier_only_if_the_policy_says_so() -> None:
    events = [created(MONDAY), status(ams(2026, 6, 15, 11), "waiting_on_supplier")]
    now = ams(2026, 6, 15, 16)
    assert clock("resolution", events, now).state is ClockState.RUNNING
    pausing = Policy(
        "supplier pauses",
        {
            "p2": {
                "resolution": Target(
                    Metric.RESOLUTION, 16 * H, pausing_statuses=PAUSE_ALSO_ON_SUPPLIER
                )
            }
        },
    )
    assert clock("resolution", events, now, policy=pausing).state is ClockState.PAUSED


def test_it_meets_a_target_before_the_due_time() -> None:
    events = [created(MONDAY), ClockEvent(ams(2026, 6, 15, 11), E.PUBLIC_REPLY)]
    result = clock("first_response", events, ams(2026, 6, 16, 12))
    assert result.state is ClockState.MET
    assert result.met_at == ams(2026, 6, 15, 11)
    assert result.due == ams(2026, 6, 15, 14)
    assert result.breached_at is None
    assert result.elapsed == 1 * H


def test_it_meets_a_target_at_exactly_the_due_time() -> None:
    events = [created(MONDAY), ClockEvent(ams(2026, 6, 15, 14), E.PUBLIC_REPLY)]
    assert clock("first_response", events, ams(2026, 6, 16)).state is ClockState.MET
    assert clock("first_response", events[:1], ams(2026, 6, 15, 14)).state is ClockState.RUNNING


def test_it_breaches_at_the_due_time_when_not_met() -> None:
    result = clock("first_response", [created(MONDAY)], ams(2026, 6, 16, 12))
    assert result.state is ClockState.BREACHED
    assert result.breached_at == result.due == ams(2026, 6, 15, 14)
    assert result.remaining == timedelta(0)
    late = [created(MONDAY), ClockEvent(ams(2026, 6, 15, 15), E.SOLUTION_OFFERED)]
    result = clock("first_response", late, ams(2026, 6, 16, 12))
    assert result.state is ClockState.BREACHED
    assert (result.met_at, result.breached_at) == (ams(2026, 6, 15, 15), ams(2026, 6, 15, 14))


def test_it_rebases_a_priority_change_from_the_original_start() -> None:
    events = [
        created(MONDAY, "p3"),
        ClockEvent(ams(2026, 6, 15, 12), E.PRIORITY_CHANGED, priority="p1"),
    ]
    before = clock("first_response", events[:1], ams(2026, 6, 15, 12))
    assert before.due == ams(2026, 6, 16, 10)
    after = clock("first_response", events, ams(2026, 6, 15, 12))
    assert after.priority == "p1"
    assert after.due == ams(2026, 6, 15, 11)  # 1 h from the original start: breached at once
    assert after.state is ClockState.BREACHED
    assert [(c.old, c.new) for c in after.priority_changes] == [("p3", "p1")]
    lowered = [
        created(MONDAY, "p1"),
        ClockEvent(ams(2026, 6, 15, 10, 30), E.PRIORITY_CHANGED, priority="p2"),
    ]
    assert clock("first_response", lowered, ams(2026, 6, 15, 12)).due == ams(2026, 6, 15, 14)


def test_it_drops_the_clock_when_the_new_priority_has_no_target() -> None:
    events = [
        created(MONDAY, "p2"),
        ClockEvent(ams(2026, 6, 15, 12), E.PRIORITY_CHANGED, priority="p3"),
    ]
    result = clock("resolution", events, ams(2026, 6, 15, 13))
    assert result.state is ClockState.NONE
    assert result.no_target_reason == "best effort"
    assert result.due is None


def test_it_ignores_priority_changes_after_the_clock_stopped() -> None:
    events = [
        created(MONDAY, "p2"),
        ClockEvent(ams(2026, 6, 15, 11), E.PUBLIC_REPLY),
        ClockEvent(ams(2026, 6, 15, 12), E.PRIORITY_CHANGED, priority="p1"),
    ]
    result = clock("first_response", events, ams(2026, 6, 15, 13))
    assert (result.state, result.priority) == (ClockState.MET, "p2")


def test_it_resumes_the_resolution_clock_on_reopen() -> None:
    events = [
        created(MONDAY),
        ClockEvent(ams(2026, 6, 15, 15), E.RESOLVED),  # 5 h used
        status(ams(2026, 6, 15, 15), "closed"),
        ClockEvent(ams(2026, 6, 17, 10), E.REOPENED),
    ]
    result = clock("resolution", events, ams(2026, 6, 17, 12))
    assert result.state is ClockState.RUNNING
    assert result.elapsed == 7 * H
    assert result.due == ams(2026, 6, 18, 13)  # 11 h left from Wednesday 10:00
    assert result.reopened_at == (ams(2026, 6, 17, 10),)
    assert result.pauses[-1].reason == "resolved"
    closed_again = [*events, ClockEvent(ams(2026, 6, 17, 16), E.RESOLVED)]
    result = clock("resolution", closed_again, ams(2026, 6, 19))
    assert (result.state, result.met_at) == (ClockState.MET, ams(2026, 6, 17, 16))
    # The first response stays met at the original solution.
    assert clock("first_response", events, ams(2026, 6, 17, 12)).met_at == ams(2026, 6, 15, 15)


def test_it_reopens_on_a_status_change_out_of_closed() -> None:
    events = [
        created(MONDAY),
        status(ams(2026, 6, 15, 12), "closed"),
        status(ams(2026, 6, 16, 9), "reopened"),
    ]
    result = clock("resolution", events, ams(2026, 6, 16, 10))
    assert result.state is ClockState.RUNNING
    assert result.elapsed == 3 * H


def test_it_warns_at_75_percent() -> None:
    events = [created(MONDAY)]
    early = clock("first_response", events, ams(2026, 6, 15, 12))
    assert early.warn_at == ams(2026, 6, 15, 13)  # 3 of 4 hours
    assert not early.warning
    assert early.next_change_at == ams(2026, 6, 15, 13)
    late = clock("first_response", events, ams(2026, 6, 15, 13, 30))
    assert late.warning
    assert late.state is ClockState.RUNNING
    assert late.next_change_at == ams(2026, 6, 15, 14)
    assert not clock("first_response", events, ams(2026, 6, 15, 15)).warning  # breached


def test_it_meets_internal_targets_by_assignment_and_acceptance() -> None:
    events = [
        created(MONDAY),
        ClockEvent(ams(2026, 6, 15, 11), E.ASSIGNED),
        status(ams(2026, 6, 16, 10), "in_progress"),
    ]
    clocks = compute_clocks(
        POLICY, kind="incident", events=events, now=ams(2026, 6, 16, 12), calendar=NL
    )
    assert clocks["assignment"].state is ClockState.MET
    assert clocks["acceptance"].met_at == ams(2026, 6, 16, 10)
    assert clocks["acceptance"].state is ClockState.MET  # 8 office hours: exactly at due


def test_it_stops_every_clock_when_the_ticket_closes() -> None:
    events = [created(MONDAY), status(ams(2026, 6, 15, 11), "closed")]
    clocks = compute_clocks(
        POLICY, kind="incident", events=events, now=ams(2026, 6, 20), calendar=NL
    )
    assert {key: c.state for key, c in clocks.items()} == {
        "first_response": ClockState.MET,
        "resolution": ClockState.MET,
        "assignment": ClockState.MET,
        "acceptance": ClockState.MET,
    }


def test_it_reports_no_target_for_exempt_and_uncovered_kinds() -> None:
    question = clock("first_response", [created(MONDAY)], ams(2026, 6, 16), kind="question")
    assert (question.state, question.no_target_reason) == (
        ClockState.NONE,
        "first come, first served",
    )
    change = clock("first_response", [created(MONDAY)], ams(2026, 6, 16), kind="change_request")
    assert change.state is ClockState.NONE
    assert change.no_target_reason is not None and "change_request" in change.no_target_reason
    unset = clock("first_response", [created(MONDAY, priority="")], ams(2026, 6, 16))
    assert unset.state is ClockState.NONE


def test_it_ignores_events_after_now() -> None:
    events = [created(MONDAY), ClockEvent(ams(2026, 6, 15, 11), E.PUBLIC_REPLY)]
    assert clock("first_response", events, ams(2026, 6, 15, 10, 30)).state is ClockState.RUNNING


def test_it_refuses_bad_histories() -> None:
    with pytest.raises(ValueError, match="created"):
        clock("first_response", [status(MONDAY, "in_progress")], ams(2026, 6, 16))
    with pytest.raises(ValueError, match="first"):
        clock(
            "first_response",
            [created(MONDAY), status(ams(2026, 6, 15, 9), "new")],
            ams(2026, 6, 16),
        )
    with pytest.raises(ValueError, match="before"):
        clock("first_response", [created(MONDAY)], ams(2026, 6, 14))
    with pytest.raises(ValueError, match="timezone-aware"):
        ClockEvent(datetime(2026, 6, 15), E.CREATED)  # noqa: DTZ001
    with pytest.raises(ValueError, match="status"):
        ClockEvent(MONDAY, E.STATUS_CHANGED)
    with pytest.raises(ValueError):
        ClockEvent(MONDAY, "exploded")  # type: ignore[arg-type]


class TestSaasPreset:
    """Seed 003, High: workaround 90% within 24 h and 100% within 48 h of real time."""

    preset = get_preset("saas-high-medium-low")
    friday = ams(2026, 5, 22, 16, 30)  # before the Whit Monday weekend

    def clocks(self, events: list[ClockEvent], now: datetime) -> dict[str, ClockResult]:
        return compute_clocks(
            self.preset.policy_for("incident"),
            kind="incident",
            events=events,
            now=now,
            calendar=self.preset.calendar.build(),
        )

    def test_it_counts_workaround_hours_through_the_weekend(self) -> None:
        clocks = self.clocks([created(self.friday, "high")], ams(2026, 5, 23, 12))
        assert clocks["workaround"].due == ams(2026, 5, 23, 16, 30)
        assert clocks["workaround"].target is not None
        assert clocks["workaround"].target.objective_percent == 90
        assert clocks["workaround_max"].due == ams(2026, 5, 24, 16, 30)
        assert clocks["resolution"].due == ams(2026, 6, 21, 16, 30)
        # Internal targets count working days of office hours: Whit Monday is skipped.
        assert clocks["assignment"].due == ams(2026, 5, 26, 16, 30)
        assert clocks["first_response"].target is not None
        assert clocks["first_response"].target.internal

    def test_it_meets_the_workaround_on_saturday(self) -> None:
        events = [
            created(self.friday, "high"),
            ClockEvent(ams(2026, 5, 23, 10), E.WORKAROUND_OFFERED),
        ]
        clocks = self.clocks(events, ams(2026, 5, 25, 12))
        assert clocks["workaround"].state is ClockState.MET
        assert clocks["workaround_max"].state is ClockState.MET
        assert clocks["resolution"].state is ClockState.RUNNING

    def test_it_has_no_resolution_target_for_low_or_questions(self) -> None:
        low = self.clocks([created(self.friday, "low")], ams(2026, 5, 23))
        assert low["resolution"].state is ClockState.NONE
        assert "release calendar" in (low["resolution"].no_target_reason or "")
        assert low["workaround"].state is ClockState.NONE
        question = compute_clocks(
            self.preset.policy_for("question"),
            kind="question",
            events=[created(self.friday, "high")],
            now=ams(2026, 5, 23),
            calendar=self.preset.calendar.build(),
        )
        assert question["resolution"].state is ClockState.NONE
        assert question["acceptance"].state is ClockState.RUNNING


def test_it_uses_a_target_s_own_calendar_over_the_contract_s() -> None:
    weekends = BusinessCalendar(
        "Europe/Amsterdam", {5: [("10:00", "16:00")], 6: [("10:00", "16:00")]}
    )
    own = Policy("own", {"p2": {"first_response": Target(Metric.FIRST_RESPONSE, 2 * H, weekends)}})
    result = clock("first_response", [created(MONDAY)], MONDAY, policy=own)
    assert result.due == ams(2026, 6, 20, 12)
    assert result.calendar is weekends


def test_it_applies_a_priority_change_made_while_closed_after_the_reopen() -> None:
    events = [
        created(MONDAY, "p2"),
        ClockEvent(ams(2026, 6, 15, 11), E.RESOLVED),
        ClockEvent(ams(2026, 6, 15, 12), E.PRIORITY_CHANGED, priority="p1"),
        ClockEvent(ams(2026, 6, 15, 13), E.REOPENED),
    ]
    assert clock("resolution", events[:3], ams(2026, 6, 15, 14)).priority == "p2"
    result = clock("resolution", events, ams(2026, 6, 15, 14))
    assert result.priority == "p1"
    assert result.due == ams(2026, 6, 16, 12)  # 8 h: 1 h used, then 4 h Monday, 3 h Tuesday


def test_it_names_a_pause_after_the_status_that_started_it() -> None:
    events = [
        created(MONDAY),
        status(ams(2026, 6, 15, 11), "waiting_on_customer"),
        status(ams(2026, 6, 15, 12), "solution_offered"),
        status(ams(2026, 6, 15, 13), "in_progress"),
    ]
    result = clock("resolution", events, ams(2026, 6, 15, 14))
    assert [(p.start, p.end, p.reason) for p in result.pauses] == [
        (ams(2026, 6, 15, 11), ams(2026, 6, 15, 13), "waiting_on_customer")
    ]
    assert result.elapsed == 2 * H


@settings(max_examples=150, deadline=None, database=None)
@given(
    pause_start=st.integers(min_value=0, max_value=40 * 60),
    pause_minutes=st.integers(min_value=0, max_value=5 * 24 * 60),
)
def test_it_never_makes_a_due_time_earlier_by_pausing(pause_start: int, pause_minutes: int) -> None:
    preset = get_preset("impact-urgency-nl-office-hours")
    calendar = preset.calendar.build()
    created = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    base = [ClockEvent(created, EventKind.CREATED, status="new", priority="p4")]
    paused_at = created + timedelta(minutes=pause_start)
    resumed_at = paused_at + timedelta(minutes=pause_minutes)
    paused = [
        *base,
        ClockEvent(paused_at, EventKind.STATUS_CHANGED, status="waiting_on_customer"),
        ClockEvent(resumed_at, EventKind.STATUS_CHANGED, status="in_progress"),
    ]
    now = resumed_at + timedelta(minutes=1)
    plain = compute_clocks(preset.policy, kind="incident", events=base, now=now, calendar=calendar)
    with_pause = compute_clocks(
        preset.policy, kind="incident", events=paused, now=now, calendar=calendar
    )
    for key, result in plain.items():
        if result.due is not None and with_pause[key].due is not None:
            assert with_pause[key].due >= result.due
