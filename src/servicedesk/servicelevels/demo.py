"""Demo data for service levels: a level copied from a preset and edited once, so the admin
shows a copy with two versions and what changed between them."""

import copy
import datetime

from django.utils import timezone

from servicedesk.accounts.models import User
from servicedesk.servicelevels import services
from servicedesk.servicelevels.models import ServiceLevel, ServiceLevelVersion

GOLD = "gold"
SOURCE = "impact-urgency-nl-office-hours"


def seed_demo(*, actor: User | None = None, now: datetime.datetime | None = None) -> ServiceLevel:
    """Return the demo's "Gold" level: seed 001's preset copied (version 1) and then made
    faster for P1 (version 2: first response within 30 minutes, restore within 2 hours).

    Idempotent: a second call returns the level it made. `actor` None is the desk itself.
    """
    existing = ServiceLevel.objects.filter(key=GOLD).first()
    if existing is not None:
        return existing
    at = now or timezone.now()
    source = ServiceLevelVersion.objects.filter(service_level__key=SOURCE).order_by("-number")[0]
    first = services.service_level_copy(
        actor=actor,
        version=source,
        key=GOLD,
        name="Gold: P1 faster",
        now=at - datetime.timedelta(days=90),
    )
    definition = copy.deepcopy(first.definition)
    faster = {"first_response": 30, "restore": 120}
    for row in definition["policies"][0]["targets"]:
        if row["priority"] == "p1" and row["key"] in faster:
            row["minutes"] = faster[row["key"]]
    services.service_level_edit(
        actor=actor,
        level=first.service_level,
        definition=definition,
        note="P1: first response within 30 minutes, restore within 2 hours.",
        now=at - datetime.timedelta(days=30),
    )
    return first.service_level
