"""Business calendars: how much open time lies between two instants, and when it runs out.

`BusinessCalendar(tz, hours, ...)` describes a service window: opening intervals per weekday
in local wall-clock time, closed days (own list and/or public holidays of a country from
the `holidays` package) and days open although a holiday. It answers:

- `add(start, delta)`: the instant (aware, UTC) at which `delta` of open time has passed;
- `elapsed(start, end)`: the open time between two instants (zero if `end <= start`);
- `is_open(t)` and `next_open(t)`.

Rules:

- Intervals are half-open, ``[09:00, 17:00)``. "24:00" may end an interval.
- A start outside opening hours counts from the next opening.
- Closing instant: `add` returns the *earliest* instant at which `delta` has passed, so a
  due time that falls on a closing time stays there (17:00, not 09:00 the next working day).
- Open time is real elapsed time. Wall-clock bounds are turned into instants in the zone;
  on the day clocks go forward "00:00-24:00" holds 23 hours, on the day they go back 25.
  A bound that does not exist (it falls in the spring gap) is the instant the clocks
  change, the first moment the wall clock shows that time or later; a bound that occurs
  twice (autumn) is its first occurrence.
- Closed days close all day; `extra_open` lifts a closure but does not open a weekday
  that has no hours.
- Naive datetimes are refused with ValueError; results are aware UTC datetimes.
- A calendar with no opening hours at all is refused at construction; searches for the
  next opening stop after ten years with ValueError.

Speed: the work is per open interval, day by day, and whole weeks without holidays or
clock changes are skipped in one step, so a 90-day target costs a few dozen steps.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

SEARCH_LIMIT_DAYS = 3653  # ten years
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)
_ZERO = timedelta(0)
_TIME = re.compile(r"(\d\d):(\d\d)")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CACHE_LIMIT = 20_000

Span = tuple[datetime, datetime]
Minutes = tuple[tuple[int, int], ...]
Hours = Mapping[int, Sequence[Sequence[str]]] | Mapping[str, Sequence[Sequence[str]]]
"""Weekday (0 = Monday, as int or str) -> opening intervals [("09:00", "17:00"), ...]."""


def as_utc(value: datetime, name: str = "datetime") -> datetime:
    """Return the aware datetime in UTC; raise ValueError for a naive one."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _minutes(text: str, *, end: bool) -> int:
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid time {text!r}: expected 'HH:MM'")
    hours, minutes = int(match[1]), int(match[2])
    value = hours * 60 + minutes
    if minutes > 59 or value > 1440 or (value == 1440 and not end):
        raise ValueError(f"invalid time {text!r}: use 00:00-23:59, or 24:00 as an end")
    return value


def _parse_hours(hours: Hours) -> tuple[Minutes, ...]:
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for key, intervals in hours.items():
        weekday = int(key)
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday {key!r} out of range: use 0 (Monday) to 6 (Sunday)")
        for interval in intervals:
            if len(interval) != 2:
                raise ValueError(f"opening interval {interval!r} must be (start, end)")
            start, end = _minutes(interval[0], end=False), _minutes(interval[1], end=True)
            if end <= start:
                raise ValueError(f"opening interval {interval!r} ends before it starts")
            days[weekday].append((start, end))
    merged: list[Minutes] = []
    for spans in days:
        out: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged.append(tuple(out))
    return tuple(merged)


def _as_date(value: date | str, name: str) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"{name} must hold dates, not datetimes: {value!r}")
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


@functools.lru_cache(maxsize=512)
def _public_holidays(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    # English names where the package has them: explanations are written in English.
    localized = holidays_lib.list_localized_countries()
    language = "en_US" if "en_US" in localized.get(country, ()) else None
    found = holidays_lib.country_holidays(
        country, subdiv=subdivision, years=year, language=language
    )
    return dict(sorted(found.items()))


def _check_country(country: str, subdivision: str | None) -> None:
    supported = holidays_lib.list_supported_countries()
    if country not in supported:
        raise ValueError(f"no public holidays known for country {country!r}")
    if subdivision is not None and subdivision not in supported[country]:
        raise ValueError(f"unknown subdivision {subdivision!r} of {country}")


def _wall_to_utc(zone: ZoneInfo, day: date, minute: int) -> datetime:
    """Return the instant a local wall time first occurs; for one in a gap, the jump."""
    if minute == 1440:
        day, minute = day + _DAY, 0
    wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60)  # noqa: DTZ001
    instant = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first occurrence
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # The wall time does not exist. Read with the offset after the jump it lies before the
    # jump, read with the offset before it lies after: bisect between the two to the second.
    lo = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    hi = instant
    before = lo.astimezone(zone).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


