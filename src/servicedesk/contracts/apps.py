from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    """Contracts: what a customer is entitled to, under which service levels and calendar."""

    name = "servicedesk.contracts"
    verbose_name = _("Contracts")
