"""System checks: the weekly digest's schedule must be readable."""

from typing import Any

from django.core.checks import CheckMessage, Error, register

from servicedesk.opsreports.digest import digest_schedule


@register()
def digest_schedule_check(**kwargs: Any) -> list[CheckMessage]:
    """Report an OPS_DIGEST_AT that is not a weekday and a time."""
    try:
        digest_schedule()
    except ValueError as error:
        return [
            Error(str(error), hint="For example: OPS_DIGEST_AT='mon 07:00'.", id="opsreports.E001")
        ]
    return []
