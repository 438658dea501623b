"""A service level's definition as data: what an administrator edits and a version stores.

`check(data)` returns the definition in its canonical form or raises `DefinitionError` with
every problem at the path of the value at fault (``("policies", 0, "targets", 2,
"minutes")``): the admin pages, the API and the seeding all validate here, so a rule is
written once. `build(definition, key=..., name=..., description=...)` turns a checked
definition into the engine's `Preset` (scheme, calendar spec, policies), which computes.
`from_preset(preset)` is the other way round, for the five presets of the seeds.

The canonical form (also the API's shape)::

    {"scheme": {"key": "severity-1-4", "name": "Severity 1-4", "default": "sev3",
                "priorities": [{"code": "sev1", "name_en": "...", "name_nl": "...",
                                "name_fr": "..."}, ...],
                "matrix": [{"impact": "high", "urgency": "high", "priority": "sev1"}, ...]},
     "calendar": {"time_zone": "Europe/Amsterdam", "country": "NL", "subdivision": "",
                  "hours": [{"weekday": 0, "opens": "09:00", "closes": "17:00"}, ...],
                  "holidays": ["2026-12-24"], "extra_open": []},
     "policies": [{"name": "Incidents", "kinds": ["incident"],
                   "targets": [{"priority": "sev1", "key": "first_response",
                                "metric": "first_response", "minutes": 30,
                                "clock": "business_hours", "objective_percent": 100,
                                "warn_at_fraction": 0.75,
                                "pausing_statuses": ["solution_offered", "waiting_on_customer"],
                                "internal": false, "no_target_reason": ""}, ...]}],
     "exempt_kinds": [{"kind": "change_request", "reason": "Changes follow change management"}]}

Rules that are ours rather than the engine's:

- The matrix is optional, but all or nothing: nine cells (impact x urgency), or none (then
  every ticket starts at the scheme's default priority). A matrix with a hole is refused.
- A policy covers some ticket kinds; a kind is covered by one policy at most, or listed in
  `exempt_kinds` with the reason why it has no targets (shown on the ticket). A kind in
  neither has no targets either ("the service level does not cover ...").
- A target row with a `no_target_reason` is the explicit absence of a target for that
  priority (`NoTarget`); its other fields are left empty.
- Opening hours: rows of (weekday, opens, closes) in local time, "24:00" may close a day;
  rows of one weekday must not overlap (the engine would merge them silently).
- Durations are whole minutes, at least one and at most a year.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from servicedesk.servicelevels.hours import check_hours, hours_mapping, hours_rows
from servicedesk.sla import (
    DEFAULT_PAUSING_STATUSES,
    BusinessCalendar,
    CalendarSpec,
    ClockKind,
    Level,
    Metric,
    NoTarget,
    Policy,
    Preset,
    Priority,
    PriorityScheme,
    Status,
    Target,
    TicketKind,
)
from servicedesk.sla.policy import TargetOrNone
from servicedesk.sla.schemes import MATRIX

Path = tuple[str | int, ...]
Definition = dict[str, Any]

LANGUAGES = ("en", "nl", "fr")
LEVELS = tuple(level.value for level in Level)  # high, medium, low
KINDS = tuple(kind.value for kind in TicketKind)
METRICS = tuple(metric.value for metric in Metric)
CLOCKS = tuple(clock.value for clock in ClockKind)
STATUSES = tuple(status.value for status in Status)
CODE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
MAX_MINUTES = 366 * 24 * 60
MAX_REASON = 200  # TicketClock.no_target_reason
MAX_TARGET_KEY = 40  # TicketClock.key
MAX_PRIORITY_CODE = 20  # Ticket.priority
DEFAULT_OBJECTIVE = 100
DEFAULT_WARN_AT = 0.75


class DefinitionError(ValidationError):
    """What is wrong with a definition: {path: [messages]}, each path to the value at fault."""

    def __init__(self, problems: Mapping[Path, Sequence[str]]) -> None:
        self.problems: dict[Path, list[str]] = {path: list(m) for path, m in problems.items()}
        flat = [
            f"{_dotted(path)}: {message}" if path else message
            for path, messages in self.problems.items()
            for message in messages
        ]
        super().__init__({"definition": flat})

    def nested(self) -> dict[str, Any]:
        """Return the problems as nested {name or index: ...: [messages]}, as the API answers."""
        root: dict[str, Any] = {}
        for path, messages in self.problems.items():
            node = root
            parts = [str(part) for part in path] or ["non_field_errors"]
            for part in parts[:-1]:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):  # messages at a node and below it
                    child = node[part] = {"non_field_errors": child}
                node = child
            leaf = node.setdefault(parts[-1], [])
            if isinstance(leaf, dict):
                leaf.setdefault("non_field_errors", []).extend(messages)
            else:
                leaf.extend(messages)
        return root


def _dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


class _Problems:
    def __init__(self) -> None:
        self.found: dict[Path, list[str]] = {}

    def add(self, path: Path, message: str) -> None:
        self.found.setdefault(path, []).append(message)

    def at(self, prefix: Path) -> bool:
        """Return whether anything was found at `prefix` or below it."""
        return any(path[: len(prefix)] == prefix for path in self.found)


# ----------------------------------------------------------------------- the scheme


@dataclass(frozen=True, eq=False)
class LocalizedScheme(PriorityScheme):
    """A priority scheme from a definition: names per language and a matrix of its own.

    `cells` maps (impact, urgency) to a priority code; None means no matrix, and then
    every combination gives the default priority.
    """

    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    cells: Mapping[tuple[str, str], str] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(
            self, "names", MappingProxyType({c: dict(n) for c, n in self.names.items()})
        )
        if self.cells is not None:
            object.__setattr__(self, "cells", MappingProxyType(dict(self.cells)))

    def priority_for(self, impact: str, urgency: str) -> str:
        """Return the priority of the matrix cell; the default without a matrix."""
        cell = (Level(impact).value, Level(urgency).value)
        return self.default if self.cells is None else self.cells[cell]

    def matrix(self) -> dict[tuple[str, str], str]:
        """Return {(impact, urgency): code}; empty without a matrix."""
        return dict(self.cells or {})

    def name_in(self, code: str, language: str) -> str:
        """Return the priority's name in a language ("nl"), else in English."""
        names = self.names.get(code, {})
        return names.get(language) or names.get("en") or self.label(code)


