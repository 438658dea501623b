"""Template tags of the reports: hours, the menu entry, the ticket page's attribution."""

from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from servicedesk.reports.access import may_read_reports
from servicedesk.reports.selectors import ticket_attribution
from servicedesk.tickets.models import Ticket

register = template.Library()


@register.filter
def hours(seconds: int | float | None) -> str:
    """{{ row.over_seconds|hours }} -> "14 h", "2.5 h" (open hours of the target's clock)."""
    if seconds is None:
        return ""
    value = round(seconds / 3600, 1)
    number = formats.number_format(value, decimal_pos=0 if value == int(value) else 1)
    return _("%(hours)s h") % {"hours": number}


@register.filter
def reads_reports(user: Any) -> bool:
    """{% if user|reads_reports %}: whether to show the reports in the menu."""
    return may_read_reports(user)


@register.inclusion_tag("reports/attribution.html", takes_context=True)
def attribution_panel(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """{% attribution_panel ticket %}: who held the ticket while its settled targets ran."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"attributions": []}
    return {"attributions": ticket_attribution(user, ticket, now=timezone.now())}
