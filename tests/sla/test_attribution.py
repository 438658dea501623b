"""Breach attribution: a clock's counted time divided over who held the ticket."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicedesk.sla import (
    PAUSE_ALSO_ON_SUPPLIER,
    BusinessCalendar,
    ClockEvent,
    ClockResult,
    EventKind,
    Metric,
    NoTarget,
    Policy,
    Target,
    compute_clock,
)
from servicedesk.sla.attribution import (
    Attribution,
    Holder,
    HolderChange,
    Share,
    Stint,
    attribute,
    attribute_clock,
    holder_stints,
)

AMS = ZoneInfo("Europe/Amsterdam")
H = timedelta(hours=1)
E = EventKind
NL = BusinessCalendar("Europe/Amsterdam", {d: [("09:00", "17:00")] for d in range(5)}, country="NL")


def ams(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in the week of Monday 1 June 2026, Amsterdam time."""
    return datetime(2026, 6, day, hour, minute, tzinfo=AMS)


def policy(duration: timedelta, pausing: frozenset[str] | None = None) -> Policy:
    extra = {} if pausing is None else {"pausing_statuses": pausing}
    return Policy(
        "test",
        {
            "p2": {"restore": Target(Metric.WORKAROUND, duration, name="restore", **extra)},
            "p3": {"restore": NoTarget("best effort")},
        },
    )


def clock(
    events: list[ClockEvent], *, duration: timedelta, now: datetime, **kw: frozenset[str]
) -> ClockResult:
    return compute_clock(
        policy(duration, **kw), "restore", kind="incident", events=events, now=now, calendar=NL
    )


def status(at: datetime, value: str) -> ClockEvent:
    return ClockEvent(at, E.STATUS_CHANGED, status=value)


def by_holder(attribution: Attribution) -> dict[tuple[Holder, str | None], Share]:
    return {(share.holder, share.supplier): share for share in attribution.shares}


# -- who held the ticket ----------------------------------------------------------------


def test_it_follows_status_line_and_supplier_into_stints() -> None:
    stints = holder_stints(
        [
            HolderChange(ams(1, 9), status="new", line=2, supplier="7"),
            HolderChange(ams(1, 10), status="waiting_on_supplier"),
            HolderChange(ams(1, 12), status="in_progress"),
            HolderChange(ams(1, 13), line=3),
            HolderChange(ams(1, 14), status="waiting_on_customer"),
            HolderChange(ams(1, 15), status="closed"),
        ]
    )
    assert stints == [
        Stint(ams(1, 9), ams(1, 10), Holder.LINE2),
        Stint(ams(1, 10), ams(1, 12), Holder.SUPPLIER, "7"),
        Stint(ams(1, 12), ams(1, 13), Holder.LINE2),
        Stint(ams(1, 13), ams(1, 14), Holder.LINE3),
        Stint(ams(1, 14), ams(1, 15), Holder.CUSTOMER),
        Stint(ams(1, 15), None, None),
    ]


def test_it_lets_the_later_of_two_changes_at_one_instant_hold() -> None:
    stints = holder_stints(
        [
            HolderChange(ams(1, 9), status="new", line=1),
            HolderChange(ams(1, 10), status="in_progress"),
            HolderChange(ams(1, 10), line=3),
        ]
    )
    assert stints == [
        Stint(ams(1, 9), ams(1, 10), Holder.LINE1),
        Stint(ams(1, 10), None, Holder.LINE3),
    ]


def test_it_needs_the_starting_status_and_line() -> None:
    with pytest.raises(ValueError, match="status and the support line"):
        holder_stints([HolderChange(ams(1, 9), status="new")])
    with pytest.raises(ValueError, match="1, 2 or 3"):
        HolderChange(ams(1, 9), status="new", line=4)


# -- dividing a clock's time --------------------------------------------------------------


def test_it_attributes_a_target_met_after_a_supplier_held_the_ticket_for_hours() -> None:
    events = [
        ClockEvent(ams(1, 9), E.CREATED, priority="p2"),
        status(ams(1, 9, 30), "in_progress"),
        status(ams(1, 10), "waiting_on_supplier"),
        status(ams(1, 15), "in_progress"),
        ClockEvent(ams(1, 16), E.WORKAROUND_OFFERED),
    ]
    stints = holder_stints(
        [
            HolderChange(ams(1, 9), status="new", line=2, supplier="7"),
            HolderChange(ams(1, 9, 30), status="in_progress"),
            HolderChange(ams(1, 10), status="waiting_on_supplier"),
            HolderChange(ams(1, 15), status="in_progress"),
        ]
    )
    result = clock(events, duration=8 * H, now=ams(1, 18))
    assert result.state == "met"

    attribution = attribute_clock(result, stints)

    assert attribution is not None
    shares = by_holder(attribution)
    assert shares[Holder.SUPPLIER, "7"].counted == 5 * H
    assert shares[Holder.LINE2, None].counted == 2 * H
    assert attribution.counted == result.elapsed == 7 * H
    assert attribution.over == timedelta(0)