# ----------------------------------------------------------------------- checking


def check(data: object) -> Definition:
    """Return the definition in canonical form; raise `DefinitionError` naming every fault."""
    problems = _Problems()
    raw = _mapping(data, (), problems)
    scheme = _check_scheme(_mapping(raw.get("scheme"), ("scheme",), problems), problems)
    calendar = _check_calendar(_mapping(raw.get("calendar"), ("calendar",), problems), problems)
    codes = [p["code"] for p in scheme["priorities"]]
    policies = _check_policies(raw.get("policies"), codes, problems)
    exempt = _check_exempt(raw.get("exempt_kinds"), policies, problems)
    definition: Definition = {
        "scheme": scheme,
        "calendar": calendar,
        "policies": policies,
        "exempt_kinds": exempt,
    }
    if not problems.found:
        try:
            build(definition, key="check", name="check", description="").calendar.build()
        except ValueError as error:  # a rule of the engine this module does not know
            problems.add((), str(error))
    if problems.found:
        raise DefinitionError(problems.found)
    return definition


def _mapping(value: object, path: Path, problems: _Problems) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    problems.add(path, _("Give an object with the fields of this part."))
    return {}


def _list(value: object, path: Path, problems: _Problems) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    problems.add(path, _("Give a list."))
    return []


def _text(
    raw: Mapping[str, Any],
    name: str,
    path: Path,
    problems: _Problems,
    *,
    required: bool = True,
    max_length: int = 200,
) -> str:
    value = raw.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add((*path, name), _("Give a text."))
        return ""
    value = value.strip()
    if required and not value:
        problems.add((*path, name), _("This field is required."))
    elif len(value) > max_length:
        problems.add(
            (*path, name),
            _("Give at most %(count)d characters.") % {"count": max_length},
        )
    return value


def _code(
    raw: Mapping[str, Any], name: str, path: Path, problems: _Problems, *, max_length: int
) -> str:
    value = _text(raw, name, path, problems, max_length=max_length)
    if value and not CODE.match(value):
        problems.add(
            (*path, name),
            _("Use lower-case letters, digits, '-' and '_' only, starting with a letter or digit."),
        )
    return value


