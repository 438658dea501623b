"""What makes a definition valid, written once in `servicelevels.definition`: each fault is
reported at the value it is about (no database needed)."""

from collections.abc import Callable
from typing import Any

import pytest

from servicedesk.servicelevels import definition as definitions
from servicedesk.servicelevels.definition import DefinitionError
from servicedesk.sla.presets import PRESETS
from tests.servicelevels.helpers import definition_of, target


def problems_of(data: dict[str, Any]) -> dict[definitions.Path, list[str]]:
    with pytest.raises(DefinitionError) as error:
        definitions.check(data)
    return error.value.problems


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_it_accepts_every_preset_and_keeps_its_canonical_form(key: str) -> None:
    checked = definitions.check(definition_of(key))
    assert definitions.check(checked) == checked


def test_it_refuses_a_zero_minute_target_at_its_duration() -> None:
    data = definition_of()
    target(data, "sev2", "first_response")["minutes"] = 0
    problems = problems_of(data)
    index = [t["priority"] for t in data["policies"][0]["targets"]].index("sev2")
    assert problems == {
        ("policies", 0, "targets", index, "minutes"): [
            "A target needs a duration of at least one minute."
        ]
    }


def test_it_refuses_an_objective_over_100_percent() -> None:
    data = definition_of("impact-urgency-nl-office-hours")
    target(data, "p1", "restore")["objective_percent"] = 101
    [(path, messages)] = problems_of(data).items()
    assert path[-1] == "objective_percent"
    assert "at most 100" in messages[0]


def test_it_refuses_a_matrix_with_a_hole_and_names_the_hole() -> None:
    data = definition_of("impact-urgency-nl-office-hours")
    data["scheme"]["matrix"] = [
        cell
        for cell in data["scheme"]["matrix"]
        if (cell["impact"], cell["urgency"]) != ("low", "high")
    ]
    [(path, messages)] = problems_of(data).items()
    assert path == ("scheme", "matrix")
    assert "hole" in messages[0] and "impact low x urgency high" in messages[0]


def test_it_accepts_no_matrix_at_all_and_then_gives_the_default() -> None:
    data = definition_of("impact-urgency-nl-office-hours")
    data["scheme"]["matrix"] = []
    preset = definitions.build(definitions.check(data), key="x", name="X", description="")
    assert preset.scheme.priority_for("high", "high") == "p3"
    assert preset.scheme.matrix() == {}


def test_it_refuses_overlapping_opening_hours_on_one_day() -> None:
    data = definition_of()
    data["calendar"]["hours"].append({"weekday": 0, "opens": "12:00", "closes": "18:00"})
    [(path, messages)] = problems_of(data).items()
    assert path[:2] == ("calendar", "hours")
    assert messages == ["Monday: 12:00-18:00 overlaps 09:00-17:00."]


def test_it_accepts_a_lunch_break_and_a_day_closing_at_midnight() -> None:
    data = definition_of()
    data["calendar"]["hours"] = [
        {"weekday": 0, "opens": "08:00", "closes": "12:00"},
        {"weekday": 0, "opens": "12:00", "closes": "13:00"},
        {"weekday": 5, "opens": "20:00", "closes": "24:00"},
    ]
    checked = definitions.check(data)
    calendar = definitions.build(checked, key="x", name="X", description="").calendar.build()
    assert calendar.hours == {0: [("08:00", "13:00")], 5: [("20:00", "24:00")]}


Change = Callable[[dict[str, Any]], None]


def _set(path: tuple[Any, ...], value: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (_set(("scheme", "default"), "sev9"), ("scheme", "default"), "one of the priorities"),
        (
            _set(("scheme", "priorities", 1, "code"), "sev1"),
            ("scheme", "priorities", 1, "code"),
            "twice",
        ),
        (
            _set(("scheme", "priorities", 0, "name_en"), ""),
            ("scheme", "priorities", 0, "name_en"),
            "required",
        ),
        (_set(("scheme", "key"), "Not A Key"), ("scheme", "key"), "lower-case"),
        (_set(("calendar", "time_zone"), "Mars/Olympus"), ("calendar", "time_zone"), "time zone"),
        (_set(("calendar", "country"), "XX"), ("calendar", "country"), "public holidays"),
        (_set(("calendar", "hours"), []), ("calendar", "hours"), "at least one day"),
        (
            _set(("calendar", "hours", 0, "closes"), "08:00"),
            ("calendar", "hours", 0, "closes"),
            "before it opens",
        ),
        (
            _set(("calendar", "hours", 0, "opens"), "9am"),
            ("calendar", "hours", 0, "opens"),
            "HH:MM",
        ),
        (_set(("calendar", "holidays"), ["24-12-2026"]), ("calendar", "holidays", 0), "YYYY-MM-DD"),
        (_set(("policies", 0, "kinds"), []), ("policies", 0, "kinds"), "at least one kind"),
        (
            _set(("policies", 0, "targets", 0, "priority"), "p1"),
            ("policies", 0, "targets", 0, "priority"),
            "not one of",
        ),
        (
            _set(("policies", 0, "targets", 0, "metric"), "happiness"),
            ("policies", 0, "targets", 0, "metric"),
            "what is measured",
        ),
        (
            _set(("policies", 0, "targets", 0, "clock"), "lunar"),
            ("policies", 0, "targets", 0, "clock"),
            "calendar time",
        ),
        (
            _set(("policies", 0, "targets", 0, "warn_at_fraction"), 1.5),
            ("policies", 0, "targets", 0, "warn_at_fraction"),
            "at most 1",
        ),
        (
            _set(("policies", 0, "targets", 0, "pausing_statuses"), ["closed"]),
            ("policies", 0, "targets", 0, "pausing_statuses"),
            "cannot pause",
        ),
        (
            _set(("policies", 0, "targets", 0, "minutes"), 10**7),
            ("policies", 0, "targets", 0, "minutes"),
            "more than a year",
        ),
        (
            _set(("policies", 0, "targets", 1, "priority"), "sev1"),
            ("policies", 0, "targets", 1, "key"),
            "already",
        ),
        (
            _set(("exempt_kinds", 0, "kind"), "incident"),
            ("exempt_kinds", 0, "kind"),
            "covers this kind",
        ),
        (_set(("policies",), []), ("policies",), "at least one policy"),
    ],
)
def test_it_puts_each_fault_at_its_field(change: Change, path: tuple[Any, ...], words: str) -> None:
    data = definition_of()
    change(data)
    problems = problems_of(data)
    assert path in problems, problems
    assert words in " ".join(problems[path])


def test_it_refuses_a_kind_covered_by_two_policies() -> None:
    data = definition_of("saas-high-medium-low")
    data["policies"][1]["kinds"].append("incident")
    problems = problems_of(data)
    assert "covered by the policy Incidents already" in problems[("policies", 1, "kinds")][0]


def test_it_reports_garbage_instead_of_crashing() -> None:
    for garbage in (None, [], "x", {"scheme": [], "calendar": 3, "policies": {"a": 1}}):
        assert problems_of(garbage)  # type: ignore[arg-type]


def test_it_nests_the_problems_as_the_api_answers_them() -> None:
    data = definition_of()
    target(data, "sev1", "first_response")["minutes"] = 0
    with pytest.raises(DefinitionError) as error:
        definitions.check(data)
    nested = error.value.nested()
    assert nested["policies"]["0"]["targets"]["0"]["minutes"] == [
        "A target needs a duration of at least one minute."
    ]
