"""Who may call what: staff roles for writes to master data; scoping is in selectors."""

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from servicedesk.accounts.models import StaffRole
from servicedesk.tickets.selectors import is_staff

MANAGING_ROLES = frozenset({StaffRole.SERVICE_MANAGER, StaffRole.ADMINISTRATOR})


def is_manager(user: Any) -> bool:
    """Return whether the user may change master data (organisations, contracts...)."""
    return bool(
        user.is_authenticated and (user.is_superuser or getattr(user, "role", "") in MANAGING_ROLES)
    )


class ReadOrManage(BasePermission):
    """Anyone signed in reads what their scope allows; service managers and admins write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return is_manager(request.user)


class StaffOnly(BasePermission):
    """Only vendor staff."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff(request.user)
