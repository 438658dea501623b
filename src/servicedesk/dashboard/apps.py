from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The desk's dashboard: live counts and the running month's compliance for team leads,
    service managers and administrators."""

    name = "servicedesk.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")
