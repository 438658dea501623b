"""The five presets of the SLA engine (`servicedesk.sla.presets`) as service-level records.

The data migration seeds them as version 1 under the preset's key, so contracts that named
a preset key now point at the record with that key and measure exactly as before.
"""

from collections.abc import Mapping
from typing import Any

from django.utils import translation

from servicedesk.servicelevels import definition as definitions
from servicedesk.servicelevels import selectors
from servicedesk.servicelevels.models import ServiceLevel, ServiceLevelVersion
from servicedesk.sla.presets import PRESETS, Preset

SEED_NOTE = "Seeded from the preset of the same key."


def catalogue_names(code: str, english: str) -> Mapping[str, str]:
    """Return a built-in priority's Dutch and French names, as the desk shows them today."""
    from servicedesk.ui import display  # the translated names of the built-in codes

    names: dict[str, str] = {}
    for language in definitions.LANGUAGES[1:]:
        with translation.override(language):
            label = display.priority_label(code)
        names[language] = english if label == code else label
    return names


def preset_definition(preset: Preset) -> dict[str, Any]:
    """Return the checked definition of a preset, with its priorities' names in nl and fr."""
    return definitions.from_preset(preset, names=catalogue_names)


def seed_fields(preset: Preset) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the fields of the preset's level and of its version 1."""
    level = {"key": preset.key, "name": preset.name, "description": preset.description}
    version = {
        "number": 1,
        "name": preset.name,
        "description": preset.description,
        "definition": preset_definition(preset),
        "note": SEED_NOTE,
    }
    return level, version


def ensure_preset_level(key: str) -> ServiceLevel | None:
    """Return the level with this key; seed it first if it is a preset the database lacks.

    The migration seeds every preset; a test database that was emptied between tests (a
    transactional test) lacks them again.
    """
    level = ServiceLevel.objects.filter(key=key).first()
    if level is not None or key not in PRESETS:
        return level
    level_fields, version_fields = seed_fields(PRESETS[key])
    level = ServiceLevel.objects.create(**level_fields)
    selectors.remember(ServiceLevelVersion.objects.create(service_level=level, **version_fields))
    return level
