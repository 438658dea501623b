from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceLevelsConfig(AppConfig):
    """Service levels as data: priority scheme, calendar and targets, in immutable versions."""

    name = "servicedesk.servicelevels"
    verbose_name = _("Service levels")
    default_auto_field = "django.db.models.BigAutoField"
