"""{% reports_menu %}: the desk menu's report entries, for those who read reports."""

from typing import Any

from django import template

from servicedesk.opsreports.scope import reads_every_organisation

register = template.Library()


@register.inclusion_tag("opsreports/menu.html", takes_context=True)
def reports_menu(context: dict[str, Any]) -> dict[str, Any]:
    """Return the menu's context: shown only to readers of reports (the scope's rule)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": reads_every_organisation(user), "request": request}
