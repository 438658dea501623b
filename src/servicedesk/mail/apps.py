from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    """The e-mail channel: mailboxes, inbound mail and its quarantine, outbound mail."""

    name = "servicedesk.mail"
    label = "mail"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from servicedesk.mail import checks  # noqa: F401  (registers the system checks)
