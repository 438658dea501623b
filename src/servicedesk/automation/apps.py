from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    """Reminders, automatic close, alerts, RACI notifications and the scheduler tick."""

    name = "servicedesk.automation"
    verbose_name = _("Automation")
