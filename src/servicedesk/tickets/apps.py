from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    """Tickets, their conversation, attachments and history."""

    name = "servicedesk.tickets"
    verbose_name = _("Tickets")
