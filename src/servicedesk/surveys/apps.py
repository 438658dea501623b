from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Customer satisfaction surveys (tNPS) after a ticket closes."""

    name = "servicedesk.surveys"
    label = "surveys"
    verbose_name = _("Customer satisfaction")
    default_auto_field = "django.db.models.BigAutoField"
