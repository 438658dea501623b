"""The tickets resource: serializers (what is written and read), filters, views."""

from servicedesk.api.tickets.serializers import TicketSerializer
from servicedesk.api.tickets.views import TicketViewSet

__all__ = ["TicketSerializer", "TicketViewSet"]
