"""BusinessCalendar: worked examples from the seeds, DST, year ends, guards and speed."""

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicedesk.sla import ALWAYS_OPEN, BusinessCalendar, get_preset

AMS = ZoneInfo("Europe/Amsterdam")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
WEEKDAYS_9_17 = {day: [("09:00", "17:00")] for day in range(5)}


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(scope="module")
def nl() -> BusinessCalendar:
    """Seed 000's service window: 09:00-17:00 Monday to Friday, not on Dutch holidays."""
    return BusinessCalendar("Europe/Amsterdam", WEEKDAYS_9_17, country="NL")


def test_it_carries_severity_2_over_a_holiday_weekend(nl: BusinessCalendar) -> None:
    # Friday 16:30 before Whit Monday 2026-05-25: 30 min on Friday, 90 min on Tuesday.
    due = nl.add(ams(2026, 5, 22, 16, 30), 2 * H)
    assert due == ams(2026, 5, 26, 10, 30)
    assert due == utc(2026, 5, 26, 8, 30)
    assert due.tzinfo is UTC


def test_it_carries_a_p3_restore_target_over_a_weekend() -> None:
    cal = get_preset("impact-urgency-nl-office-hours").calendar.build()  # 09:00-17:30
    # Friday 11:00: 6.5 h on Friday, 8.5 h on Monday, 1 h on Tuesday.
    assert cal.add(ams(2026, 6, 12, 11), 16 * H) == ams(2026, 6, 16, 10)


def test_it_keeps_a_due_time_on_the_closing_instant(nl: BusinessCalendar) -> None:
    assert nl.add(ams(2026, 6, 15, 9), 8 * H) == ams(2026, 6, 15, 17)
    assert nl.add(ams(2026, 6, 15, 15), 2 * H) == ams(2026, 6, 15, 17)
    assert nl.add(ams(2026, 6, 12, 9), 16 * H) == ams(2026, 6, 15, 17)  # not Tuesday 09:00


def test_it_counts_a_start_outside_hours_from_the_next_opening(nl: BusinessCalendar) -> None:
    assert nl.add(ams(2026, 6, 13, 10), 30 * MIN) == ams(2026, 6, 15, 9, 30)  # Saturday
    assert nl.add(ams(2026, 6, 15, 7), H) == ams(2026, 6, 15, 10)  # before opening
    assert nl.add(ams(2026, 6, 15, 17), H) == ams(2026, 6, 16, 10)  # at closing
    assert nl.add(ams(2026, 6, 15, 17), timedelta(0)) == ams(2026, 6, 16, 9)


def test_it_counts_a_start_on_a_holiday_from_the_next_working_day(nl: BusinessCalendar) -> None:
    assert nl.add(ams(2026, 5, 25, 10), H) == ams(2026, 5, 26, 10)  # Whit Monday
    assert nl.add(ams(2026, 4, 3, 10), H) == ams(2026, 4, 7, 10)  # Good Friday, Easter Monday


def test_it_crosses_the_year_end(nl: BusinessCalendar) -> None:
    # New Year's Day 2026 is a Thursday: Wednesday 31 Dec 16:00 + 2 h -> Friday 2 Jan 10:00.
    assert nl.add(ams(2025, 12, 31, 16), 2 * H) == ams(2026, 1, 2, 10)
    # In 2026 the 1st is a Friday: the next opening is Monday 4 January 2027.
    assert nl.add(ams(2026, 12, 31, 16), 2 * H) == ams(2027, 1, 4, 10)
    assert nl.elapsed(ams(2025, 12, 31, 16), ams(2026, 1, 2, 10)) == 2 * H


def test_it_answers_is_open_and_next_open(nl: BusinessCalendar) -> None:
    assert nl.is_open(ams(2026, 6, 15, 9))
    assert not nl.is_open(ams(2026, 6, 15, 17))
    assert not nl.is_open(ams(2026, 5, 25, 12))  # Whit Monday
    assert nl.next_open(ams(2026, 6, 15, 12)) == ams(2026, 6, 15, 12)
    assert nl.next_open(ams(2026, 5, 22, 17)) == ams(2026, 5, 26, 9)


def test_it_counts_nothing_backwards(nl: BusinessCalendar) -> None:
    assert nl.elapsed(ams(2026, 6, 16), ams(2026, 6, 15)) == timedelta(0)
    assert nl.elapsed(ams(2026, 6, 13), ams(2026, 6, 14, 23)) == timedelta(0)  # weekend
    assert nl.elapsed(ams(2026, 6, 15, 8), ams(2026, 6, 19, 20)) == 40 * H