def _number(value: object) -> int | float | None:
    """Return a JSON number as int when whole, else float; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer():
            return int(value)
    return value


def _check_scheme(raw: Mapping[str, Any], problems: _Problems) -> Definition:
    path: Path = ("scheme",)
    key = _code(raw, "key", path, problems, max_length=60)
    name = _text(raw, "name", path, problems, max_length=120)
    priorities: list[dict[str, str]] = []
    seen: set[str] = set()
    rows = _list(raw.get("priorities"), (*path, "priorities"), problems)
    for index, item in enumerate(rows):
        at: Path = (*path, "priorities", index)
        row = _mapping(item, at, problems)
        code = _code(row, "code", at, problems, max_length=MAX_PRIORITY_CODE)
        if code and code in seen:
            problems.add((*at, "code"), _("This code is used twice."))
        seen.add(code)
        names = {
            f"name_{language}": _text(
                row, f"name_{language}", at, problems, required=language == "en", max_length=120
            )
            for language in LANGUAGES
        }
        priorities.append({"code": code, **names})
    if not rows and not problems.at((*path, "priorities")):
        problems.add((*path, "priorities"), _("A scheme needs at least one priority."))
    default = _text(raw, "default", path, problems, max_length=MAX_PRIORITY_CODE)
    if default and default not in seen:
        problems.add((*path, "default"), _("The default must be one of the priorities."))
    matrix = _check_matrix(raw.get("matrix"), seen, problems)
    return {
        "key": key,
        "name": name,
        "default": default,
        "priorities": priorities,
        "matrix": matrix,
    }


def _check_matrix(value: object, codes: set[str], problems: _Problems) -> list[dict[str, str]]:
    path: Path = ("scheme", "matrix")
    cells: dict[tuple[str, str], str] = {}
    for index, item in enumerate(_list(value, path, problems)):
        at: Path = (*path, index)
        row = _mapping(item, at, problems)
        impact = _text(row, "impact", at, problems, max_length=10)
        urgency = _text(row, "urgency", at, problems, max_length=10)
        priority = _text(row, "priority", at, problems, max_length=MAX_PRIORITY_CODE)
        for name, level in (("impact", impact), ("urgency", urgency)):
            if level and level not in LEVELS:
                problems.add((*at, name), _("Choose high, medium or low."))
        if priority and priority not in codes:
            problems.add((*at, "priority"), _("This is not one of the scheme's priorities."))
        if (impact, urgency) in cells:
            problems.add(at, _("This impact and urgency are given twice."))
        cells[impact, urgency] = priority
    if not cells:
        return []
    holes = [
        (impact, urgency)
        for urgency in LEVELS
        for impact in LEVELS
        if not cells.get((impact, urgency))
    ]
    if holes and not problems.at(path):
        problems.add(
            path,
            _(
                "The matrix has a hole: no priority for %(cells)s. Give every impact and "
                "urgency a priority, or leave the whole matrix empty."
            )
            % {
                "cells": ", ".join(
                    _("impact %(impact)s x urgency %(urgency)s") % {"impact": i, "urgency": u}
                    for i, u in holes
                )
            },
        )
    return [
        {"impact": impact, "urgency": urgency, "priority": cells[impact, urgency]}
        for urgency in LEVELS
        for impact in LEVELS
        if (impact, urgency) in cells
    ]


# ----------------------------------------------------------------------- the calendar


def _check_calendar(raw: Mapping[str, Any], problems: _Problems) -> Definition:
    path: Path = ("calendar",)
    time_zone = _text(raw, "time_zone", path, problems, max_length=64)
    if time_zone:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.add((*path, "time_zone"), _("Unknown time zone, e.g. Europe/Amsterdam."))
    country = _text(raw, "country", path, problems, required=False, max_length=2).upper()
    subdivision = _text(raw, "subdivision", path, problems, required=False, max_length=10)
    supported = holidays_lib.list_supported_countries()
    if country and country not in supported:
        problems.add((*path, "country"), _("No public holidays are known for this country."))
    elif subdivision and not country:
        problems.add((*path, "subdivision"), _("A subdivision needs a country."))
    elif subdivision and subdivision not in supported[country]:
        problems.add(
            (*path, "subdivision"),
            _("Unknown subdivision; known: %(known)s.") % {"known": ", ".join(supported[country])},
        )
    rows: list[dict[str, Any]] = []
    for index, item in enumerate(_list(raw.get("hours"), (*path, "hours"), problems)):
        row = _mapping(item, (*path, "hours", index), problems)
        rows.append(
            {"weekday": row.get("weekday"), "opens": row.get("opens"), "closes": row.get("closes")}
        )
    for index, name, message in check_hours(rows):
        problems.add((*path, "hours", *((index, name) if index >= 0 else ())), message)
    return {
        "time_zone": time_zone,
        "country": country,
        "subdivision": subdivision,
        "hours": rows if problems.at((*path, "hours")) else hours_rows(hours_mapping(rows)),
        "holidays": _dates(raw.get("holidays"), (*path, "holidays"), problems),
        "extra_open": _dates(raw.get("extra_open"), (*path, "extra_open"), problems),
    }


def calendar_problems(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return what is wrong with a calendar's fields ({field: [messages]}), by the same rules
    as a service level's calendar; the fields are those of `check`'s "calendar"."""
    problems = _Problems()
    _check_calendar(data, problems)
    found: dict[str, list[str]] = {}
    for path, messages in problems.found.items():
        found.setdefault(str(path[1]) if len(path) > 1 else "hours", []).extend(messages)
    return found


