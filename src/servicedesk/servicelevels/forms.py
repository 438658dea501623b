"""Forms of the admin's service-level editor and the business-calendar page.

The editor is a set of plain forms: the level with its scheme and calendar, and one formset
each for the priorities, the policies, the targets and the kinds without targets. They are
put together into a definition (`Editor.definition`) that `servicelevels.definition.check`
judges; its faults come back to the field at fault (`Editor.show_problems`). So the admin
and the API share every rule.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicedesk.contracts.models import BusinessCalendar
from servicedesk.servicelevels import definition as definitions
from servicedesk.servicelevels.hours import check_hours, hours_mapping, hours_rows
from servicedesk.servicelevels.selectors import minutes_text
from servicedesk.sla import DEFAULT_PAUSING_STATUSES
from servicedesk.tickets.models import Kind, Status

SLOTS = 3  # opening intervals per weekday the editor shows (e.g. with a lunch break)
LEVEL_LABELS = {
    "high": gettext_lazy("high"),
    "medium": gettext_lazy("medium"),
    "low": gettext_lazy("low"),
}
METRIC_CHOICES = [
    ("first_response", gettext_lazy("first response")),
    ("workaround", gettext_lazy("workaround")),
    ("resolution", gettext_lazy("resolution")),
    ("assignment", gettext_lazy("assignment")),
    ("acceptance", gettext_lazy("acceptance")),
]
CLOCK_CHOICES = [
    ("business_hours", gettext_lazy("business hours")),
    ("calendar_time", gettext_lazy("calendar time (24x7)")),
]
PAUSABLE = [(value, label) for value, label in Status.choices if value != Status.CLOSED]


# --------------------------------------------------------------------- opening hours


class TimeInput(forms.TextInput):
    """HH:MM as text: a browser's time input knows no 24:00 and may show AM/PM."""

    def __init__(self) -> None:
        super().__init__(
            attrs={"size": 5, "maxlength": 5, "placeholder": "HH:MM", "inputmode": "numeric"}
        )


class OpeningHoursWidget(forms.MultiWidget):
    """A row per weekday with opening and closing times (up to `SLOTS` intervals a day)."""

    template_name = "servicelevels/widgets/opening_hours.html"

    def __init__(self) -> None:
        super().__init__([TimeInput() for _ in range(7 * SLOTS * 2)])

    def decompress(self, value: Any) -> list[str]:
        values = [""] * (7 * SLOTS * 2)
        rows = hours_rows(value) if isinstance(value, dict) else []
        used: dict[int, int] = {}
        for row in rows:
            slot = used.get(row["weekday"], 0)
            if slot >= SLOTS:
                continue
            used[row["weekday"]] = slot + 1
            start = (row["weekday"] * SLOTS + slot) * 2
            values[start], values[start + 1] = row["opens"], row["closes"]
        return values

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widgets = context["widget"]["subwidgets"]
        per_day = SLOTS * 2
        for index, widget in enumerate(widgets):
            day, rest = divmod(index, per_day)
            what = _("opens") if rest % 2 == 0 else _("closes")
            widget["attrs"]["aria-label"] = f"{WEEKDAYS[day]} {what} ({rest // 2 + 1})"
        context["days"] = [
            {
                "name": WEEKDAYS[day],
                "slots": [
                    (widgets[day * per_day + 2 * slot], widgets[day * per_day + 2 * slot + 1])
                    for slot in range(SLOTS)
                ],
            }
            for day in range(7)
        ]
        return context


class OpeningHoursField(forms.MultiValueField):
    """Opening hours as {"0": [["09:00", "17:00"]], ...} (weekday 0 is Monday), checked by
    the same rules as every calendar: a time as HH:MM, closing after opening, no overlap."""

    widget = OpeningHoursWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = [forms.CharField(required=False) for _ in range(7 * SLOTS * 2)]
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: Sequence[str]) -> dict[str, list[list[str]]]:
        rows: list[dict[str, Any]] = []
        errors: list[str] = []
        for index in range(0, len(data_list), 2):
            opens, closes = (data_list[index] or "").strip(), (data_list[index + 1] or "").strip()
            weekday = index // (SLOTS * 2)
            if not opens and not closes:
                continue
            if not opens or not closes:
                errors.append(
                    _("%(day)s: give both the opening and the closing time.")
                    % {"day": WEEKDAYS[weekday]}
                )
                continue
            rows.append({"weekday": weekday, "opens": opens, "closes": closes})
        errors += [message for _index, _field, message in check_hours(rows)]
        if errors:
            raise forms.ValidationError(errors)
        return {
            str(day): [list(span) for span in spans] for day, spans in hours_mapping(rows).items()
        }


