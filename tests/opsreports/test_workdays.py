"""Working days of a business calendar: weekends and holidays are not working days."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from servicedesk.opsreports.workdays import is_working_day, working_days_before
from servicedesk.sla import BusinessCalendar

AMS = ZoneInfo("Europe/Amsterdam")
OFFICE = BusinessCalendar(
    "Europe/Amsterdam", {str(day): [["09:00", "17:00"]] for day in range(5)}, country="NL"
)


def local(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMS)


def test_a_weekend_is_not_working_days() -> None:
    monday = local(2026, 6, 8, 10, 0)
    assert working_days_before(OFFICE, monday, 1) == local(2026, 6, 5, 10, 0)  # Friday
    assert working_days_before(OFFICE, monday, 3) == local(2026, 6, 3, 10, 0)  # Wednesday
    assert working_days_before(OFFICE, monday, 5) == local(2026, 6, 1, 10, 0)  # a week back


def test_a_public_holiday_is_not_a_working_day() -> None:
    # Whit Monday 2026 (Tweede Pinksterdag) is 25 May: a public holiday in the Netherlands.
    assert not is_working_day(OFFICE, datetime.date(2026, 5, 25))
    assert is_working_day(OFFICE, datetime.date(2026, 5, 26))
    tuesday = local(2026, 5, 26, 10, 0)
    assert working_days_before(OFFICE, tuesday, 1) == local(2026, 5, 22, 10, 0)  # Friday


def test_extra_closed_and_open_days_count_as_the_calendar_says() -> None:
    calendar = BusinessCalendar(
        "Europe/Amsterdam",
        {str(day): [["09:00", "17:00"]] for day in range(5)},
        holidays=["2026-06-04"],
    )
    thursday_closed, friday = local(2026, 6, 4, 12, 0), local(2026, 6, 5, 12, 0)
    assert not is_working_day(calendar, thursday_closed.date())
    assert working_days_before(calendar, friday, 1) == local(2026, 6, 3, 12, 0)


def test_a_saturday_is_a_working_day_when_the_calendar_opens_on_it() -> None:
    six_days = BusinessCalendar(
        "Europe/Amsterdam", {str(day): [["09:00", "13:00"]] for day in range(6)}
    )
    monday = local(2026, 6, 8, 10, 0)
    assert working_days_before(six_days, monday, 1) == local(2026, 6, 6, 10, 0)


def test_zero_days_is_the_moment_itself_and_the_answer_is_utc() -> None:
    moment = local(2026, 6, 8, 10, 0)
    assert working_days_before(OFFICE, moment, 0) == moment
    assert working_days_before(OFFICE, moment, 2).tzinfo == datetime.UTC


def test_the_same_wall_clock_time_across_a_clock_change() -> None:
    # Summer time starts on Sunday 29 March 2026: Friday 10:00 is UTC+1, Monday 10:00 UTC+2.
    monday = local(2026, 3, 30, 10, 0)
    cutoff = working_days_before(OFFICE, monday, 1)
    assert cutoff == local(2026, 3, 27, 10, 0)
    assert cutoff.astimezone(datetime.UTC).hour == 9


@pytest.mark.parametrize("days", [1, 5, 20])
def test_it_never_lands_on_a_closed_day(days: int) -> None:
    for start in range(14):
        moment = local(2026, 12, 14, 10, 0) + datetime.timedelta(days=start)
        cutoff = working_days_before(OFFICE, moment, days).astimezone(AMS)
        assert is_working_day(OFFICE, cutoff.date())
