"""Reads of service levels: scoped by who asks, and versions ready to compute with.

`version_by_pk` and `current_version` return a `LevelVersion`: the engine's `Preset` built
from a version's definition, with how to name it. Versions never change, so the built
preset is kept per process by primary key; a version written by `services` is remembered
as it is written. `current_version` still asks the database which version is the latest
(one query): another process may have just written one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.dates import WEEKDAYS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from servicedesk.servicelevels import definition as definitions
from servicedesk.servicelevels.models import ServiceLevel, ServiceLevelVersion
from servicedesk.sla import Preset
from servicedesk.tickets import policy
from servicedesk.tickets.policy import AnyUser

_CACHE_LIMIT = 512
_BUILT: dict[int, LevelVersion] = {}


@dataclass(frozen=True, eq=False)
class LevelVersion:
    """A service-level version ready to compute with: its preset and how it is named."""

    pk: int
    level_key: str
    number: int
    name: str
    preset: Preset

    def label(self) -> str:
        """Return e.g. "Service level Gold, version 3" in the active language."""
        return _("Service level %(name)s, version %(number)d") % {
            "name": self.name,
            "number": self.number,
        }

    def priority_name(self, code: str, language: str | None = None) -> str:
        """Return the name of a priority of this version in a language (default: active)."""
        scheme = self.preset.scheme
        language = (language or get_language() or "en")[:2]
        if isinstance(scheme, definitions.LocalizedScheme) and scheme.has(code):
            return scheme.name_in(code, language)
        return scheme.label(code) if scheme.has(code) else code


def remember(version: ServiceLevelVersion) -> LevelVersion:
    """Return the version ready to compute with, and keep it for later reads."""
    preset = definitions.build(
        version.definition,
        key=version.service_level_id,
        name=version.name,
        description=version.description,
    )
    built = LevelVersion(
        pk=version.pk,
        level_key=version.service_level_id,
        number=version.number,
        name=version.name,
        preset=preset,
    )
    if len(_BUILT) >= _CACHE_LIMIT:
        _BUILT.clear()
    _BUILT[version.pk] = built
    return built


def version_by_pk(pk: int) -> LevelVersion:
    """Return the version with this primary key (no query once it was read or written)."""
    built = _BUILT.get(pk)
    if built is None:
        built = remember(ServiceLevelVersion.objects.get(pk=pk))
    return built


def current_version(level_key: str | None) -> LevelVersion | None:
    """Return the latest version of the service level with this key; None without one."""
    if not level_key:
        return None
    pk = (
        ServiceLevelVersion.objects.filter(service_level__key=level_key)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )
    return None if pk is None else version_by_pk(pk)


def service_levels_visible_to(user: AnyUser | None) -> QuerySet[ServiceLevel]:
    """Return the service levels the user may read: all for staff, none for anyone else."""
    if not policy.is_staff(user):
        return ServiceLevel.objects.none()
    return ServiceLevel.objects.order_by("key")


def versions_of(level: ServiceLevel) -> QuerySet[ServiceLevelVersion]:
    """Return the level's versions, latest first, with who wrote them."""
    return (
        ServiceLevelVersion.objects.filter(service_level=level)
        .select_related("created_by", "copied_from")
        .order_by("-number")
    )


def describe(definition: dict[str, Any]) -> dict[str, Any]:
    """Return what a page shows of a definition: rows of targets, hours and the matrix."""
    matrix = {(c["impact"], c["urgency"]): c["priority"] for c in definition["scheme"]["matrix"]}
    levels = definitions.LEVELS
    calendar = {
        **definition["calendar"],
        "hours": [
            {**row, "day": WEEKDAYS[row["weekday"]]} for row in definition["calendar"]["hours"]
        ],
    }
    policies = [
        {
            **policy,
            "targets": [
                {**target, "within": minutes_text(target["minutes"])}
                for target in policy["targets"]
            ],
        }
        for policy in definition["policies"]
    ]
    return {
        "scheme": definition["scheme"],
        "matrix_rows": (
            [(impact, [matrix[impact, urgency] for urgency in levels]) for impact in levels]
            if matrix
            else []
        ),
        "calendar": calendar,
        "policies": policies,
        "exempt_kinds": definition["exempt_kinds"],
    }


def minutes_text(minutes: int | None) -> str:
    """Return minutes as the editor shows them: "30 min", "4 h", "1 h 30 min", "30 days"."""
    if minutes is None:
        return ""
    if minutes >= 7 * 1440 and minutes % 1440 == 0:
        return _("%(n)d days") % {"n": minutes // 1440}
    hours, rest = divmod(minutes, 60)
    parts = ([f"{hours} h"] if hours else []) + ([f"{rest} min"] if rest or not hours else [])
    return " ".join(parts)
