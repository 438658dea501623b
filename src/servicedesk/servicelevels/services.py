"""Writes of service levels: create, edit (a new version) and copy, for administrators.

Each service asks the policy (`Action.ADMINISTER`: administrators; service managers read)
and checks the definition in `servicelevels.definition`, which raises a `DefinitionError`
naming each value at fault. A version is never changed: an edit writes the next one.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.servicelevels import definition as definitions
from servicedesk.servicelevels import selectors
from servicedesk.servicelevels.models import ServiceLevel, ServiceLevelVersion
from servicedesk.tickets import policy


def _check_key(key: str) -> str:
    key = key.strip()
    if not definitions.CODE.match(key) or len(key) > 60:
        raise ValidationError(
            {
                "key": [
                    _(
                        "Use lower-case letters, digits, '-' and '_' only (at most 60), "
                        "starting with a letter or digit."
                    )
                ]
            }
        )
    if ServiceLevel.objects.filter(key=key).exists():
        raise ValidationError({"key": [_("A service level with this key exists already.")]})
    return key


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    return name[:200]


@transaction.atomic
def service_level_create(
    *,
    actor: User | None,
    key: str,
    name: str,
    definition: Any,
    description: str = "",
    note: str = "",
    copied_from: ServiceLevelVersion | None = None,
    now: Any = None,
) -> ServiceLevelVersion:
    """Create a service level with its version 1; return that version."""
    policy.require(actor, policy.Action.ADMINISTER)
    key, name = _check_key(key), _check_name(name)
    checked = definitions.check(definition)
    at = now or timezone.now()
    level = ServiceLevel.objects.create(
        key=key, name=name, description=description.strip(), created_at=at
    )
    version = ServiceLevelVersion.objects.create(
        service_level=level,
        number=1,
        name=level.name,
        description=level.description,
        definition=checked,
        note=note.strip()[:300],
        created_at=at,
        created_by=actor,
        copied_from=copied_from,
    )
    selectors.remember(version)
    return version


@transaction.atomic
def service_level_edit(
    *,
    actor: User | None,
    level: ServiceLevel,
    definition: Any = None,
    name: str | None = None,
    description: str | None = None,
    note: str = "",
    now: Any = None,
) -> ServiceLevelVersion | None:
    """Write the level's next version with what changed; None when nothing did.

    Tickets keep the version they started under; new tickets get the new one. The priority
    scheme's key stays (contracts name it): copy the level to start another scheme.
    """
    policy.require(actor, policy.Action.ADMINISTER)
    locked = ServiceLevel.objects.select_for_update().get(pk=level.pk)
    latest = ServiceLevelVersion.objects.filter(service_level=locked).order_by("-number").first()
    new_name = locked.name if name is None else _check_name(name)
    new_description = locked.description if description is None else description.strip()
    if definition is None:
        if latest is None:
            raise ValidationError({"definition": [_("This field is required.")]})
        checked = latest.definition
    else:
        checked = definitions.check(definition)
    if latest is not None and checked["scheme"]["key"] != latest.definition["scheme"]["key"]:
        raise definitions.DefinitionError(
            {
                ("scheme", "key"): [
                    _(
                        "The priority scheme's key cannot change: contracts name it. Copy the "
                        "service level to start another scheme."
                    )
                ]
            }
        )
    if latest is not None and (latest.name, latest.description, latest.definition) == (
        new_name,
        new_description,
        checked,
    ):
        return None
    version = ServiceLevelVersion.objects.create(
        service_level=locked,
        number=(latest.number if latest else 0) + 1,
        name=new_name,
        description=new_description,
        definition=checked,
        note=note.strip()[:300],
        created_at=now or timezone.now(),
        created_by=actor,
    )
    ServiceLevel.objects.filter(pk=locked.pk).update(name=new_name, description=new_description)
    level.name, level.description = new_name, new_description
    selectors.remember(version)
    return version


def service_level_copy(
    *,
    actor: User | None,
    version: ServiceLevelVersion,
    key: str,
    name: str,
    now: Any = None,
) -> ServiceLevelVersion:
    """Create a new service level from a version of another; return its version 1."""
    note = _("Copy of %(name)s, version %(number)d.") % {
        "name": version.name,
        "number": version.number,
    }
    return service_level_create(
        actor=actor,
        key=key,
        name=name,
        description=version.description,
        definition=version.definition,
        note=note,
        copied_from=version,
        now=now,
    )


def free_key(base: str) -> str:
    """Return `base`, or `base-2`, `base-3`, ... : the first key no service level has."""
    base = base[:50]
    taken = set(ServiceLevel.objects.filter(key__startswith=base).values_list("key", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
