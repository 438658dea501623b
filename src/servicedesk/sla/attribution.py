"""Breach attribution: how a clock's counted time divides over who held the ticket.

Data in, shares out, like the rest of the engine. Two inputs:

- the ticket's *holders* over time (`holder_stints` builds them from `HolderChange`s): the
  customer while the desk waits on them (``waiting_on_customer``, ``solution_offered``),
  the supplier while the ticket waits on one, otherwise the support line the ticket is on
  (line 1 is the customer's key user, 2 the vendor's support, 3 development); nobody while
  the ticket is closed;
- the clock: its start, its end (met, else `now`), its pauses and its due instant, counted
  on the target's calendar (`ClockResult` carries all of these; `attribute_clock`).

`attribute(...)` cuts the clock's span at every change of holder, pause and the due instant,
and adds the open time of each piece to its holder as counted time (the clock ran),
over-target time (counted after the due instant) or paused time (the clock stood still:
shown, never counted). Counted time over all holders equals the clock's `elapsed`, and
over-target time equals how far the clock ran past its target.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from servicedesk.sla.calendar import BusinessCalendar, as_utc
from servicedesk.sla.clock import ClockResult
from servicedesk.sla.vocab import Status

_ZERO = timedelta(0)


class Holder(StrEnum):
    """Who holds a ticket: a support line, a supplier or the customer."""

    LINE1 = "line1"
    LINE2 = "line2"
    LINE3 = "line3"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"


LINES = {1: Holder.LINE1, 2: Holder.LINE2, 3: Holder.LINE3}
CUSTOMER_STATUSES = frozenset({Status.WAITING_ON_CUSTOMER, Status.SOLUTION_OFFERED})
"""It is the customer's turn: to answer a question or to confirm a solution."""


@dataclass(frozen=True)
class HolderChange:
    """A change of what decides the holder: the status, the support line or the supplier.

    None leaves that part as it was. The first change (at the ticket's creation) gives the
    status and the line the ticket started with.
    """

    at: datetime
    _: KW_ONLY
    status: str | None = None
    line: int | None = None
    supplier: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", as_utc(self.at, "change time"))
        if self.line is not None and self.line not in LINES:
            raise ValueError(f"support line must be 1, 2 or 3, got {self.line}")


@dataclass(frozen=True)
class Stint:
    """A stretch during which one holder had the ticket; `end` None: it still does.

    `holder` None while the ticket is closed; `supplier` names the supplier (an opaque key,
    the desk passes its id) while the holder is a supplier.
    """

    start: datetime
    end: datetime | None
    holder: Holder | None
    supplier: str | None = None


def _holder(status: str, line: int) -> Holder | None:
    if status == Status.CLOSED:
        return None
    if status in CUSTOMER_STATUSES:
        return Holder.CUSTOMER
    if status == Status.WAITING_ON_SUPPLIER:
        return Holder.SUPPLIER
    return LINES[line]


def holder_stints(changes: Iterable[HolderChange]) -> list[Stint]:
    """Return who held the ticket from its first change on, as consecutive stints.

    The first change must give both the status and the line; later ones change either, or
    the supplier (which counts from then on, also for a supplier stint under way).
    """
    ordered = sorted(changes, key=lambda change: change.at)
    if not ordered:
        return []
    first = ordered[0]
    if first.status is None or first.line is None:
        raise ValueError("the first change needs the status and the support line")
    status, line, supplier = first.status, first.line, first.supplier
    stints: list[Stint] = []
    since = first.at
    for change in ordered[1:]:
        before = _who(status, line, supplier)
        status = change.status if change.status is not None else status
        line = change.line if change.line is not None else line
        supplier = change.supplier if change.supplier is not None else supplier
        if _who(status, line, supplier) == before:
            continue
        if change.at > since:
            stints.append(Stint(since, change.at, *before))
        since = change.at  # of two changes at one instant, the later one holds
    stints.append(Stint(since, None, *_who(status, line, supplier)))
    return stints


def _who(status: str, line: int, supplier: str | None) -> tuple[Holder | None, str | None]:
    holder = _holder(status, line)
    return holder, supplier if holder is Holder.SUPPLIER else None


@dataclass(frozen=True)
class Share:
    """The time one holder had of a clock: counted, of which over target, and paused."""

    holder: Holder
    supplier: str | None
    counted: timedelta
    over: timedelta
    paused: timedelta


@dataclass(frozen=True)
class Attribution:
    """A clock's time divided over its holders, in the order they first held the ticket."""

    shares: tuple[Share, ...]

    @property
    def counted(self) -> timedelta:
        """Return the clock's counted time (its `elapsed`)."""
        return sum((share.counted for share in self.shares), _ZERO)

    @property
    def over(self) -> timedelta:
        """Return the counted time past the due instant."""
        return sum((share.over for share in self.shares), _ZERO)

    @property
    def paused(self) -> timedelta:
        """Return the open time the clock stood still."""
        return sum((share.paused for share in self.shares), _ZERO)


def attribute(
    *,
    calendar: BusinessCalendar,
    start: datetime,
    end: datetime,
    pauses: Sequence[tuple[datetime, datetime | None]],
    due: datetime | None,
    stints: Sequence[Stint],
) -> Attribution:
    """Return the clock's open time between `start` and `end`, divided over the holders.

    `pauses` are (start, end or None) stretches when the clock stood still; `due` the
    instant the target ran out (None: not known, e.g. while paused: nothing is over
    target). Time outside every stint, or while nobody holds the ticket, is left out.
    """
    start, end = as_utc(start, "start"), as_utc(end, "end")
    if end <= start:
        return Attribution(())
    cuts = {start, end}
    stops = [(as_utc(a, "pause start"), as_utc(b, "pause end") if b else end) for a, b in pauses]
    for a, b in stops:
        cuts.update(t for t in (a, b) if start < t < end)
    for stint in stints:
        cuts.update(t for t in (stint.start, stint.end) if t is not None and start < t < end)
    if due is not None and start < due < end:
        cuts.add(as_utc(due, "due"))
    points = sorted(cuts)
    totals: dict[tuple[Holder, str | None], list[timedelta]] = {}
    for lo, hi in itertools.pairwise(points):
        held = next((s for s in stints if s.start <= lo and (s.end is None or hi <= s.end)), None)
        if held is None or held.holder is None:
            continue
        open_time = calendar.elapsed(lo, hi)
        if not open_time:
            continue
        bucket = totals.setdefault((held.holder, held.supplier), [_ZERO, _ZERO, _ZERO])
        if any(a <= lo and hi <= b for a, b in stops):
            bucket[2] += open_time
        else:
            bucket[0] += open_time
            if due is not None and lo >= due:
                bucket[1] += open_time
    return Attribution(
        tuple(Share(holder, supplier, *times) for (holder, supplier), times in totals.items())
    )


def attribute_clock(result: ClockResult, stints: Sequence[Stint]) -> Attribution | None:
    """Return the attribution of a computed clock up to its stop (or `now`); None for a
    clock without a target (nothing is counted)."""
    if result.calendar is None or result.target is None:
        return None
    return attribute(
        calendar=result.calendar,
        start=result.start,
        end=result.met_at or result.now,
        pauses=[(pause.start, pause.end) for pause in result.pauses],
        due=result.due,
        stints=stints,
    )
