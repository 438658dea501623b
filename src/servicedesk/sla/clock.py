"""SLA clocks: from a ticket's history, the state of each target at a given instant.

`compute_clocks(policy, kind=..., events=..., now=..., calendar=...)` returns a
`ClockResult` per target key of the policy: start, pauses, open time elapsed, due instant,
remaining time, warning instant, state (running, paused, met, breached, none) and when the
target was met or breached. Input is plain data: `ClockEvent`s; events after `now` are
ignored, so the same function serves live tickets, reports and simulations.

Rules (the rest of the desk relies on these):

- Every clock starts at the `created` event. Time is counted on the target's clock
  (`servicedesk.sla.policy.ClockKind`); a start outside opening hours counts from the next
  opening.
- What stops a clock (the first such event "meets" it):
  first_response - `public_reply`, `workaround_offered`, `solution_offered`, `resolved`;
  workaround - `workaround_offered`, `solution_offered`, `resolved`;
  resolution - `resolved` (solution accepted or closed as solved);
  assignment - `assigned`;
  acceptance - a status change to ``in_progress`` (or a ticket created in progress).
  A status change to ``closed`` stops every clock still running.
- Met or breached: a stopped clock is met if it stopped at or before its due time
  (``met_at <= due``), else breached with ``breached_at = due``. A running clock is
  breached once ``now > due``.
- Pauses: while the ticket has a status in the target's `pausing_statuses`, or is parked
  (`ALWAYS_PAUSING`: a change request waits for a decision, and no clock runs then, seed
  001), the clock does not run; the due time moves by exactly the open time paused.
  While a clock is paused and not yet overdue its `due` is None (unknown until it
  resumes) and `remaining` is frozen.
- Reopen: a `reopened` event, or a status change out of ``closed``, restarts the
  resolution clock only. It resumes from the open time it had already used; the time
  between the stop and the reopen counts as a pause. Other clocks stay as they were.
- Priority change: the target in force is the one of the priority current when the clock
  stopped (or now, if running). A change re-bases the due time on the new priority's
  target from the ORIGINAL start, skipping the pauses: due = open time of the target
  after the start. An upgrade may therefore make a clock breached at once, a downgrade may
  lift a breach. If the new priority has no target the clock's state is "none".
- Warning: `warn_at` is the instant when `warn_at_fraction` of the target's time has run;
  `warning` is True from then on while the clock runs or is paused and is not breached.
- `next_change_at` is the next instant at which time alone changes the state (the warning,
  then the breach, which happens just after `due`): a "look again at" value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from servicedesk.sla.calendar import BusinessCalendar, as_utc
from servicedesk.sla.policy import NoTarget, Policy, Target, resolve_clock
from servicedesk.sla.vocab import EventKind, Metric, Status

_ZERO = timedelta(0)
E = EventKind

STOPPED_BY: dict[Metric, frozenset[EventKind]] = {
    Metric.FIRST_RESPONSE: frozenset(
        {E.PUBLIC_REPLY, E.WORKAROUND_OFFERED, E.SOLUTION_OFFERED, E.RESOLVED}
    ),
    Metric.WORKAROUND: frozenset({E.WORKAROUND_OFFERED, E.SOLUTION_OFFERED, E.RESOLVED}),
    Metric.RESOLUTION: frozenset({E.RESOLVED}),
    Metric.ASSIGNMENT: frozenset({E.ASSIGNED}),
    Metric.ACCEPTANCE: frozenset(),
}
"""Event kinds that meet each metric; a change to "closed" stops all of them too."""


class ClockState(StrEnum):
    """The state of one target's clock."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    NONE = "none"


@dataclass(frozen=True)
class ClockEvent:
    """One thing that happened to a ticket. `status` goes with status changes and reopens,
    `priority` with creation and priority changes (None: no priority)."""

    at: datetime
    kind: EventKind
    _: KW_ONLY
    status: str | None = None
    priority: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", as_utc(self.at, "event time"))
        object.__setattr__(self, "kind", EventKind(self.kind))
        if self.kind is EventKind.STATUS_CHANGED and self.status is None:
            raise ValueError("a status_changed event needs the new status")


@dataclass(frozen=True)
class Pause:
    """A stretch during which a clock did not run; `end` is None while it lasts."""

    start: datetime
    end: datetime | None
    reason: str