def _dates(value: object, path: Path, problems: _Problems) -> list[str]:
    found: set[str] = set()
    for index, item in enumerate(_list(value, path, problems)):
        if isinstance(item, date):
            found.add(item.isoformat())
            continue
        try:
            found.add(date.fromisoformat(str(item)).isoformat())
        except ValueError:
            problems.add((*path, index), _("Give a date as YYYY-MM-DD."))
    return sorted(found)


# ----------------------------------------------------------------------- policies


def _check_policies(value: object, codes: list[str], problems: _Problems) -> list[Definition]:
    policies: list[Definition] = []
    covered: dict[str, str] = {}
    names: set[str] = set()
    rows = _list(value, ("policies",), problems)
    if not rows and not problems.at(("policies",)):
        problems.add(("policies",), _("A service level needs at least one policy."))
    for index, item in enumerate(rows):
        at: Path = ("policies", index)
        raw = _mapping(item, at, problems)
        name = _text(raw, "name", at, problems, max_length=100)
        if name and name in names:
            problems.add((*at, "name"), _("Two policies have this name."))
        names.add(name)
        kinds: list[str] = []
        for kind in _list(raw.get("kinds"), (*at, "kinds"), problems):
            if kind not in KINDS:
                problems.add((*at, "kinds"), _("Unknown kind %(kind)r.") % {"kind": kind})
            elif kind in covered:
                problems.add(
                    (*at, "kinds"),
                    _("%(kind)s is covered by the policy %(policy)s already.")
                    % {"kind": TicketKind(kind).value, "policy": covered[kind]},
                )
            elif kind not in kinds:
                kinds.append(kind)
        if not kinds and not problems.at((*at, "kinds")):
            problems.add((*at, "kinds"), _("A policy covers at least one kind of ticket."))
        for kind in kinds:
            covered[kind] = name
        targets = [
            _check_target(target, (*at, "targets", number), codes, problems)
            for number, target in enumerate(_list(raw.get("targets"), (*at, "targets"), problems))
        ]
        if not targets and not problems.at((*at, "targets")):
            problems.add(
                (*at, "targets"),
                _("A policy needs at least one target, or a row that says why there is none."),
            )
        seen: set[tuple[str, str]] = set()
        for number, target in enumerate(targets):
            pair = (target["priority"], target["key"])
            if all(pair) and pair in seen:
                problems.add(
                    ("policies", index, "targets", number, "key"),
                    _("Priority %(priority)s has a target %(key)s already in this policy.")
                    % {"priority": pair[0], "key": pair[1]},
                )
            seen.add(pair)
        policies.append({"name": name, "kinds": sorted(kinds, key=KINDS.index), "targets": targets})
    return policies


