from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Products and product groups: what a ticket is about."""

    name = "servicedesk.catalog"
    verbose_name = _("Products")
