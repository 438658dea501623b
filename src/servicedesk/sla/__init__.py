"""The SLA engine: business calendars, clocks, policies, priority schemes and presets.

Pure Python, no Django: data in, due times out. Modules:

- `calendar`: `BusinessCalendar` (`add`, `elapsed`, `is_open`, `next_open`), `ALWAYS_OPEN`;
- `clock`: `ClockEvent` history -> `ClockResult` per target (`compute_clocks`);
- `policy`: `Target`, `NoTarget`, `Policy`, `ClockKind`;
- `schemes`: priority schemes and the impact x urgency matrix;
- `presets`: the service levels of the seeds, by key;
- `explain`: human-readable explanations of a clock;
- `vocab`: statuses, ticket kinds, event kinds, metrics, levels.

The rules (closing instant, pauses, reopen, priority re-base) are in the docstrings of
`calendar` and `clock`.
"""

from servicedesk.sla.calendar import ALWAYS_OPEN, BusinessCalendar
from servicedesk.sla.clock import (
    ClockEvent,
    ClockResult,
    ClockState,
    Pause,
    PriorityChange,
    compute_clock,
    compute_clocks,
)
from servicedesk.sla.explain import Explanation, explain, format_duration
from servicedesk.sla.policy import (
    DEFAULT_PAUSING_STATUSES,
    PAUSE_ALSO_ON_SUPPLIER,
    ClockKind,
    NoTarget,
    Policy,
    Target,
    resolve_clock,
)
from servicedesk.sla.presets import PRESETS, CalendarSpec, Preset, get_preset, office_hours
from servicedesk.sla.schemes import MATRIX, SCHEMES, Priority, PriorityScheme, get_scheme
from servicedesk.sla.vocab import EventKind, Level, Metric, Status, TicketKind

__all__ = [
    "ALWAYS_OPEN",
    "DEFAULT_PAUSING_STATUSES",
    "MATRIX",
    "PAUSE_ALSO_ON_SUPPLIER",
    "PRESETS",
    "SCHEMES",
    "BusinessCalendar",
    "CalendarSpec",
    "ClockEvent",
    "ClockKind",
    "ClockResult",
    "ClockState",
    "EventKind",
    "Explanation",
    "Level",
    "Metric",
    "NoTarget",
    "Pause",
    "Policy",
    "Preset",
    "Priority",
    "PriorityChange",
    "PriorityScheme",
    "Status",
    "Target",
    "TicketKind",
    "compute_clock",
    "compute_clocks",
    "explain",
    "format_duration",
    "get_preset",
    "get_scheme",
    "office_hours",
    "resolve_clock",
]