def test_it_splits_a_missed_targets_time_over_target() -> None:
    # Due Monday 13:00 (4 open hours); met Tuesday 15:00. Over target: Monday 13-17 and
    # Tuesday 9-11 with the supplier (6 h), Tuesday 13-15 on line 3 (2 h); the customer's
    # two hours stop the clock and are shown apart.
    events = [
        ClockEvent(ams(1, 9), E.CREATED, priority="p2"),
        status(ams(1, 10), "waiting_on_supplier"),
        status(ams(2, 11), "waiting_on_customer"),
        status(ams(2, 13), "in_progress"),
        ClockEvent(ams(2, 15), E.WORKAROUND_OFFERED),
    ]
    stints = holder_stints(
        [
            HolderChange(ams(1, 9), status="new", line=2, supplier="7"),
            HolderChange(ams(1, 10), status="waiting_on_supplier"),
            HolderChange(ams(2, 11), status="waiting_on_customer"),
            HolderChange(ams(2, 13), status="in_progress", line=3),
        ]
    )
    result = clock(events, duration=4 * H, now=ams(3, 9))
    assert result.state == "breached"
    assert result.due == ams(1, 13)

    attribution = attribute_clock(result, stints)

    assert attribution is not None
    shares = by_holder(attribution)
    assert (shares[Holder.LINE2, None].counted, shares[Holder.LINE2, None].over) == (H, 0 * H)
    assert (shares[Holder.SUPPLIER, "7"].counted, shares[Holder.SUPPLIER, "7"].over) == (
        9 * H,
        6 * H,
    )
    assert (shares[Holder.LINE3, None].counted, shares[Holder.LINE3, None].over) == (2 * H, 2 * H)
    assert shares[Holder.CUSTOMER, None].paused == 2 * H
    assert shares[Holder.CUSTOMER, None].counted == timedelta(0)
    assert attribution.over == result.elapsed - 4 * H == 8 * H


def test_it_shows_a_supplier_as_paused_when_the_policy_stops_the_clock_for_suppliers() -> None:
    events = [
        ClockEvent(ams(1, 9), E.CREATED, priority="p2"),
        status(ams(1, 10), "waiting_on_supplier"),
        status(ams(1, 15), "in_progress"),
        ClockEvent(ams(1, 16), E.WORKAROUND_OFFERED),
    ]
    stints = holder_stints(
        [
            HolderChange(ams(1, 9), status="new", line=2, supplier="7"),
            HolderChange(ams(1, 10), status="waiting_on_supplier"),
            HolderChange(ams(1, 15), status="in_progress"),
        ]
    )
    result = clock(events, duration=4 * H, now=ams(1, 18), pausing=PAUSE_ALSO_ON_SUPPLIER)

    attribution = attribute_clock(result, stints)

    assert attribution is not None
    shares = by_holder(attribution)
    assert shares[Holder.SUPPLIER, "7"].paused == 5 * H
    assert shares[Holder.SUPPLIER, "7"].counted == timedelta(0)
    assert attribution.counted == result.elapsed == 2 * H


def test_it_counts_a_running_clock_up_to_now_and_only_open_hours() -> None:
    events = [ClockEvent(ams(1, 16), E.CREATED, priority="p2")]
    stints = holder_stints([HolderChange(ams(1, 16), status="new", line=1)])
    result = clock(events, duration=4 * H, now=ams(2, 12))

    attribution = attribute_clock(result, stints)

    assert attribution is not None
    assert by_holder(attribution)[Holder.LINE1, None].counted == 4 * H
    assert by_holder(attribution)[Holder.LINE1, None].over == timedelta(0)
    later = attribute_clock(clock(events, duration=4 * H, now=ams(2, 14)), stints)
    assert later is not None
    assert later.over == 2 * H


def test_it_leaves_out_time_while_the_ticket_is_closed() -> None:
    stints = holder_stints(
        [
            HolderChange(ams(1, 9), status="in_progress", line=2),
            HolderChange(ams(1, 11), status="closed"),
            HolderChange(ams(1, 14), status="reopened"),
        ]
    )
    attribution = attribute(
        calendar=NL,
        start=ams(1, 9),
        end=ams(1, 16),
        pauses=[(ams(1, 11), ams(1, 14))],
        due=None,
        stints=stints,
    )
    assert attribution.shares == (Share(Holder.LINE2, None, 4 * H, 0 * H, 0 * H),)


def test_it_has_nothing_to_divide_without_a_target() -> None:
    events = [ClockEvent(ams(1, 9), E.CREATED, priority="p3")]
    stints = holder_stints([HolderChange(ams(1, 9), status="new", line=2)])
    assert attribute_clock(clock(events, duration=4 * H, now=ams(1, 12)), stints) is None
