"""Properties of BusinessCalendar: add and elapsed are inverses, add is monotonic, and
elapsed agrees with a slow minute-by-minute count over the local wall clock."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from servicedesk.sla import BusinessCalendar

CALENDARS = {
    "office NL": BusinessCalendar(
        "Europe/Amsterdam", {d: [("09:00", "17:00")] for d in range(5)}, country="NL"
    ),
    "split day": BusinessCalendar(
        "Europe/Amsterdam", {d: [("08:00", "12:00"), ("13:00", "17:30")] for d in range(6)}
    ),
    "24x7 local": BusinessCalendar.always_open("Europe/Amsterdam"),
    "nights": BusinessCalendar(
        "Europe/Amsterdam",
        {5: [("20:00", "24:00")], 6: [("00:00", "24:00")], 0: [("00:00", "06:30")]},
        holidays=[date(2026, 3, 22), date(2026, 10, 24)],
        extra_open=[date(2026, 10, 24)],
    ),
    "London, BE-style": BusinessCalendar(
        "Europe/London", {d: [("08:30", "18:00")] for d in range(5)}, country="GB"
    ),
}
names = st.sampled_from(sorted(CALENDARS))
starts = st.integers(
    min_value=int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()) // 60,
    max_value=int(datetime(2028, 12, 31, tzinfo=UTC).timestamp()) // 60,
).map(lambda minute: datetime.fromtimestamp(minute * 60, tz=UTC))
durations = st.integers(min_value=0, max_value=200 * 24 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=200, deadline=None, database=None)
@given(name=names, start=starts, delta=durations)
def test_it_makes_elapsed_the_inverse_of_add(name: str, start: datetime, delta: timedelta) -> None:
    cal = CALENDARS[name]
    due = cal.add(start, delta)
    assert due.tzinfo is UTC
    assert due >= start
    assert cal.elapsed(start, due) == delta
    if delta:
        # The earliest such instant: a minute earlier not enough time has passed.
        assert cal.elapsed(start, due - timedelta(minutes=1)) < delta


@settings(max_examples=200, deadline=None, database=None)
@given(name=names, start=starts, one=durations, two=durations)
def test_it_adds_monotonically(name: str, start: datetime, one: timedelta, two: timedelta) -> None:
    cal = CALENDARS[name]
    short, long = sorted((one, two))
    assert cal.add(start, short) <= cal.add(start, long)


@settings(max_examples=200, deadline=None, database=None)
@given(name=names, a=starts, b=starts, c=starts)
def test_it_adds_up_elapsed_time(name: str, a: datetime, b: datetime, c: datetime) -> None:
    cal = CALENDARS[name]
    a, b, c = sorted((a, b, c))
    assert cal.elapsed(a, c) == cal.elapsed(a, b) + cal.elapsed(b, c)


def _slow_elapsed(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Count the real minutes whose local wall time lies in an opening interval."""
    zone = ZoneInfo(cal.tz)
    closed = {d for year in range(start.year - 1, end.year + 2) for d in cal.closures(year)}
    open_minutes = 0
    t = start
    while t < end:
        local = t.astimezone(zone)
        minute = local.hour * 60 + local.minute
        if local.date() not in closed:
            for first, last in cal.hours.get(local.weekday(), []):
                h1, m1 = map(int, first.split(":"))
                h2, m2 = map(int, last.split(":"))
                if h1 * 60 + m1 <= minute < h2 * 60 + m2:
                    open_minutes += 1
                    break
        t += timedelta(minutes=1)
    return timedelta(minutes=open_minutes)


dst_days = st.sampled_from(
    [
        datetime(2026, 3, 27, tzinfo=UTC),
        datetime(2026, 10, 23, tzinfo=UTC),
        datetime(2025, 12, 30, tzinfo=UTC),
    ]
)


@settings(max_examples=25, deadline=None, database=None)
@given(
    name=names,
    base=dst_days,
    offset=st.integers(min_value=0, max_value=3 * 24 * 60),
    length=st.integers(min_value=0, max_value=2 * 24 * 60),
)
def test_it_agrees_with_a_minute_by_minute_count(
    name: str, base: datetime, offset: int, length: int
) -> None:
    cal = CALENDARS[name]
    start = base + timedelta(minutes=offset)
    end = start + timedelta(minutes=length)
    assert cal.elapsed(start, end) == _slow_elapsed(cal, start, end)


@settings(max_examples=200, deadline=None, database=None)
@given(name=names, one=starts, two=starts, delta=durations)
def test_it_adds_monotonically_in_the_start(
    name: str, one: datetime, two: datetime, delta: timedelta
) -> None:
    cal = CALENDARS[name]
    early, late = sorted((one, two))
    assert cal.add(early, delta) <= cal.add(late, delta)


positive_durations = st.integers(min_value=1, max_value=200 * 24 * 60).map(
    lambda m: timedelta(minutes=m)
)


@settings(max_examples=200, deadline=None, database=None)
@given(name=names, start=starts, one=durations, two=positive_durations)
def test_it_adds_in_steps_as_at_once_from_inside_opening_hours(
    name: str, start: datetime, one: timedelta, two: timedelta
) -> None:
    # The second step is never zero: the first may end on a closing instant, where a due
    # time stays, while a *start* on a closing instant counts from the next opening, so
    # adding nothing to it moves it there (test_it_moves_a_closing_instant_plus_nothing...).
    cal = CALENDARS[name]
    start = cal.next_open(start)  # a start inside opening hours
    assert cal.is_open(start)
    assert cal.add(cal.add(start, one), two) == cal.add(start, one + two)


def test_it_moves_a_closing_instant_plus_nothing_to_the_next_opening() -> None:
    # Found by the steps property: 25 days from 2 January end on Wednesday 16 April at
    # 17:00, a closing instant (a due time stays there); as a start it counts from the
    # next opening, so adding nothing gives Thursday 09:00.
    cal = CALENDARS["office NL"]
    landed = cal.add(datetime(2025, 1, 2, 8, 0, tzinfo=UTC), timedelta(days=25))

    assert landed == datetime(2025, 4, 16, 15, 0, tzinfo=UTC)
    assert cal.add(landed, timedelta(0)) == datetime(2025, 4, 17, 7, 0, tzinfo=UTC)
    assert cal.add(landed, timedelta(minutes=1)) == datetime(2025, 4, 17, 7, 1, tzinfo=UTC)


@settings(max_examples=200, deadline=None, database=None)
@given(name=names, start=starts, delta=durations)
def test_it_never_puts_a_due_time_inside_a_closed_period(
    name: str, start: datetime, delta: timedelta
) -> None:
    cal = CALENDARS[name]
    due = cal.add(start, delta)
    if delta and not cal.is_open(due):
        # Closed at the due instant: it must be the closing boundary of open time,
        # i.e. the minute before it was open.
        assert cal.is_open(due - timedelta(minutes=1))