def _check_target(item: object, at: Path, codes: list[str], problems: _Problems) -> Definition:
    raw = _mapping(item, at, problems)
    priority = _text(raw, "priority", at, problems, max_length=MAX_PRIORITY_CODE)
    if priority and priority not in codes:
        problems.add((*at, "priority"), _("This is not one of the scheme's priorities."))
    key = _code(raw, "key", at, problems, max_length=MAX_TARGET_KEY)
    reason = _text(raw, "no_target_reason", at, problems, required=False, max_length=MAX_REASON)
    if reason:
        return {
            "priority": priority,
            "key": key,
            "metric": None,
            "minutes": None,
            "clock": None,
            "objective_percent": None,
            "warn_at_fraction": None,
            "pausing_statuses": [],
            "internal": False,
            "no_target_reason": reason,
        }
    metric = raw.get("metric") or (key if key in METRICS else None)
    if metric not in METRICS:
        problems.add(
            (*at, "metric"),
            _("Choose what is measured: %(metrics)s.") % {"metrics": ", ".join(METRICS)},
        )
    minutes = raw.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1:
        problems.add((*at, "minutes"), _("A target needs a duration of at least one minute."))
    elif minutes > MAX_MINUTES:
        problems.add((*at, "minutes"), _("A target of more than a year is not a service level."))
    clock = raw.get("clock") or ClockKind.BUSINESS_HOURS.value
    if clock not in CLOCKS:
        problems.add((*at, "clock"), _("Choose business hours or calendar time."))
    given = raw.get("objective_percent")
    objective = DEFAULT_OBJECTIVE if given is None else _number(given)
    if objective is None or not 0 < objective <= 100:
        problems.add(
            (*at, "objective_percent"),
            _(
                "The objective is the share of tickets that must meet the target: more than "
                "0 and at most 100 (%)."
            ),
        )
    given = raw.get("warn_at_fraction")
    warn = DEFAULT_WARN_AT if given is None else _number(given)
    if warn is None or not 0 < warn <= 1:
        problems.add(
            (*at, "warn_at_fraction"),
            _("Warn at a fraction of the target's time: more than 0 and at most 1, e.g. 0.75."),
        )
    pausing_raw = raw.get("pausing_statuses")
    if pausing_raw is None:
        pausing_raw = sorted(DEFAULT_PAUSING_STATUSES)
    pausing: list[str] = []
    for status in _list(pausing_raw, (*at, "pausing_statuses"), problems):
        if status == Status.CLOSED:
            problems.add(
                (*at, "pausing_statuses"),
                _("Closing a ticket stops its clocks; it cannot pause them."),
            )
        elif status not in STATUSES:
            problems.add(
                (*at, "pausing_statuses"), _("Unknown status %(status)r.") % {"status": status}
            )
        elif status not in pausing:
            pausing.append(status)
    internal = raw.get("internal", False)
    if not isinstance(internal, bool):
        problems.add((*at, "internal"), _("Give true or false."))
        internal = False
    return {
        "priority": priority,
        "key": key,
        "metric": metric,
        "minutes": minutes,
        "clock": clock,
        "objective_percent": objective,
        "warn_at_fraction": warn,
        "pausing_statuses": sorted(pausing, key=STATUSES.index),
        "internal": internal,
        "no_target_reason": "",
    }


def _check_exempt(
    value: object, policies: list[Definition], problems: _Problems
) -> list[dict[str, str]]:
    covered = {kind: policy["name"] for policy in policies for kind in policy["kinds"]}
    exempt: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(_list(value, ("exempt_kinds",), problems)):
        at: Path = ("exempt_kinds", index)
        raw = _mapping(item, at, problems)
        kind = _text(raw, "kind", at, problems, max_length=30)
        reason = _text(raw, "reason", at, problems, max_length=MAX_REASON)
        if kind and kind not in KINDS:
            problems.add((*at, "kind"), _("Unknown kind %(kind)r.") % {"kind": kind})
        elif kind in covered:
            problems.add(
                (*at, "kind"),
                _("The policy %(policy)s covers this kind: it cannot be without targets too.")
                % {"policy": covered[kind]},
            )
        elif kind in seen:
            problems.add((*at, "kind"), _("This kind is listed twice."))
        seen.add(kind)
        exempt.append({"kind": kind, "reason": reason})
    return exempt


# ----------------------------------------------------------------------- building


