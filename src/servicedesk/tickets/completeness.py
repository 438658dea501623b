"""The automated completeness check of a report (seeds 002 section 2 and 003 intake).

`missing_fields(kind, data)` returns, per kind of request, the information the seeds ask
for that the report does not give yet, as (field, message) pairs in the order of the form.
Pure: data in, list out. The portal shows it live while the customer types and enforces it
on submit; the desk shows it on the ticket so the agent knows what to ask.
"""

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from servicedesk.tickets.models import Kind

# What the report form asks for each kind, in order (the seeds' "required information").
FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    Kind.INCIDENT: (
        "steps_taken",
        "expected_result",
        "actual_result",
        "reproducible",
        "administration",
        "affected_users",
        "business_impact",
        "recent_changes",
        "description",
    ),
    Kind.QUESTION: ("description", "administration"),
    Kind.CHANGE_REQUEST: ("description", "business_impact"),
    Kind.APPLICATION_SERVICE: ("administration", "description"),
}

REQUIRED_BY_KIND: dict[str, tuple[str, ...]] = {
    Kind.INCIDENT: (
        "steps_taken",
        "expected_result",
        "actual_result",
        "reproducible",
        "administration",
        "affected_users",
        "business_impact",
    ),
    Kind.QUESTION: ("description",),
    Kind.CHANGE_REQUEST: ("description", "business_impact"),
    Kind.APPLICATION_SERVICE: ("administration", "description"),
    Kind.COMPLAINT: ("description",),
}

MISSING: dict[str, Promise] = {
    "steps_taken": _("Tell us what you did: the steps taken."),
    "expected_result": _("Tell us what you expected to happen."),
    "actual_result": _("Tell us what happened instead."),
    "reproducible": _("Say whether the problem can be reproduced."),
    "administration": _("Name the administration (company) concerned."),
    "affected_users": _("Name the users who are affected."),
    "business_impact": _("Describe the impact on your business."),
    "description": _("Describe your request."),
}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_fields(kind: str, data: Mapping[str, object]) -> list[tuple[str, str]]:
    """Return (field, message) for each piece of required information the data lacks."""
    return [
        (field, str(MISSING[field]))
        for field in REQUIRED_BY_KIND.get(kind, ())
        if _blank(data.get(field))
    ]


def is_required(kind: str, field: str) -> bool:
    """Return whether the kind of request needs this field."""
    return field in REQUIRED_BY_KIND.get(kind, ())
