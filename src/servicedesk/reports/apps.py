from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Service-level reports: compliance against objectives and breach attribution."""

    name = "servicedesk.reports"
    label = "reports"
    verbose_name = _("Reports")