@dataclass(frozen=True)
class PriorityChange:
    """A priority change applied to a clock."""

    at: datetime
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ClockResult:
    """The state of one target's clock at `now`. Times are aware UTC datetimes."""

    key: str
    state: ClockState
    now: datetime
    start: datetime
    priority: str | None
    target: Target | None
    no_target_reason: str | None
    calendar: BusinessCalendar | None
    due: datetime | None
    warn_at: datetime | None
    met_at: datetime | None
    breached_at: datetime | None
    elapsed: timedelta
    remaining: timedelta | None
    pauses: tuple[Pause, ...]
    priority_changes: tuple[PriorityChange, ...]
    reopened_at: tuple[datetime, ...]

    @property
    def warning(self) -> bool:
        """Return True when the warning threshold has passed on a clock not yet settled."""
        return (
            self.state in (ClockState.RUNNING, ClockState.PAUSED)
            and self.warn_at is not None
            and self.warn_at <= self.now
        )

    @property
    def next_change_at(self) -> datetime | None:
        """Return when time alone will next change this clock's state (warning, breach)."""
        if self.state is not ClockState.RUNNING:
            return None
        if self.warn_at is not None and self.warn_at > self.now:
            return self.warn_at
        return self.due


def compute_clocks(
    policy: Policy,
    *,
    kind: str,
    events: Iterable[ClockEvent],
    now: datetime,
    calendar: BusinessCalendar,
) -> dict[str, ClockResult]:
    """Return {target key: ClockResult} for every target key of the policy."""
    history = _history(events, now)
    return {
        key: _compute(
            policy, key, kind=kind, history=history, now=as_utc(now, "now"), calendar=calendar
        )
        for key in policy.target_keys()
    }


def compute_clock(
    policy: Policy,
    key: str,
    *,
    kind: str,
    events: Iterable[ClockEvent],
    now: datetime,
    calendar: BusinessCalendar,
) -> ClockResult:
    """Return the ClockResult of one target key."""
    history = _history(events, now)
    return _compute(
        policy, key, kind=kind, history=history, now=as_utc(now, "now"), calendar=calendar
    )


def _history(events: Iterable[ClockEvent], now: datetime) -> list[ClockEvent]:
    now = as_utc(now, "now")
    ordered = sorted(events, key=lambda e: e.at)
    created = [e for e in ordered if e.kind is EventKind.CREATED]
    if not created:
        raise ValueError("the history needs a 'created' event")
    if ordered[0] is not created[0]:
        raise ValueError("the 'created' event must come first")
    if created[0].at > now:
        raise ValueError("now lies before the ticket was created")
    return [e for e in ordered if e.at <= now]


@dataclass
class _Replay:
    """The part of a history that one metric's clock needs."""

    met_at: datetime | None
    pauses: list[Pause]
    priority: str | None
    changes: list[PriorityChange]
    reopened_at: list[datetime]


def _stops(metric: Metric, event: ClockEvent, old: str, new: str) -> bool:
    if event.kind in STOPPED_BY[metric]:
        return True
    if new == Status.CLOSED and old != Status.CLOSED:
        return True
    return metric is Metric.ACCEPTANCE and new == Status.IN_PROGRESS and old != new


# Statuses in which no clock runs, whatever a target's own pausing statuses say.
ALWAYS_PAUSING: frozenset[str] = frozenset({Status.PARKED})


def _replay(metric: Metric, history: Sequence[ClockEvent], pausing: frozenset[str]) -> _Replay:
    pausing = pausing | ALWAYS_PAUSING
    created = history[0]
    status = created.status or Status.NEW
    priority = created.priority
    changes: list[PriorityChange] = []
    pauses: list[Pause] = []
    reopened: list[datetime] = []
    stopped_at: datetime | None = None
    # The target in force is the one of the priority when the clock stopped.
    at_stop: tuple[str | None, int] = (priority, 0)
    if metric is Metric.ACCEPTANCE and status == Status.IN_PROGRESS:
        stopped_at = created.at
    paused: tuple[datetime, str] | None = None
    if status in pausing and stopped_at is None:
        paused = (created.at, status)

    for event in history[1:]:
        old = status
        if event.kind is EventKind.STATUS_CHANGED and event.status is not None:
            status = event.status
        elif event.kind is EventKind.REOPENED:
            status = event.status or Status.REOPENED
        if event.kind is EventKind.PRIORITY_CHANGED:
            changes.append(PriorityChange(event.at, priority, event.priority))
            priority = event.priority

        if stopped_at is None:
            if _stops(metric, event, old, status):
                if paused is not None:
                    pauses.append(Pause(paused[0], event.at, paused[1]))
                    paused = None
                stopped_at, at_stop = event.at, (priority, len(changes))
            elif paused is None and status in pausing:
                paused = (event.at, status)
            elif paused is not None and status not in pausing:
                pauses.append(Pause(paused[0], event.at, paused[1]))
                paused = None
        elif metric is Metric.RESOLUTION and (
            event.kind is EventKind.REOPENED or (old == Status.CLOSED and status != Status.CLOSED)
        ):
            pauses.append(Pause(stopped_at, event.at, "resolved"))
            reopened.append(event.at)
            stopped_at = None
            paused = (event.at, status) if status in pausing else None

    if paused is not None:
        pauses.append(Pause(paused[0], None, paused[1]))
    if stopped_at is not None:
        priority, changes = at_stop[0], changes[: at_stop[1]]
    return _Replay(stopped_at, pauses, priority, changes, reopened)


