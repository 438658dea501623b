"""Template context for the layout: which navigation the signed-in user gets."""

from typing import Any

from django.http import HttpRequest

from servicedesk.tickets.policy import contact_of, is_staff


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return `nav_desk` (staff) and `nav_portal` (contacts) for the page header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_desk": False, "nav_portal": False}
    staff = is_staff(user)
    return {"nav_desk": staff, "nav_portal": not staff and contact_of(user) is not None}
