"""Report periods: local dates in, aware UTC instants out (half-open, [from, to))."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# A period longer than this is refused: a typo (year 20026) should not scan everything.
MAX_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class Period:
    """A report period: the first and last local date, and the instants they bound."""

    first: datetime.date
    last: datetime.date
    start: datetime.datetime  # the first date's midnight, aware
    end: datetime.datetime  # the midnight after the last date, aware (exclusive)


def _midnight(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)


def quarter_start(day: datetime.date) -> datetime.date:
    """Return the first day of the day's quarter."""
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_of(
    first: datetime.date | None,
    last: datetime.date | None,
    *,
    zone: datetime.tzinfo | None = None,
    today: datetime.date | None = None,
) -> Period:
    """Return the period from `first` to `last` (both included) in the time zone (default:
    the active one, the reader's); without dates, the current quarter up to today. Raise a
    ValidationError keyed by the date at fault when the period is backwards or too long."""
    zone = zone or timezone.get_current_timezone()
    today = today or timezone.localdate(timezone.now(), zone)
    last = last or today
    first = first or quarter_start(last)
    if last < first:
        raise ValidationError({"to": [_("The period ends before it starts.")]})
    if (last - first).days > MAX_DAYS:
        raise ValidationError({"from": [_("Choose a period of at most three years.")]})
    start = _midnight(first, zone)
    end = _midnight(last + datetime.timedelta(days=1), zone)
    return Period(first, last, start, end)