@functools.lru_cache(maxsize=256)
def _clock_change_days(tz: str, year: int) -> frozenset[date]:
    """Return the local dates of a year that do not last exactly 24 hours."""
    zone = ZoneInfo(tz)
    found: set[date] = set()
    # Sample weekly, then look day by day inside a week whose length is off: zones change
    # their clocks at most a few times a year and never twice within one week.
    week = date(year, 1, 1)
    start = _wall_to_utc(zone, week, 0)
    while week.year == year:
        following = _wall_to_utc(zone, week + _WEEK, 0)
        if following - start != _WEEK:
            for n in range(7):
                day = week + timedelta(days=n)
                length = _wall_to_utc(zone, day + _DAY, 0) - _wall_to_utc(zone, day, 0)
                if length != _DAY and day.year == year:
                    found.add(day)
        week, start = week + _WEEK, following
    return frozenset(found)


@functools.lru_cache(maxsize=64)
def _always_open(tz: str) -> BusinessCalendar:
    return BusinessCalendar(tz, {day: [("00:00", "24:00")] for day in range(7)})


class BusinessCalendar:
    """A service window in a time zone: opening hours per weekday, closed and open days."""

    __slots__ = (
        "_closed_cache",
        "_day_cache",
        "_hours",
        "_irregular_cache",
        "_week_open",
        "_zone",
        "country",
        "extra_open",
        "holidays",
        "subdivision",
        "tz",
    )

    def __init__(
        self,
        tz: str,
        hours: Hours,
        *,
        holidays: Iterable[date | str] = (),
        country: str | None = None,
        subdivision: str | None = None,
        extra_open: Iterable[date | str] = (),
    ) -> None:
        try:
            self._zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        self.tz = tz
        self._hours = _parse_hours(hours)
        if not any(self._hours):
            raise ValueError("a business calendar needs opening hours on at least one weekday")
        self._week_open = timedelta(minutes=sum(e - s for day in self._hours for s, e in day))
        if subdivision is not None and country is None:
            raise ValueError("a subdivision needs a country")
        if country is not None:
            _check_country(country, subdivision)
        self.country = country
        self.subdivision = subdivision
        self.holidays = frozenset(_as_date(d, "holidays") for d in holidays)
        self.extra_open = frozenset(_as_date(d, "extra_open") for d in extra_open)
        self._day_cache: dict[date, tuple[Span, ...]] = {}
        self._closed_cache: dict[int, dict[date, str]] = {}
        self._irregular_cache: dict[int, tuple[date, ...]] = {}

    @staticmethod
    def always_open(tz: str = "UTC") -> BusinessCalendar:
        """Return a 24x7 calendar: open time is plain elapsed time (shared per zone)."""
        return _always_open(tz)

    # -- identity ---------------------------------------------------------------------

    @property
    def hours(self) -> dict[int, list[tuple[str, str]]]:
        """Return the normalised opening hours, weekday -> [("HH:MM", "HH:MM"), ...]."""
        return {
            day: [(_hhmm(s), _hhmm(e)) for s, e in spans]
            for day, spans in enumerate(self._hours)
            if spans
        }

    def _key(self) -> tuple[object, ...]:
        return (
            self.tz,
            self._hours,
            self.holidays,
            self.country,
            self.subdivision,
            self.extra_open,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.describe()!r})"

    @property
    def is_always_open(self) -> bool:
        """Return True for a 24x7 calendar without closed days."""
        full = ((0, 1440),)
        return (
            all(day == full for day in self._hours) and not self.holidays and self.country is None
        )

    def describe(self) -> str:
        """Return a one-line English description, e.g. "Mon-Fri 09:00-17:00, Europe/Amsterdam"."""
        if self.is_always_open:
            return f"24x7, {self.tz}"
        groups: list[tuple[int, int, Minutes]] = []
        for day, spans in enumerate(self._hours):
            if groups and groups[-1][2] == spans and groups[-1][1] == day - 1:
                groups[-1] = (groups[-1][0], day, spans)
            else:
                groups.append((day, day, spans))
        parts = []
        for first, last, spans in groups:
            if not spans:
                continue
            days = _WEEKDAYS[first] if first == last else f"{_WEEKDAYS[first]}-{_WEEKDAYS[last]}"
            times = ", ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in spans)
            parts.append(f"{days} {times}")
        text = "; ".join(parts) + f", {self.tz}"
        if self.country:
            region = f"{self.country}-{self.subdivision}" if self.subdivision else self.country
            text += f", closed on public holidays ({region})"
        if self.holidays:
            text += f", {len(self.holidays)} extra closed day(s)"
        return text

    # -- days -------------------------------------------------------------------------

    def closures(self, year: int) -> dict[date, str]:
        """Return the closed days of a year with their names (holidays not in extra_open)."""
        return dict(self._closures(year))

    def _closures(self, year: int) -> dict[date, str]:
        found = self._closed_cache.get(year)
        if found is None:
            found = {}
            if self.country is not None:
                found.update(_public_holidays(self.country, self.subdivision, year))
            for day in self.holidays:
                if day.year == year:
                    found.setdefault(day, "closed day")
            for day in self.extra_open:
                found.pop(day, None)
            self._closed_cache[year] = found
        return found

    def closed_days(self, start: datetime, end: datetime) -> list[tuple[date, str]]:
        """Return the closed days, with names, that would have had opening hours.

        Local dates from the day of `start` to the day of `end`, both included.
        """
        first, last = self._local_date(as_utc(start)), self._local_date(as_utc(end))
        found: list[tuple[date, str]] = []
        for year in range(first.year, last.year + 1):
            for day, name in sorted(self._closures(year).items()):
                if first <= day <= last and self._hours[day.weekday()]:
                    found.append((day, name))
        return found

    def _local_date(self, t: datetime) -> date:
        return t.astimezone(self._zone).date()

    def _instant(self, day: date, minute: int) -> datetime:
        return _wall_to_utc(self._zone, day, minute)

    def _day(self, day: date) -> tuple[Span, ...]:
        """Return the open spans of a local date as UTC instants."""
        spans = self._day_cache.get(day)
        if spans is None:
            spans = ()
            if day not in self._closures(day.year):
                out: list[Span] = []
                for start, end in self._hours[day.weekday()]:
                    s, e = self._instant(day, start), self._instant(day, end)
                    if out and s <= out[-1][1]:
                        out[-1] = (out[-1][0], max(out[-1][1], e))
                    elif e > s:
                        out.append((s, e))
                spans = tuple(out)
            if len(self._day_cache) >= _CACHE_LIMIT:
                self._day_cache.clear()
            self._day_cache[day] = spans
        return spans

    def _irregular(self, year: int) -> tuple[date, ...]:
        """Return the sorted dates whose open time may differ from their weekday's hours."""
        found = self._irregular_cache.get(year)
        if found is None:
            odd = {d for d in self._closures(year) if self._hours[d.weekday()]}
            odd |= _clock_change_days(self.tz, year)
            found = tuple(sorted(odd))
            self._irregular_cache[year] = found
        return found

    def _regular_week(self, first: date) -> bool:
        """Return True when the 7 days from `first` hold exactly their nominal hours."""
        last = first + timedelta(days=6)
        for year in {first.year, last.year}:
            dates = self._irregular(year)
            i = bisect.bisect_left(dates, first)
            if i < len(dates) and dates[i] <= last:
                return False
        return True

    # -- questions --------------------------------------------------------------------

    def is_open(self, t: datetime) -> bool:
        """Return True if the calendar is open at instant `t`."""
        t = as_utc(t, "t")
        day = self._local_date(t)
        return any(s <= t < e for d in (day - _DAY, day) for s, e in self._day(d))

    def next_open(self, t: datetime) -> datetime:
        """Return the earliest instant at or after `t` (UTC) at which the calendar is open."""
        t = as_utc(t, "t")
        day = self._local_date(t) - _DAY
        for _ in range(SEARCH_LIMIT_DAYS + 2):
            for s, e in self._day(day):
                if e > t:
                    return max(s, t)
            day += _DAY
        raise ValueError(f"no opening hours within ten years after {t.isoformat()}")

    def add(self, start: datetime, delta: timedelta) -> datetime:
        """Return the instant (UTC) when `delta` of open time has passed after `start`."""
        if delta < _ZERO:
            raise ValueError(f"delta must not be negative, got {delta}")
        cursor = self.next_open(as_utc(start, "start"))
        if delta == _ZERO:
            return cursor
        remaining = delta
        first = self._local_date(cursor)
        day = first - _DAY
        idle = 0
        while True:
            if day > first and remaining > self._week_open and self._regular_week(day):
                remaining -= self._week_open
                day += _WEEK
                idle = 0
                continue
            spans = self._day(day)
            for s, e in spans:
                if e <= cursor:
                    continue
                s = max(s, cursor)
                if e - s >= remaining:
                    return s + remaining
                remaining -= e - s
            idle = 0 if spans else idle + 1
            if idle > SEARCH_LIMIT_DAYS:
                raise ValueError(f"no opening hours within ten years after {day.isoformat()}")
            day += _DAY

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Return the open time between two instants; zero if `end <= start`."""
        start, end = as_utc(start, "start"), as_utc(end, "end")
        if end <= start:
            return _ZERO
        total = _ZERO
        first, last = self._local_date(start), self._local_date(end)
        day = first - _DAY
        while day <= last:
            if day > first and day + _WEEK <= last and self._regular_week(day):
                total += self._week_open
                day += _WEEK
                continue
            for s, e in self._day(day):
                lo, hi = max(s, start), min(e, end)
                if hi > lo:
                    total += hi - lo
            day += _DAY
        return total


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


ALWAYS_OPEN = BusinessCalendar.always_open()
"""24x7 in UTC: open time is plain elapsed time."""
