"""Template filters about service levels: `{% load service_levels %}`."""

from django import template

from servicedesk.servicelevels.selectors import version_by_pk
from servicedesk.tickets.models import Ticket

register = template.Library()


@register.filter
def measured_by(ticket: Ticket) -> str:
    """{{ ticket|measured_by }} -> "Service level Gold, version 3"; "" when none applies."""
    if ticket.service_level_version_id is None:
        return ""
    return version_by_pk(ticket.service_level_version_id).label()
