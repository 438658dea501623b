"""{% if user|sees_dashboard %}: whether the menu shows the dashboard."""

from typing import Any

from django import template

from servicedesk.dashboard.access import sees_dashboard as may_see

register = template.Library()


@register.filter
def sees_dashboard(user: Any) -> bool:
    """Return whether the user may open the dashboard (the rule is `dashboard.access`)."""
    return may_see(user)
