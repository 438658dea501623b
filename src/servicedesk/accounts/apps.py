from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Users, staff roles, teams, suppliers, customer organisations and their contacts."""

    name = "servicedesk.accounts"
    verbose_name = _("Accounts")
