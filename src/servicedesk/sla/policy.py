"""Service-level policies: which targets apply to a ticket of a kind and priority.

A `Policy` maps priority codes to targets keyed by a target key. A `Target` says what is
measured (`metric`), how much time is allowed (`duration`), on which clock, the share of
tickets that must meet it (`objective_percent`), when to warn (`warn_at_fraction`) and which
statuses stop the clock (`pausing_statuses`).

The absence of a target is explicit: `NoTarget(reason)`, e.g. questions and changes in
seed 001 ("first come, first served") or low priority in seed 003. `Policy.target_for`
always answers with a `Target` or a `NoTarget` that says why.

Clocks (`ClockKind`):

- ``business_hours``: open time of the calendar the ticket's contract uses (see
  `servicedesk.sla.calendar`). The calendar is given when clocks are computed, so one
  policy serves contracts with different calendars.
- ``calendar_time``: plain elapsed time, 24x7, holidays included. "Within 30 calendar days"
  is 30 x 24 hours of real time; across a clock change the due time is one hour off the
  local wall time of the start. We accept that: it keeps `add` and `elapsed` exact inverses
  and pauses additive, and no seed asks for wall-clock days.

A target may also carry its own `BusinessCalendar` as clock; it then ignores the contract's.
Two targets on one metric (seed 003: workaround 90% within 24 h and 100% within 48 h) get
distinct keys through `name`, e.g. ``Target(Metric.WORKAROUND, ..., name="workaround_max")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import timedelta
from enum import StrEnum
from types import MappingProxyType

from servicedesk.sla.calendar import BusinessCalendar
from servicedesk.sla.vocab import METRIC_LABELS, Metric, Status, TicketKind

DEFAULT_PAUSING_STATUSES: frozenset[str] = frozenset(
    {Status.WAITING_ON_CUSTOMER, Status.SOLUTION_OFFERED}
)
"""It is the customer's turn: waiting for information or for confirmation of a solution."""

PAUSE_ALSO_ON_SUPPLIER: frozenset[str] = DEFAULT_PAUSING_STATUSES | {Status.WAITING_ON_SUPPLIER}
"""For policies under which the clock also stops while a supplier works on the ticket."""


class ClockKind(StrEnum):
    """How a target's duration is counted."""

    BUSINESS_HOURS = "business_hours"
    CALENDAR_TIME = "calendar_time"


@dataclass(frozen=True)
class NoTarget:
    """The explicit absence of a target, with the reason shown to people."""

    reason: str


@dataclass(frozen=True)
class Target:
    """One service-level target: `duration` of `clock` time until `metric` is met."""

    metric: Metric
    duration: timedelta
    clock: ClockKind | BusinessCalendar = ClockKind.BUSINESS_HOURS
    _: KW_ONLY
    name: str | None = None
    warn_at_fraction: float = 0.75
    objective_percent: float = 100
    pausing_statuses: frozenset[str] = DEFAULT_PAUSING_STATUSES
    internal: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "metric", Metric(self.metric))
        if not isinstance(self.clock, BusinessCalendar):
            object.__setattr__(self, "clock", ClockKind(self.clock))
        object.__setattr__(self, "pausing_statuses", frozenset(self.pausing_statuses))
        if self.duration <= timedelta(0):
            raise ValueError(f"target duration must be positive, got {self.duration}")
        if not 0 < self.warn_at_fraction <= 1:
            raise ValueError("warn_at_fraction must be in (0, 1]")
        if not 0 < self.objective_percent <= 100:
            raise ValueError("objective_percent must be in (0, 100]")
        if Status.CLOSED in self.pausing_statuses:
            raise ValueError("'closed' stops a clock; it cannot pause one")

    @property
    def key(self) -> str:
        """Return the key of this target in a policy: its name, else its metric."""
        return self.name or self.metric.value

    @property
    def label(self) -> str:
        """Return a short English label: the name ("restore") or the metric ("workaround")."""
        return self.name.replace("_", " ") if self.name else METRIC_LABELS[self.metric]


TargetOrNone = Target | NoTarget


def resolve_clock(
    clock: ClockKind | BusinessCalendar, calendar: BusinessCalendar
) -> BusinessCalendar:
    """Return the calendar that counts a target's time, given the contract's calendar."""
    if isinstance(clock, BusinessCalendar):
        return clock
    if clock is ClockKind.CALENDAR_TIME:
        return BusinessCalendar.always_open(calendar.tz)
    return calendar


def _freeze(
    targets: Mapping[str, Mapping[str, TargetOrNone]],
) -> Mapping[str, Mapping[str, TargetOrNone]]:
    frozen: dict[str, Mapping[str, TargetOrNone]] = {}
    for priority, by_key in targets.items():
        for key, target in by_key.items():
            if isinstance(target, Target) and target.key != key:
                raise ValueError(f"target {target.key!r} is filed under key {key!r}")
        frozen[priority] = MappingProxyType(dict(by_key))
    return MappingProxyType(frozen)


@dataclass(frozen=True, eq=False)
class Policy:
    """Targets per priority for the ticket kinds in `kinds`.

    `targets` maps a priority code to {target key: Target or NoTarget}. `exempt_kinds` maps
    kinds that explicitly have no targets to the reason (e.g. "first come, first served").
    """

    name: str
    targets: Mapping[str, Mapping[str, TargetOrNone]]
    _: KW_ONLY
    kinds: frozenset[str] = frozenset({TicketKind.INCIDENT})
    exempt_kinds: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", _freeze(self.targets))
        object.__setattr__(self, "kinds", frozenset(self.kinds))
        object.__setattr__(self, "exempt_kinds", MappingProxyType(dict(self.exempt_kinds)))
        if overlap := self.kinds & set(self.exempt_kinds):
            raise ValueError(f"kinds both covered and exempt: {sorted(overlap)}")

    def applies_to(self, kind: str) -> bool:
        """Return True if the policy's targets cover tickets of this kind."""
        return kind in self.kinds

    def target_keys(self) -> tuple[str, ...]:
        """Return every target key used for any priority, in order of first appearance."""
        seen: dict[str, None] = {}
        for by_key in self.targets.values():
            seen.update(dict.fromkeys(by_key))
        return tuple(seen)

    def targets_for(self, *, kind: str, priority: str | None) -> dict[str, TargetOrNone]:
        """Return {key: Target or NoTarget} for every key of the policy."""
        return {
            key: self.target_for(kind=kind, priority=priority, key=key)
            for key in self.target_keys()
        }

    def target_for(self, *, kind: str, priority: str | None, key: str) -> TargetOrNone:
        """Return the target for a ticket of this kind and priority, or why there is none."""
        if kind not in self.kinds:
            reason = self.exempt_kinds.get(kind, f"the service level does not cover {kind}")
            return NoTarget(reason)
        if priority is None:
            return NoTarget("the ticket has no priority")
        by_key = self.targets.get(priority)
        if by_key is None:
            return NoTarget(f"no targets for priority {priority}")
        return by_key.get(key) or NoTarget(f"no {key} target for priority {priority}")

    def durations(self) -> list[timedelta]:
        """Return the durations of all targets (for checks and reports)."""
        return [
            t.duration for by in self.targets.values() for t in by.values() if isinstance(t, Target)
        ]
