from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsReportsConfig(AppConfig):
    """Operational reports and the weekly digest of stale and breached tickets."""

    name = "servicedesk.opsreports"
    label = "opsreports"
    verbose_name = _("Operational reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from servicedesk.opsreports import checks  # noqa: F401 -- registers the checks