class TestDaylightSaving:
    """Europe/Amsterdam: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00."""

    local_24x7 = BusinessCalendar.always_open("Europe/Amsterdam")

    def test_it_counts_23_hours_on_the_spring_sunday(self) -> None:
        assert self.local_24x7.elapsed(ams(2026, 3, 29), ams(2026, 3, 30)) == 23 * H
        assert self.local_24x7.add(ams(2026, 3, 28, 12), 24 * H) == ams(2026, 3, 29, 13)
        assert self.local_24x7.add(ams(2026, 3, 29, 1, 30), H) == ams(2026, 3, 29, 3, 30)

    def test_it_counts_25_hours_on_the_autumn_sunday(self) -> None:
        assert self.local_24x7.elapsed(ams(2026, 10, 25), ams(2026, 10, 26)) == 25 * H
        assert self.local_24x7.add(ams(2026, 10, 24, 12), 24 * H) == ams(2026, 10, 25, 11)
        # Both passes of 02:30 are open; the second comes an hour after the first.
        first = ams(2026, 10, 25, 2, 30)
        second = first.replace(fold=1)
        assert self.local_24x7.elapsed(first, second) == H
        assert self.local_24x7.is_open(second)

    def test_it_counts_real_time_in_an_interval_around_the_change(self) -> None:
        night = BusinessCalendar("Europe/Amsterdam", {6: [("01:00", "04:00")]})
        assert night.elapsed(ams(2026, 3, 29), ams(2026, 3, 30)) == 2 * H
        assert night.elapsed(ams(2026, 10, 25), ams(2026, 10, 26)) == 4 * H
        assert night.elapsed(ams(2026, 3, 22), ams(2026, 3, 23)) == 3 * H

    def test_it_opens_a_bound_in_the_spring_gap_when_the_clocks_jump(self) -> None:
        cal = BusinessCalendar("Europe/Amsterdam", {6: [("02:30", "05:00")]})
        assert cal.next_open(ams(2026, 3, 29)) == utc(2026, 3, 29, 1)  # 03:00 CEST
        assert cal.elapsed(ams(2026, 3, 29), ams(2026, 3, 30)) == 2 * H
        empty = BusinessCalendar("Europe/Amsterdam", {6: [("02:00", "02:30"), ("09:00", "10:00")]})
        assert empty.elapsed(ams(2026, 3, 29), ams(2026, 3, 30)) == H

    def test_it_keeps_office_hours_over_both_changes(self, nl: BusinessCalendar) -> None:
        assert nl.add(ams(2026, 3, 27, 16), 2 * H) == ams(2026, 3, 30, 10)
        assert nl.add(ams(2026, 3, 27, 16), 2 * H) == utc(2026, 3, 30, 8)
        assert nl.add(ams(2026, 10, 23, 16), 2 * H) == ams(2026, 10, 26, 10)
        assert nl.add(ams(2026, 10, 23, 16), 2 * H) == utc(2026, 10, 26, 9)
        assert nl.elapsed(ams(2026, 3, 23), ams(2026, 3, 30, 23)) == 48 * H


def test_it_handles_several_intervals_per_day() -> None:
    cal = BusinessCalendar(
        "Europe/Amsterdam", {d: [("13:00", "17:00"), ("08:00", "12:00")] for d in range(5)}
    )
    assert cal.add(ams(2026, 6, 15, 11, 30), H) == ams(2026, 6, 15, 13, 30)
    assert cal.add(ams(2026, 6, 15, 11), H) == ams(
        2026, 6, 15, 12
    )  # closing instant of the morning
    assert not cal.is_open(ams(2026, 6, 15, 12, 30))
    assert cal.next_open(ams(2026, 6, 15, 12, 30)) == ams(2026, 6, 15, 13)
    assert cal.elapsed(ams(2026, 6, 15), ams(2026, 6, 16)) == 8 * H
    assert cal.hours[0] == [("08:00", "12:00"), ("13:00", "17:00")]


def test_it_accepts_24_00_as_an_end() -> None:
    nights = BusinessCalendar(
        "Europe/Amsterdam", {0: [("20:00", "24:00")], 1: [("00:00", "06:00")]}
    )
    assert nights.add(ams(2026, 6, 15, 23), 2 * H) == ams(2026, 6, 16, 1)
    assert nights.elapsed(ams(2026, 6, 15, 12), ams(2026, 6, 16, 12)) == 10 * H
    assert nights.add(ams(2026, 6, 15, 20), 10 * H) == ams(2026, 6, 16, 6)


def test_it_opens_an_extra_open_day_although_a_holiday() -> None:
    cal = BusinessCalendar(
        "Europe/Amsterdam", WEEKDAYS_9_17, country="NL", extra_open=[date(2026, 5, 25)]
    )
    assert cal.add(ams(2026, 5, 22, 16, 30), 2 * H) == ams(2026, 5, 25, 10, 30)


