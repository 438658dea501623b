"""Template context for the layout: which navigation the signed-in user gets."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from servicedesk.tickets.policy import contact_of, is_staff


@dataclass(frozen=True)
class NavLink:
    """A menu entry an app adds to the desk's or the portal's navigation (one line each)."""

    url_name: str  # a URL name without arguments, e.g. "outages:desk-list"
    label: Promise


DESK_LINKS: tuple[NavLink, ...] = (NavLink("outages:desk-list", _("Outages")),)
PORTAL_LINKS: tuple[NavLink, ...] = (
    NavLink("billing:credit", _("Credit")),
    NavLink("outages:status", _("Service status")),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Return `nav_desk` (staff) and `nav_portal` (contacts) for the page header, and the
    menu entries apps add (`nav_links`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_desk": False, "nav_portal": False, "nav_links": ()}
    staff = is_staff(user)
    portal = not staff and contact_of(user) is not None
    links = DESK_LINKS if staff else PORTAL_LINKS if portal else ()
    return {"nav_desk": staff, "nav_portal": portal, "nav_links": links}
