"""System checks for the e-mail channel's settings (`servicedesk check`)."""

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from servicedesk.mail import config


@checks.register()
def mail_settings_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Report mail settings that would make the intake fail."""
    problems: list[checks.CheckMessage] = []
    try:
        config.unknown_senders()
    except ImproperlyConfigured as error:
        problems.append(checks.Error(str(error), id="servicedesk.mail.E001"))
    if config.max_bytes() <= 0:
        problems.append(checks.Error("MAIL_MAX_BYTES must be positive", id="servicedesk.mail.E002"))
    if config.rate_limit_per_hour() <= 0:
        problems.append(
            checks.Error("MAIL_RATE_LIMIT_PER_HOUR must be positive", id="servicedesk.mail.E003")
        )
    return problems
