"""The coverage panel of the desk's ticket page and the billable-work block of the portal's."""

from typing import Any

from django import template

from servicedesk.coverage.forms import AnswerForm
from servicedesk.coverage.panels import customer_block, desk_panel
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import AnyUser

register = template.Library()


@register.inclusion_tag("coverage/panel.html")
def coverage_panel(ticket: Ticket, user: AnyUser) -> dict[str, Any]:
    """{% coverage_panel ticket request.user %}: suggestion, decision form and history."""
    return desk_panel(user, ticket=ticket)


@register.inclusion_tag("coverage/notice.html")
def coverage_notice(ticket: Ticket, user: AnyUser) -> dict[str, Any]:
    """{% coverage_notice ticket request.user %}: "this work is billable: agree / decline"."""
    return {"ticket": ticket, "coverage": customer_block(user, ticket=ticket), "form": AnswerForm()}