def test_it_closes_its_own_holidays() -> None:
    cal = BusinessCalendar("Europe/Amsterdam", WEEKDAYS_9_17, holidays=[date(2026, 6, 15)])
    assert cal.add(ams(2026, 6, 12, 16), 2 * H) == ams(2026, 6, 16, 10)
    assert cal.closed_days(ams(2026, 6, 12), ams(2026, 6, 16)) == [
        (date(2026, 6, 15), "closed day")
    ]


def test_it_lists_public_holidays_skipped(nl: BusinessCalendar) -> None:
    days = nl.closed_days(ams(2026, 5, 22), ams(2026, 5, 26))
    assert days == [(date(2026, 5, 25), "Pentecost Monday")]  # Sunday is closed anyway


def test_it_measures_24x7_as_plain_elapsed_time() -> None:
    start = ams(2026, 3, 1, 12)
    # 30 x 24 h of real time: across the spring change that is 13:00 local, not 12:00.
    assert ALWAYS_OPEN.add(start, timedelta(days=30)) == start.astimezone(UTC) + timedelta(days=30)
    assert ALWAYS_OPEN.add(start, timedelta(days=30)) == ams(2026, 3, 31, 13)
    end = start.astimezone(UTC) + timedelta(days=30, minutes=7)
    assert ALWAYS_OPEN.elapsed(start, end) == timedelta(days=30, minutes=7)
    assert ALWAYS_OPEN.is_always_open


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({}, "at least one weekday"),
        ({0: [("17:00", "09:00")]}, "ends before it starts"),
        ({0: [("24:00", "24:00")]}, "invalid time"),
        ({0: [("9:00", "17:00")]}, "invalid time"),
        ({0: [("09:00", "24:30")]}, "invalid time"),
        ({7: [("09:00", "17:00")]}, "weekday"),
    ],
)
def test_it_refuses_bad_hours(hours: dict[int, list[tuple[str, str]]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar("Europe/Amsterdam", hours)


def test_it_refuses_unknown_zones_countries_and_naive_times(nl: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar("Europe/Atlantis", WEEKDAYS_9_17)
    with pytest.raises(ValueError, match="country"):
        BusinessCalendar("Europe/Amsterdam", WEEKDAYS_9_17, country="XX")
    with pytest.raises(ValueError, match="subdivision"):
        BusinessCalendar("Europe/Amsterdam", WEEKDAYS_9_17, country="NL", subdivision="ZZ")
    naive = datetime(2026, 6, 15, 9)  # noqa: DTZ001
    for call in (
        lambda: nl.add(naive, H),
        lambda: nl.elapsed(naive, ams(2026, 6, 16)),
        lambda: nl.is_open(naive),
        lambda: nl.next_open(naive),
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()
    with pytest.raises(ValueError, match="negative"):
        nl.add(ams(2026, 6, 15, 9), -H)


def test_it_gives_up_after_ten_years_without_opening() -> None:
    mondays = [date(2026, 6, 15) + timedelta(weeks=n) for n in range(600)]
    cal = BusinessCalendar("Europe/Amsterdam", {0: [("09:00", "17:00")]}, holidays=mondays)
    with pytest.raises(ValueError, match="ten years"):
        cal.next_open(ams(2026, 6, 14))
    with pytest.raises(ValueError, match="ten years"):
        cal.add(ams(2026, 6, 14), H)


def test_it_is_equal_by_value() -> None:
    one = BusinessCalendar("Europe/Amsterdam", {"0": [["09:00", "17:00"]]}, country="NL")
    two = BusinessCalendar("Europe/Amsterdam", {0: [("09:00", "17:00")]}, country="NL")
    assert one == two
    assert hash(one) == hash(two)
    assert one != BusinessCalendar("Europe/Amsterdam", {0: [("09:00", "17:00")]})


def test_it_computes_a_90_day_target_in_well_under_a_millisecond(nl: BusinessCalendar) -> None:
    start = ams(2026, 2, 2, 10)
    nl.add(start, timedelta(days=90))  # warm the holiday tables for the years involved
    ALWAYS_OPEN.add(start, timedelta(days=90))
    runs = 200
    began = time.perf_counter()
    for n in range(runs):
        nl.add(start + n * MIN, timedelta(days=90))  # 2160 open hours: 54 weeks
        ALWAYS_OPEN.add(start + n * MIN, timedelta(days=90))
    per_call = (time.perf_counter() - began) / runs / 2
    assert nl.elapsed(start, nl.add(start, timedelta(days=90))) == timedelta(days=90)
    assert per_call < 0.001
