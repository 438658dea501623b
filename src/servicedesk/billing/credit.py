"""Credit arithmetic, pure: which bundle each billable minute comes from.

Data in, consumption out; no Django, no database. Entries are taken in the order they
were worked (day, then the order they were logged); each takes what it needs from the
bundles valid on its day, oldest bundle first, as far as they have minutes left. What no
bundle covers is the entry's over-use. Covered (non-billable) entries take nothing.
Recomputing from all entries makes an edit or a delete settle exactly as if the entries
had always been what they are now.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

LOW_SHARE = 0.8  # "80% used": the first alert


@dataclass(frozen=True, slots=True)
class Work:
    """A time entry as the arithmetic sees it."""

    id: int
    day: datetime.date
    minutes: int
    billable: bool


@dataclass(frozen=True, slots=True)
class Bundle:
    """A credit bundle as the arithmetic sees it: its size in minutes and when it is valid."""

    id: int
    minutes: int
    valid_from: datetime.date
    valid_to: datetime.date

    def valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day <= self.valid_to


@dataclass
class Allocation:
    """Minutes taken per (entry, bundle), and each billable entry's over-use."""

    taken: dict[tuple[int, int], int] = field(default_factory=dict)
    overuse: dict[int, int] = field(default_factory=dict)

    def used(self, bundle_id: int) -> int:
        """Return the minutes taken from a bundle."""
        return sum(m for (_entry, bundle), m in self.taken.items() if bundle == bundle_id)


def oldest_first(bundles: Iterable[Bundle]) -> list[Bundle]:
    """Return the bundles in the order they are used: oldest valid first."""
    return sorted(bundles, key=lambda b: (b.valid_from, b.valid_to, b.id))


def allocate(entries: Sequence[Work], bundles: Iterable[Bundle]) -> Allocation:
    """Return how the entries, in the order given, consume the bundles."""
    ordered = oldest_first(bundles)
    left = {bundle.id: bundle.minutes for bundle in ordered}
    result = Allocation()
    for entry in entries:
        if not entry.billable:
            continue
        need = entry.minutes
        for bundle in ordered:
            if need == 0:
                break
            if not bundle.valid_on(entry.day) or left[bundle.id] == 0:
                continue
            take = min(need, left[bundle.id])
            left[bundle.id] -= take
            need -= take
            result.taken[entry.id, bundle.id] = take
        result.overuse[entry.id] = need
    return result


def alert_due(*, used: int, size: int) -> tuple[bool, bool]:
    """Return whether a bundle this used is past 80% and whether it is exhausted."""
    if size <= 0:
        return True, True
    return used >= size * LOW_SHARE, used >= size
