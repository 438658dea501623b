"""Helpers of the service-level tests: definitions to change, the editor as a browser posts it."""

import copy
from typing import Any

from django import forms

from servicedesk.servicelevels.forms import Editor
from servicedesk.servicelevels.models import ServiceLevel, ServiceLevelVersion
from servicedesk.servicelevels.presets import preset_definition
from servicedesk.sla.presets import PRESETS

SEVERITY = "severity-nl-office-hours"


def definition_of(key: str = SEVERITY) -> dict[str, Any]:
    """Return a fresh, changeable copy of a preset's definition."""
    return copy.deepcopy(preset_definition(PRESETS[key]))


def latest(level: ServiceLevel | str) -> ServiceLevelVersion:
    key = level if isinstance(level, str) else level.key
    version = ServiceLevelVersion.objects.filter(service_level__key=key).order_by("-number")
    found = version.first()
    assert found is not None
    return found


def target(definition: dict[str, Any], priority: str, key: str, policy: int = 0) -> dict[str, Any]:
    """Return the target row of a priority and key (to change it in place)."""
    for row in definition["policies"][policy]["targets"]:
        if (row["priority"], row["key"]) == (priority, key):
            return row
    raise LookupError((priority, key))


def editor_post(editor: Editor) -> dict[str, Any]:
    """Return the POST data of the editor's forms as a browser sends them unchanged."""
    data: dict[str, Any] = {}
    for formset in editor.formsets:
        management = formset.management_form
        for name, field in management.fields.items():
            data[f"{formset.prefix}-{name}"] = management.initial.get(name, field.initial)
    for form in [editor.level, *(f for formset in editor.formsets for f in formset.forms)]:
        for bound in form:
            field, widget, value = bound.field, bound.field.widget, bound.value()
            if isinstance(widget, forms.MultiWidget):
                parts = value if isinstance(value, list) else widget.decompress(value)
                for index, part in enumerate(parts):
                    data[f"{bound.html_name}_{index}"] = part or ""
            elif isinstance(field, forms.MultipleChoiceField):
                data[bound.html_name] = list(value or [])
            elif isinstance(field, forms.BooleanField):
                if value:
                    data[bound.html_name] = "on"
            else:
                shown = field.prepare_value(value)
                data[bound.html_name] = "" if shown is None else shown
    return data


def row_of(data: dict[str, Any], prefix: str, **match: str) -> str:
    """Return the form prefix ("target-3") of the formset row whose fields match."""
    index = 0
    while f"{prefix}-{index}-{next(iter(match))}" in data:
        if all(data.get(f"{prefix}-{index}-{k}") == v for k, v in match.items()):
            return f"{prefix}-{index}"
        index += 1
    raise LookupError(match)
