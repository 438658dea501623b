from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UiConfig(AppConfig):
    """Installed for its template tag library `ui` (`{% load ui %}`); it has no models."""

    name = "servicedesk.ui"
    label = "ui"
    verbose_name = _("Web interface")
