"""Template tags of billing: the desk ticket page's time panel, hours and minutes."""

from typing import Any

from django import template

from servicedesk.billing.panel import time_panel
from servicedesk.billing.texts import hours_text
from servicedesk.tickets.models import Ticket

register = template.Library()

MAX_TIMER_MINUTES = 24 * 60


@register.inclusion_tag("billing/time_panel.html", takes_context=True)
def billing_time_panel(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    """{% billing_time_panel ticket %}: timer, log form, entries with totals, credit.

    After the timer stopped without HTMX, the page is opened with ?timer_minutes=N, which
    fills the log form's duration."""
    request = context.get("request")
    user = getattr(request, "user", None)
    minutes = None
    if request is not None:
        text = request.GET.get("timer_minutes", "")
        if text.isdigit() and 0 < int(text) <= MAX_TIMER_MINUTES:
            minutes = int(text)
    panel = time_panel(user, ticket, stopped_minutes=minutes)
    return {**panel, "csrf_token": context.get("csrf_token"), "request": request}


@register.filter
def hm(minutes: int | None) -> str:
    """{{ entry.minutes|hm }} -> "1:30 h"."""
    return "" if minutes is None else hours_text(int(minutes))
