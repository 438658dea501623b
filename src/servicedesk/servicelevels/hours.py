"""Opening hours as rows of (weekday, opens, closes): checked, and to and from the engine's form.

One set of rules for the service levels' calendars and the contracts' business calendars:
times are "HH:MM" in local time ("24:00" may close a day), a row closes after it opens,
and the rows of one weekday must not overlap (the engine would merge them silently).
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

TIME = re.compile(r"(\d\d):(\d\d)\Z")


def minutes_of(text: str, *, closing: bool) -> int | None:
    """Return the minutes after midnight of "HH:MM" (24:00 only when closing); else None."""
    match = TIME.match(text)
    if match is None:
        return None
    hours, minutes = int(match[1]), int(match[2])
    value = hours * 60 + minutes
    if minutes > 59 or value > 1440 or (value == 1440 and not closing):
        return None
    return value


def check_hours(rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
    """Return the faults of opening-hour rows as (row index, field or "", message).

    Each row is {"weekday": 0-6, "opens": "HH:MM", "closes": "HH:MM"}; rows of one weekday
    must not overlap, and a calendar needs at least one row.
    """
    faults: list[tuple[int, str, str]] = []
    spans: dict[int, list[tuple[int, int, int]]] = {}
    for index, row in enumerate(rows):
        weekday = row.get("weekday")
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            faults.append((index, "weekday", _("Choose a weekday: 0 (Monday) to 6 (Sunday).")))
            continue
        opens_text, closes_text = row.get("opens"), row.get("closes")
        opens = minutes_of(opens_text, closing=False) if isinstance(opens_text, str) else None
        closes = minutes_of(closes_text, closing=True) if isinstance(closes_text, str) else None
        if opens is None:
            faults.append((index, "opens", _("Give a time as HH:MM, e.g. 09:00.")))
        if closes is None:
            faults.append((index, "closes", _("Give a time as HH:MM, e.g. 17:00 (or 24:00).")))
        if opens is None or closes is None:
            continue
        if closes <= opens:
            faults.append(
                (
                    index,
                    "closes",
                    _("%(day)s: %(opens)s-%(closes)s closes before it opens.")
                    % {"day": WEEKDAYS[weekday], "opens": opens_text, "closes": closes_text},
                )
            )
            continue
        for start, end, other in spans.get(weekday, []):
            if opens < end and start < closes:
                faults.append(
                    (
                        index,
                        "opens",
                        _("%(day)s: %(this)s overlaps %(other)s.")
                        % {
                            "day": WEEKDAYS[weekday],
                            "this": f"{opens_text}-{closes_text}",
                            "other": "{}-{}".format(rows[other]["opens"], rows[other]["closes"]),
                        },
                    )
                )
                break
        spans.setdefault(weekday, []).append((opens, closes, index))
    if not rows:
        faults.append((-1, "", _("A calendar needs opening hours on at least one day.")))
    return faults


def hours_rows(hours: Mapping[Any, Sequence[Sequence[str]]]) -> list[dict[str, Any]]:
    """Return opening hours {weekday: [(opens, closes), ...]} as sorted rows."""
    rows = [
        {"weekday": int(day), "opens": str(span[0]), "closes": str(span[1])}
        for day, spans in hours.items()
        for span in spans
    ]
    return sorted(rows, key=lambda row: (row["weekday"], row["opens"]))


def hours_mapping(rows: Iterable[Mapping[str, Any]]) -> dict[int, list[tuple[str, str]]]:
    """Return rows as opening hours {weekday: [(opens, closes), ...]}, weekdays in order."""
    hours: dict[int, list[tuple[str, str]]] = {}
    for row in sorted(rows, key=lambda r: (r["weekday"], r["opens"])):
        hours.setdefault(row["weekday"], []).append((row["opens"], row["closes"]))
    return hours
