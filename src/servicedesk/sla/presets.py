"""Ready-made service levels, one per seed, as plain data the database can reference by key.

A `Preset` bundles a priority scheme, a calendar spec (builds a `BusinessCalendar`) and the
policies (targets per priority for some ticket kinds). `PRESETS` maps each stable `key`
(a slug) to its preset; `get_preset(key)` looks one up. Names are neutral: no vendor names.

Where a seed leaves something open we chose, and the description says so:

- ``severity-nl-office-hours`` (seed 000): reaction times as in the seed, "best effort".
- ``impact-urgency-nl-office-hours`` (001): "restore" is a workaround-metric target (met by
  a workaround, a solution or resolution: service is restored).
- ``four-levels-nl-office-hours`` (002): the seed gives no targets ("we aim to assess new
  reports within a few hours"); the first-response targets are ours, and so is the calendar.
- ``saas-high-medium-low`` (003): hours are real elapsed time ("24 uur", "30 kalenderdagen"):
  the workaround 90% within 24 h and 100% within 48 h are two targets, ``workaround`` and
  ``workaround_max``; internal targets count working days of 8 open hours on office hours.
- ``support-levels-no-targets`` (004): the seed has support levels but no response times;
  every kind it covers has an explicit "no target".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from datetime import date, timedelta
from types import MappingProxyType

from servicedesk.sla.calendar import BusinessCalendar
from servicedesk.sla.policy import ClockKind, NoTarget, Policy, Target, TargetOrNone
from servicedesk.sla.schemes import (
    HIGH_MEDIUM_LOW,
    IMPACT_URGENCY,
    LOW_NORMAL_HIGH_CRITICAL,
    SEVERITY,
    PriorityScheme,
)
from servicedesk.sla.vocab import Metric, TicketKind

K = TicketKind
FIRST_RESPONSE, WORKAROUND, RESOLUTION = Metric.FIRST_RESPONSE, Metric.WORKAROUND, Metric.RESOLUTION
CALENDAR_TIME = ClockKind.CALENDAR_TIME
WORKING_DAY = timedelta(hours=8)


def office_hours(
    start: str, end: str, *, days: Iterable[int] = range(5)
) -> dict[int, list[tuple[str, str]]]:
    """Return the same opening interval on each of `days` (Monday-Friday by default)."""
    return {day: [(start, end)] for day in days}


@dataclass(frozen=True, eq=False)
class CalendarSpec:
    """The arguments of a `BusinessCalendar`, kept as data."""

    tz: str
    hours: Mapping[int, Sequence[tuple[str, str]]]
    _: KW_ONLY
    country: str | None = None
    subdivision: str | None = None
    holidays: tuple[date, ...] = ()
    extra_open: tuple[date, ...] = ()

    def build(self) -> BusinessCalendar:
        """Return the calendar this spec describes."""
        return BusinessCalendar(
            self.tz,
            {day: list(spans) for day, spans in self.hours.items()},
            holidays=self.holidays,
            country=self.country,
            subdivision=self.subdivision,
            extra_open=self.extra_open,
        )

    def as_dict(self) -> dict[str, object]:
        """Return the spec as JSON-friendly data, named like the contracts calendar model."""
        return {
            "time_zone": self.tz,
            "hours": {str(d): [list(s) for s in spans] for d, spans in self.hours.items()},
            "country": self.country or "",
            "subdivision": self.subdivision or "",
            "holidays": [d.isoformat() for d in self.holidays],
            "extra_open": [d.isoformat() for d in self.extra_open],
        }


@dataclass(frozen=True, eq=False)
class Preset:
    """A service level ready to use: scheme, calendar and policies, under a stable key."""

    key: str
    name: str
    description: str
    scheme: PriorityScheme
    calendar: CalendarSpec
    policies: tuple[Policy, ...]
    _: KW_ONLY
    seed: str = ""

    def __post_init__(self) -> None:
        if not self.policies:
            raise ValueError(f"preset {self.key} needs a policy")
        for policy in self.policies:
            if unknown := set(policy.targets) - set(self.scheme.codes()):
                raise ValueError(f"preset {self.key}: priorities not in scheme: {unknown}")

    @property
    def policy(self) -> Policy:
        """Return the main policy (the one for incidents)."""
        return self.policies[0]

    def policy_for(self, kind: str) -> Policy:
        """Return the policy covering this ticket kind, else the main one (which says why not)."""
        for policy in self.policies:
            if policy.applies_to(kind):
                return policy
        return self.policy


def _by_priority(
    codes: Sequence[str], **columns: Sequence[TargetOrNone]
) -> dict[str, dict[str, TargetOrNone]]:
    """Return {code: {key: target}} from one column of targets per key, in priority order."""
    table: dict[str, dict[str, TargetOrNone]] = {code: {} for code in codes}
    for key, column in columns.items():
        if len(column) != len(codes):
            raise ValueError(f"column {key} needs one entry per priority")
        for code, target in zip(codes, column, strict=True):
            table[code][key] = target
    return table


def _hours(*values: float) -> list[timedelta]:
    return [timedelta(hours=v) for v in values]


NL_OFFICE_9_17 = CalendarSpec("Europe/Amsterdam", office_hours("09:00", "17:00"), country="NL")
NL_OFFICE_9_1730 = CalendarSpec("Europe/Amsterdam", office_hours("09:00", "17:30"), country="NL")

FIRST_COME = "No maximum reaction time: handled first come, first served"

# -- seed 000 ---------------------------------------------------------------------------

_SEVERITY = Preset(
    key="severity-nl-office-hours",
    name="Severity 1-4, office hours NL",
    description=(
        "Reaction within 30 minutes (severity 1), 2 hours (2), 8 hours (3) or 16 hours (4), "
        "counted in the service window 09:00-17:00 Monday to Friday, not on Dutch public "
        "holidays. Reaction times are best effort. Change requests follow change management "
        "(analysis, proposal, planning) and have no reaction target."
    ),
    scheme=SEVERITY,
    calendar=NL_OFFICE_9_17,
    policies=(
        Policy(
            "Incidents and questions",
            _by_priority(
                SEVERITY.codes(),
                first_response=[Target(FIRST_RESPONSE, d) for d in _hours(0.5, 2, 8, 16)],
            ),
            kinds=frozenset({K.INCIDENT, K.QUESTION}),
            exempt_kinds={K.CHANGE_REQUEST: "Changes follow change management: no target"},
        ),
    ),
    seed="000",
)

# -- seed 001 ---------------------------------------------------------------------------

_IMPACT_URGENCY = Preset(
    key="impact-urgency-nl-office-hours",
    name="Impact x urgency P1-P5, office hours NL 09:00-17:30",
    description=(
        "Priority from impact x urgency. Reaction (100%) and restore (95%) in working hours "
        "09:00-17:30 Monday to Friday, not on Dutch public holidays: P1 1 h / 4 h, "
        "P2 4 h / 8 h, P3 8 h / 16 h, P4 12 h / 32 h, P5 16 h / 40 h. Restore is met when "
        "service is restored: a workaround or solution offered, or the incident resolved. "
        "Questions and change requests have no target: first come, first served; change "
        "requests are parked while a decision is pending."
    ),
    scheme=IMPACT_URGENCY,
    calendar=NL_OFFICE_9_1730,
    policies=(
        Policy(
            "Incidents",
            _by_priority(
                IMPACT_URGENCY.codes(),
                first_response=[Target(FIRST_RESPONSE, d) for d in _hours(1, 4, 8, 12, 16)],
                restore=[
                    Target(WORKAROUND, d, name="restore", objective_percent=95)
                    for d in _hours(4, 8, 16, 32, 40)
                ],
            ),
            exempt_kinds={K.QUESTION: FIRST_COME, K.CHANGE_REQUEST: FIRST_COME},
        ),
    ),
    seed="001",
)

# -- seed 002 ---------------------------------------------------------------------------

_FOUR_LEVELS = Preset(
    key="four-levels-nl-office-hours",
    name="Low / Normal / High / Critical, office hours NL",
    description=(
        "The source procedure sets no targets; it aims to assess new reports within a few "
        "hours and asks for a phone call when primary processes stand still. Our suggested "
        "first-response targets: Critical 1 h, High 2 h, Normal 4 h, Low 8 h, in office "
        "hours 09:00-17:00 Monday to Friday, not on Dutch public holidays (also our "
        "assumption). The clock stops while waiting on the customer; not while waiting on "
        "a supplier. Mail without a priority gets Normal."
    ),
    scheme=LOW_NORMAL_HIGH_CRITICAL,
    calendar=NL_OFFICE_9_17,
    policies=(
        Policy(
            "Support requests",
            _by_priority(
                LOW_NORMAL_HIGH_CRITICAL.codes(),
                first_response=[Target(FIRST_RESPONSE, d) for d in _hours(1, 2, 4, 8)],
            ),
            kinds=frozenset({K.INCIDENT, K.QUESTION, K.CHANGE_REQUEST}),
        ),
    ),
    seed="002",
)

# -- seed 003 ---------------------------------------------------------------------------

_INTERNAL = {
    "assignment": [Target(Metric.ASSIGNMENT, WORKING_DAY, internal=True)] * 3,
    "acceptance": [Target(Metric.ACCEPTANCE, 3 * WORKING_DAY, internal=True)] * 3,
    "first_response": [Target(FIRST_RESPONSE, 3 * WORKING_DAY, internal=True)] * 3,
}
_NO_WORKAROUND = NoTarget("No workaround target for this priority")
_RELEASE = NoTarget("Low priority: the fix goes into the release calendar; no resolution target")

_SAAS = Preset(
    key="saas-high-medium-low",
    name="High / Medium / Low, workaround and structural fix",
    description=(
        "High: workaround for 90% within 24 hours and for all within 48 hours, structural "
        "fix within 30 calendar days. Medium: structural fix within 30 to 90 calendar days "
        "(target: 90). Low: the fix goes into the release calendar, no target. These hours "
        "and days are real elapsed time, weekends included, with the clock stopped while "
        "waiting on the customer. Internal targets for every request: assigned within 1 "
        "working day, accepted within 3 and a first substantive reply within 3 (a working "
        "day is 8 open hours, 09:00-17:00 Monday to Friday, not on Dutch public holidays; "
        "the hours are our assumption). Requests for information, changes and application "
        "services have internal targets only."
    ),
    scheme=HIGH_MEDIUM_LOW,
    calendar=NL_OFFICE_9_17,
    policies=(
        Policy(
            "Incidents",
            _by_priority(
                HIGH_MEDIUM_LOW.codes(),
                **_INTERNAL,
                workaround=[
                    Target(WORKAROUND, timedelta(hours=24), CALENDAR_TIME, objective_percent=90),
                    _NO_WORKAROUND,
                    _NO_WORKAROUND,
                ],
                workaround_max=[
                    Target(WORKAROUND, timedelta(hours=48), CALENDAR_TIME, name="workaround_max"),
                    _NO_WORKAROUND,
                    _NO_WORKAROUND,
                ],
                resolution=[
                    Target(RESOLUTION, timedelta(days=30), CALENDAR_TIME),
                    Target(RESOLUTION, timedelta(days=90), CALENDAR_TIME),
                    _RELEASE,
                ],
            ),
        ),
        Policy(
            "Information, changes and application services",
            _by_priority(
                HIGH_MEDIUM_LOW.codes(),
                **_INTERNAL,
                resolution=[NoTarget("Requests other than incidents have no resolution target")]
                * 3,
            ),
            kinds=frozenset({K.QUESTION, K.CHANGE_REQUEST, K.APPLICATION_SERVICE}),
        ),
    ),
    seed="003",
)

# -- seed 004 ---------------------------------------------------------------------------

_NO_TIMES = NoTarget("The support agreement sets no response times: handled in order of arrival")

_SUPPORT_LEVELS = Preset(
    key="support-levels-no-targets",
    name="Support levels 1-2, no response-time targets",
    description=(
        "Level 1 (customer services) helps with normal use of the standard software under "
        "maintenance; level 2 (consulting) is billable. No response or resolution times are "
        "agreed. Training, work on customisations, data changes, licence installation and "
        "company copies are outside maintenance. The calendar (Swiss public holidays, "
        "08:00-12:00 and 13:30-17:00 Monday to Friday) and the priority scheme are our "
        "assumptions: the source gives neither."
    ),
    scheme=LOW_NORMAL_HIGH_CRITICAL,
    calendar=CalendarSpec(
        "Europe/Zurich",
        {day: [("08:00", "12:00"), ("13:30", "17:00")] for day in range(5)},
        country="CH",
    ),
    policies=(
        Policy(
            "Support requests",
            _by_priority(LOW_NORMAL_HIGH_CRITICAL.codes(), first_response=[_NO_TIMES] * 4),
            kinds=frozenset({K.INCIDENT, K.QUESTION}),
            exempt_kinds={
                K.CHANGE_REQUEST: "Billable consulting: no service-level target",
                K.APPLICATION_SERVICE: "Outside maintenance, billable: no service-level target",
            },
        ),
    ),
    seed="004",
)

PRESETS: Mapping[str, Preset] = MappingProxyType(
    {p.key: p for p in (_SEVERITY, _IMPACT_URGENCY, _FOUR_LEVELS, _SAAS, _SUPPORT_LEVELS)}
)


def get_preset(key: str) -> Preset:
    """Return the preset with this key; KeyError naming the known keys if there is none."""
    try:
        return PRESETS[key]
    except KeyError:
        raise KeyError(f"unknown service-level preset {key!r}; known: {sorted(PRESETS)}") from None
