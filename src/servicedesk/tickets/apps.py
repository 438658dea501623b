from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    """Tickets, their conversation, attachments and history."""

    name = "servicedesk.tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        import datetime

        from django.utils import formats
        from django.utils.translation import gettext

        from servicedesk.sla.explain import configure

        def moment(local: datetime.datetime) -> str:
            return formats.date_format(local, "D j M Y H:i")

        def day(value: datetime.date) -> str:
            return formats.date_format(value, "D j M Y")

        # SLA explanations in the user's language and date format.
        configure(translate=gettext, moment=moment, day=day)