def _add_skipping(
    clock: BusinessCalendar, start: datetime, amount: timedelta, pauses: Sequence[Pause]
) -> datetime | None:
    """Return when `amount` of open time has run from `start`, not counting pauses.

    None when the amount is not used up before a pause that has not ended.
    """
    cursor, remaining = start, amount
    for pause in pauses:
        if pause.end is not None and pause.end <= cursor:
            continue
        if pause.start > cursor:
            available = clock.elapsed(cursor, pause.start)
            if available >= remaining:
                return clock.add(cursor, remaining)
            remaining -= available
        if pause.end is None:
            return None
        cursor = pause.end
    return clock.add(cursor, remaining)


def _running_time(
    clock: BusinessCalendar, start: datetime, end: datetime, pauses: Sequence[Pause]
) -> timedelta:
    total = clock.elapsed(start, end)
    for pause in pauses:
        total -= clock.elapsed(max(pause.start, start), min(pause.end or end, end))
    return total


def _merged(pauses: Iterable[Pause]) -> list[Pause]:
    out: list[Pause] = []
    for pause in sorted(pauses, key=lambda p: p.start):
        last = out[-1] if out else None
        if last is not None and (last.end is None or pause.start <= last.end):
            end = None if last.end is None or pause.end is None else max(last.end, pause.end)
            out[-1] = Pause(last.start, end, last.reason)
        else:
            out.append(pause)
    return out


def _compute(
    policy: Policy,
    key: str,
    *,
    kind: str,
    history: Sequence[ClockEvent],
    now: datetime,
    calendar: BusinessCalendar,
) -> ClockResult:
    start = history[0].at
    # The metric is that of the key under any priority; pauses depend on the target in force,
    # so replay once to find the priority in force, then again with its pausing statuses.
    probe = _probe_target(policy, key)
    metric = probe.metric if probe else Metric.RESOLUTION
    pausing = probe.pausing_statuses if probe else frozenset()
    replay = _replay(metric, history, pausing)
    found = policy.target_for(kind=kind, priority=replay.priority, key=key)
    if isinstance(found, Target) and found.pausing_statuses != pausing:
        replay = _replay(found.metric, history, found.pausing_statuses)
        found = policy.target_for(kind=kind, priority=replay.priority, key=key)

    if isinstance(found, NoTarget):
        return ClockResult(
            key=key,
            state=ClockState.NONE,
            now=now,
            start=start,
            priority=replay.priority,
            target=None,
            no_target_reason=found.reason,
            calendar=None,
            due=None,
            warn_at=None,
            met_at=replay.met_at,
            breached_at=None,
            elapsed=_ZERO,
            remaining=None,
            pauses=tuple(replay.pauses),
            priority_changes=tuple(replay.changes),
            reopened_at=tuple(replay.reopened_at),
        )

    clock = resolve_clock(found.clock, calendar)
    end = replay.met_at or now
    merged = _merged(replay.pauses)
    due = _add_skipping(clock, start, found.duration, merged)
    warn_at = _add_skipping(clock, start, found.duration * found.warn_at_fraction, merged)
    elapsed = _running_time(clock, start, end, merged)
    breached_at: datetime | None = None
    if replay.met_at is not None:
        state = ClockState.MET
        if due is not None and replay.met_at > due:
            state, breached_at = ClockState.BREACHED, due
    elif due is not None and now > due:
        state, breached_at = ClockState.BREACHED, due
    elif merged and merged[-1].end is None:
        state = ClockState.PAUSED
    else:
        state = ClockState.RUNNING
    return ClockResult(
        key=key,
        state=state,
        now=now,
        start=start,
        priority=replay.priority,
        target=found,
        no_target_reason=None,
        calendar=clock,
        due=due,
        warn_at=warn_at,
        met_at=replay.met_at,
        breached_at=breached_at,
        elapsed=elapsed,
        remaining=max(found.duration - elapsed, _ZERO),
        pauses=tuple(replay.pauses),
        priority_changes=tuple(replay.changes),
        reopened_at=tuple(replay.reopened_at),
    )


def _probe_target(policy: Policy, key: str) -> Target | None:
    for by_key in policy.targets.values():
        target = by_key.get(key)
        if isinstance(target, Target):
            return target
    return None