# --------------------------------------------------------------------- other fields


class DateListField(forms.CharField):
    """Dates, one per line (YYYY-MM-DD), as a sorted list of ISO strings."""

    widget = forms.Textarea(attrs={"rows": 3, "cols": 14, "placeholder": "2026-12-24"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        found = []
        for line in re.split(r"[\s,;]+", text):
            if not line:
                continue
            try:
                found.append(date.fromisoformat(line).isoformat())
            except ValueError:
                raise forms.ValidationError(
                    _("%(value)s is not a date as YYYY-MM-DD.") % {"value": line}
                ) from None
        return sorted(set(found))


DURATION_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*(days?|d|hours?|h|minutes?|mins?|m)?", re.I)


class DurationTextField(forms.CharField):
    """A duration as people write it ("30 min", "4 h", "1 h 30 min", "30 days"), as minutes."""

    def prepare_value(self, value: Any) -> Any:
        return minutes_text(value) if isinstance(value, int) else value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip().lower()
        if not text:
            return None
        total, position = 0.0, 0
        for match in DURATION_PART.finditer(text):
            if text[position : match.start()].strip() or not match.group(0).strip():
                break
            number = float(match[1].replace(",", "."))
            unit = (match[2] or "min")[0]
            total += number * {"d": 1440, "h": 60, "m": 1}[unit]
            position = match.end()
        if text[position:].strip() or position == 0:
            raise forms.ValidationError(_("Give a duration such as 30 min, 4 h or 30 days."))
        return round(total)


class MatrixWidget(forms.MultiWidget):
    """Impact (rows) x urgency (columns): the priority code of each cell."""

    template_name = "servicelevels/widgets/matrix.html"

    def __init__(self) -> None:
        super().__init__([forms.TextInput(attrs={"size": 8}) for _ in range(9)])

    def decompress(self, value: Any) -> list[str]:
        cells = value if isinstance(value, dict) else {}
        return [
            cells.get(f"{impact}/{urgency}", "")
            for impact in definitions.LEVELS
            for urgency in definitions.LEVELS
        ]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widgets = context["widget"]["subwidgets"]
        for index, widget in enumerate(widgets):
            impact, urgency = divmod(index, 3)
            widget["attrs"]["aria-label"] = _("impact %(impact)s x urgency %(urgency)s") % {
                "impact": LEVEL_LABELS[definitions.LEVELS[impact]],
                "urgency": LEVEL_LABELS[definitions.LEVELS[urgency]],
            }
        context["urgencies"] = [LEVEL_LABELS[u] for u in definitions.LEVELS]
        context["rows"] = [
            (LEVEL_LABELS[impact], widgets[3 * row : 3 * row + 3])
            for row, impact in enumerate(definitions.LEVELS)
        ]
        return context


class MatrixField(forms.MultiValueField):
    """The impact x urgency matrix as a list of cells; all empty is no matrix."""

    widget = MatrixWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = [forms.CharField(required=False, max_length=20) for _ in range(9)]
        super().__init__(fields, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list: Sequence[str]) -> list[dict[str, str]]:
        pairs = [(i, u) for i in definitions.LEVELS for u in definitions.LEVELS]
        return [
            {"impact": impact, "urgency": urgency, "priority": (code or "").strip()}
            for (impact, urgency), code in zip(pairs, data_list or [""] * 9, strict=True)
            if (code or "").strip()
        ]


# --------------------------------------------------------------------- the editor


class LevelForm(forms.Form):
    """The level, its priority scheme and its calendar."""

    key = forms.SlugField(
        label=gettext_lazy("Key"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("Stable name for contracts and the API, e.g. gold."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )
    note = forms.CharField(
        label=gettext_lazy("What changed"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Kept with the new version."),
    )
    scheme_key = forms.CharField(label=gettext_lazy("Scheme key"), max_length=60)
    scheme_name = forms.CharField(label=gettext_lazy("Scheme name"), max_length=120)
    default_priority = forms.CharField(
        label=gettext_lazy("Default priority"),
        max_length=20,
        help_text=gettext_lazy("The code of the priority a ticket gets when nobody chose one."),
    )
    matrix = MatrixField(
        label=gettext_lazy("Impact x urgency"),
        help_text=gettext_lazy("A priority code in every cell, or all empty for no matrix."),
    )
    time_zone = forms.CharField(label=gettext_lazy("Time zone"), max_length=64)
    country = forms.CharField(
        label=gettext_lazy("Public holidays of country"),
        max_length=2,
        required=False,
        help_text=gettext_lazy("ISO country code, e.g. NL, BE, FR."),
    )
    subdivision = forms.CharField(label=gettext_lazy("Subdivision"), max_length=10, required=False)
    hours = OpeningHoursField(label=gettext_lazy("Opening hours"))
    holidays = DateListField(
        label=gettext_lazy("Extra closed days"),
        required=False,
        help_text=gettext_lazy("One per line."),
    )
    extra_open = DateListField(
        label=gettext_lazy("Open although a holiday"),
        required=False,
        help_text=gettext_lazy("One per line."),
    )


class PriorityForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=120)
    name_nl = forms.CharField(label=gettext_lazy("Name (Dutch)"), max_length=120, required=False)
    name_fr = forms.CharField(label=gettext_lazy("Name (French)"), max_length=120, required=False)


class PolicyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Policy"), max_length=100)
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Covers"),
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class TargetForm(forms.Form):
    policy = forms.CharField(label=gettext_lazy("Policy"), max_length=100)
    priority = forms.CharField(label=gettext_lazy("Priority"), max_length=20)
    key = forms.CharField(label=gettext_lazy("Target"), max_length=40)
    metric = forms.ChoiceField(
        label=gettext_lazy("Measures"), choices=[("", "-"), *METRIC_CHOICES], required=False
    )
    duration = DurationTextField(
        label=gettext_lazy("Within"), required=False, widget=forms.TextInput(attrs={"size": 9})
    )
    clock = forms.ChoiceField(
        label=gettext_lazy("Counted in"), choices=CLOCK_CHOICES, initial="business_hours"
    )
    objective_percent = forms.FloatField(
        label=gettext_lazy("Objective %"),
        initial=definitions.DEFAULT_OBJECTIVE,
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "style": "width: 5em"}),
    )
    warn_at_fraction = forms.FloatField(
        label=gettext_lazy("Warn at"),
        initial=definitions.DEFAULT_WARN_AT,
        required=False,
        widget=forms.NumberInput(attrs={"step": "any", "style": "width: 5em"}),
    )
    pausing_statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Paused while"),
        choices=PAUSABLE,
        initial=sorted(DEFAULT_PAUSING_STATUSES),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    internal = forms.BooleanField(label=gettext_lazy("Internal"), required=False)
    no_target_reason = forms.CharField(
        label=gettext_lazy("Or: no target, because"), max_length=200, required=False
    )


class ExemptForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Kind.choices)
    reason = forms.CharField(label=gettext_lazy("Why it has no targets"), max_length=200)


PriorityFormSet = formset_factory(PriorityForm, extra=2, can_delete=True)
PolicyFormSet = formset_factory(PolicyForm, extra=1, can_delete=True)
TargetFormSet = formset_factory(TargetForm, extra=3, can_delete=True)
ExemptFormSet = formset_factory(ExemptForm, extra=1, can_delete=True)


class Editor:
    """The editor's forms, bound to a POST or filled from a definition."""

    def __init__(
        self,
        *,
        data: Any = None,
        definition: dict[str, Any] | None = None,
        level: dict[str, str] | None = None,
        with_key: bool = False,
    ) -> None:
        initial: dict[str, Any] = (
            _initial(definition, level or {}) if definition else {"level": level or {}}
        )
        self.level = LevelForm(data, initial=initial["level"], prefix="level")
        if not with_key:
            del self.level.fields["key"]
        else:
            self.level.fields["key"].required = True
        self.priorities = PriorityFormSet(
            data, initial=initial.get("priorities"), prefix="priority"
        )
        self.policies = PolicyFormSet(data, initial=initial.get("policies"), prefix="policy")
        self.targets = TargetFormSet(data, initial=initial.get("targets"), prefix="target")
        self.exempt = ExemptFormSet(data, initial=initial.get("exempt"), prefix="exempt")
        self._targets_at: dict[tuple[int, int], forms.Form] = {}
        self._kept: dict[str, list[forms.Form]] = {}

    @property
    def basic_fields(self) -> list[forms.BoundField]:
        return self._fields("key", "name", "description", "note")

    @property
    def scheme_fields(self) -> list[forms.BoundField]:
        return self._fields("scheme_key", "scheme_name", "default_priority")

    @property
    def calendar_fields(self) -> list[forms.BoundField]:
        return self._fields(
            "time_zone", "country", "subdivision", "hours", "holidays", "extra_open"
        )

    def _fields(self, *names: str) -> list[forms.BoundField]:
        return [self.level[name] for name in names if name in self.level.fields]

    @property
    def formsets(self) -> list[Any]:
        return [self.priorities, self.policies, self.targets, self.exempt]

    def is_valid(self) -> bool:
        """Return whether every form is valid on its own (the definition is checked later)."""
        valid = self.level.is_valid()
        return all([valid, *(formset.is_valid() for formset in self.formsets)])

    def definition(self) -> dict[str, Any]:
        """Return the definition the valid forms give (not checked yet)."""
        level = self.level.cleaned_data
        self._kept = {
            "priorities": _kept(self.priorities),
            "policies": _kept(self.policies),
            "exempt": _kept(self.exempt),
        }
        policies: list[dict[str, Any]] = []
        by_name: dict[str, int] = {}
        for form in self._kept["policies"]:
            name = form.cleaned_data["name"]
            by_name.setdefault(name, len(policies))
            policies.append({"name": name, "kinds": form.cleaned_data["kinds"], "targets": []})
        self._targets_at = {}
        for form in _kept(self.targets):
            data = form.cleaned_data
            index = by_name.get(data["policy"])
            if index is None:
                form.add_error("policy", _("No policy above has this name."))
                continue
            policy = policies[index]
            self._targets_at[index, len(policy["targets"])] = form
            policy["targets"].append(
                {
                    "priority": data["priority"],
                    "key": data["key"],
                    "metric": data["metric"] or None,
                    "minutes": data["duration"],
                    "clock": data["clock"],
                    "objective_percent": data["objective_percent"],
                    "warn_at_fraction": data["warn_at_fraction"],
                    "pausing_statuses": data["pausing_statuses"],
                    "internal": data["internal"],
                    "no_target_reason": data["no_target_reason"],
                }
            )
        return {
            "scheme": {
                "key": level["scheme_key"],
                "name": level["scheme_name"],
                "default": level["default_priority"],
                "priorities": [
                    {
                        name: form.cleaned_data[name]
                        for name in ("code", "name_en", "name_nl", "name_fr")
                    }
                    for form in self._kept["priorities"]
                ],
                "matrix": level["matrix"],
            },
            "calendar": {
                "time_zone": level["time_zone"],
                "country": level["country"],
                "subdivision": level["subdivision"],
                "hours": hours_rows(level["hours"]),
                "holidays": level["holidays"],
                "extra_open": level["extra_open"],
            },
            "policies": policies,
            "exempt_kinds": [
                {"kind": form.cleaned_data["kind"], "reason": form.cleaned_data["reason"]}
                for form in self._kept["exempt"]
            ],
        }

    def has_errors(self) -> bool:
        """Return whether a form got an error while the definition was put together."""
        return any(form.errors for form in self._all_forms())

    def _all_forms(self) -> list[forms.Form]:
        return [self.level, *(f for formset in self.formsets for f in formset.forms)]

    def show_problems(self, problems: dict[definitions.Path, list[str]]) -> None:
        """Put each problem of the checked definition on the field it is about."""
        for path, messages in problems.items():
            form, field = self._place(path)
            for message in messages:
                if form is None:
                    self.level.add_error(None, message)
                elif field is not None and field in form.fields:
                    form.add_error(field, message)
                else:
                    form.add_error(None, message)

    def _place(self, path: definitions.Path) -> tuple[forms.Form | None, str | None]:
        head = path[0] if path else ""
        level_fields = {"key": "scheme_key", "name": "scheme_name", "default": "default_priority"}
        if head == "scheme" and len(path) > 1:
            if path[1] == "priorities" and len(path) > 2:
                return _at(self._kept["priorities"], path[2]), _field(path, 3)
            return self.level, level_fields.get(str(path[1]), str(path[1]))
        if head == "calendar" and len(path) > 1:
            return self.level, str(path[1])
        if head == "policies" and len(path) > 1:
            index = path[1]
            if len(path) > 4 and path[2] == "targets" and isinstance(path[3], int):
                form = self._targets_at.get((int(index), path[3]))
                name = _field(path, 4)
                return form, "duration" if name == "minutes" else name
            return _at(self._kept["policies"], index), _field(path, 2)
        if head == "exempt_kinds" and len(path) > 1:
            return _at(self._kept["exempt"], path[1]), _field(path, 2)
        return None, None


def _kept(formset: Any) -> list[forms.Form]:
    """Return the forms of a formset that hold a row: given or filled in, and not deleted."""
    initial = formset.initial_form_count()
    return [
        form
        for index, form in enumerate(formset.forms)
        if (index < initial or form.has_changed()) and not form.cleaned_data.get("DELETE", False)
    ]


def _at(forms_: list[forms.Form], index: object) -> forms.Form | None:
    return forms_[index] if isinstance(index, int) and 0 <= index < len(forms_) else None


def _field(path: definitions.Path, position: int) -> str | None:
    return str(path[position]) if len(path) > position else None


def _initial(definition: dict[str, Any], level: dict[str, str]) -> dict[str, Any]:
    scheme, calendar = definition["scheme"], definition["calendar"]
    return {
        "level": {
            **level,
            "scheme_key": scheme["key"],
            "scheme_name": scheme["name"],
            "default_priority": scheme["default"],
            "matrix": {f"{c['impact']}/{c['urgency']}": c["priority"] for c in scheme["matrix"]},
            "time_zone": calendar["time_zone"],
            "country": calendar["country"],
            "subdivision": calendar["subdivision"],
            "hours": {
                str(day): [list(span) for span in spans]
                for day, spans in hours_mapping(calendar["hours"]).items()
            },
            "holidays": calendar["holidays"],
            "extra_open": calendar["extra_open"],
        },
        "priorities": scheme["priorities"],
        "policies": [{"name": p["name"], "kinds": p["kinds"]} for p in definition["policies"]],
        "targets": [
            {**target, "policy": policy["name"], "duration": target["minutes"]}
            for policy in definition["policies"]
            for target in policy["targets"]
        ],
        "exempt": definition["exempt_kinds"],
    }


# --------------------------------------------------------------------- business calendars


class BusinessCalendarForm(forms.ModelForm[BusinessCalendar]):
    """A business calendar with an opening-hours editor instead of JSON."""

    hours = OpeningHoursField(label=gettext_lazy("Opening hours"))
    holidays = DateListField(
        label=gettext_lazy("Extra closed days"),
        required=False,
        help_text=gettext_lazy("One per line."),
    )
    extra_open = DateListField(
        label=gettext_lazy("Open although a holiday"),
        required=False,
        help_text=gettext_lazy("One per line."),
    )

    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "hours", "country", "subdivision", "holidays", "extra_open"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        problems = definitions.calendar_problems(
            {
                "time_zone": data.get("time_zone", ""),
                "country": data.get("country", ""),
                "subdivision": data.get("subdivision", ""),
                "hours": hours_rows(data["hours"]) if "hours" in data else [],
                "holidays": data.get("holidays", []),
                "extra_open": data.get("extra_open", []),
            }
        )
        for field, messages in problems.items():
            for message in messages:
                if field in self.fields and field not in self.errors:
                    self.add_error(field, message)
        if "country" in data:
            data["country"] = data["country"].upper()
        return data