def build(definition: Definition, *, key: str, name: str, description: str) -> Preset:
    """Return the engine's preset for a checked definition (see `check`)."""
    raw_scheme = definition["scheme"]
    codes = [p["code"] for p in raw_scheme["priorities"]]
    cells = {(c["impact"], c["urgency"]): c["priority"] for c in raw_scheme["matrix"]} or None
    if cells is None:
        from_matrix = dict.fromkeys(sorted(set(MATRIX.values())), raw_scheme["default"])
    else:
        from_matrix = {}
        for (impact, urgency), level in MATRIX.items():
            from_matrix.setdefault(level, cells[impact.value, urgency.value])
    scheme = LocalizedScheme(
        key=raw_scheme["key"],
        name=raw_scheme["name"],
        priorities=tuple(Priority(p["code"], p["name_en"]) for p in raw_scheme["priorities"]),
        default=raw_scheme["default"],
        from_matrix=from_matrix,
        names={
            p["code"]: {lang: p[f"name_{lang}"] for lang in LANGUAGES if p[f"name_{lang}"]}
            for p in raw_scheme["priorities"]
        },
        cells=cells,
    )
    raw_calendar = definition["calendar"]
    calendar = CalendarSpec(
        raw_calendar["time_zone"],
        hours_mapping(raw_calendar["hours"]),
        country=raw_calendar["country"] or None,
        subdivision=raw_calendar["subdivision"] or None,
        holidays=tuple(date.fromisoformat(d) for d in raw_calendar["holidays"]),
        extra_open=tuple(date.fromisoformat(d) for d in raw_calendar["extra_open"]),
    )
    exempt = {row["kind"]: row["reason"] for row in definition["exempt_kinds"]}
    policies = []
    for number, raw_policy in enumerate(definition["policies"]):
        targets: dict[str, dict[str, TargetOrNone]] = {}
        for row in raw_policy["targets"]:
            targets.setdefault(row["priority"], {})[row["key"]] = _target(row)
        # The main policy answers for kinds no policy covers (Preset.policy_for), so the
        # reasons of the kinds without targets live there.
        policies.append(
            Policy(
                raw_policy["name"],
                {code: targets[code] for code in codes if code in targets},
                kinds=frozenset(raw_policy["kinds"]),
                exempt_kinds=exempt if number == 0 else {},
            )
        )
    return Preset(
        key=key,
        name=name,
        description=description,
        scheme=scheme,
        calendar=calendar,
        policies=tuple(policies),
    )


def _target(row: Mapping[str, Any]) -> TargetOrNone:
    if row["no_target_reason"]:
        return NoTarget(row["no_target_reason"])
    metric = Metric(row["metric"])
    return Target(
        metric,
        timedelta(minutes=row["minutes"]),
        ClockKind(row["clock"]),
        name=None if row["key"] == metric.value else row["key"],
        warn_at_fraction=row["warn_at_fraction"],
        objective_percent=row["objective_percent"],
        pausing_statuses=frozenset(row["pausing_statuses"]),
        internal=row["internal"],
    )


# ----------------------------------------------------------------------- from a preset


def from_preset(
    preset: Preset, *, names: Callable[[str, str], Mapping[str, str]] | None = None
) -> Definition:
    """Return the definition of a preset (checked), e.g. to seed the presets as records.

    `names(code, english)` may give the priority's names in other languages ({"nl": ...}).
    """
    scheme = preset.scheme
    priorities = []
    for priority in scheme.priorities:
        extra = names(priority.code, priority.label) if names else {}
        priorities.append(
            {
                "code": priority.code,
                "name_en": priority.label,
                **{f"name_{lang}": str(extra.get(lang, "")) for lang in LANGUAGES[1:]},
            }
        )
    matrix = [
        {"impact": impact, "urgency": urgency, "priority": code}
        for (impact, urgency), code in scheme.matrix().items()
    ]
    exempt: dict[str, str] = {}
    policies = []
    for policy in preset.policies:
        for kind, reason in policy.exempt_kinds.items():
            exempt.setdefault(kind, reason)
        rows = [
            _target_row(code, key, target)
            for code, by_key in policy.targets.items()
            for key, target in by_key.items()
        ]
        policies.append({"name": policy.name, "kinds": sorted(policy.kinds), "targets": rows})
    data = {
        "scheme": {
            "key": scheme.key,
            "name": scheme.name,
            "default": scheme.default,
            "priorities": priorities,
            "matrix": matrix,
        },
        "calendar": {
            "time_zone": preset.calendar.tz,
            "country": preset.calendar.country or "",
            "subdivision": preset.calendar.subdivision or "",
            "hours": hours_rows(preset.calendar.hours),
            "holidays": [d.isoformat() for d in preset.calendar.holidays],
            "extra_open": [d.isoformat() for d in preset.calendar.extra_open],
        },
        "policies": policies,
        "exempt_kinds": [{"kind": k, "reason": r} for k, r in exempt.items()],
    }
    return check(data)


def _target_row(code: str, key: str, target: TargetOrNone) -> dict[str, Any]:
    if isinstance(target, NoTarget):
        return {"priority": code, "key": key, "no_target_reason": target.reason}
    if isinstance(target.clock, BusinessCalendar):
        raise ValueError("targets with a calendar of their own are not supported as data")
    return {
        "priority": code,
        "key": key,
        "metric": target.metric.value,
        "minutes": int(target.duration.total_seconds()) // 60,
        "clock": target.clock.value,
        "objective_percent": target.objective_percent,
        "warn_at_fraction": target.warn_at_fraction,
        "pausing_statuses": sorted(target.pausing_statuses),
        "internal": target.internal,
    }
