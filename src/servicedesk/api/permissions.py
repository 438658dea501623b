"""DRF's permission classes, answered by the policy; scoping is in the selectors."""

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from servicedesk.tickets import policy


class ReadOrManage(BasePermission):
    """Anyone signed in reads what their scope allows; service managers and admins write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return policy.allows(request.user, policy.Action.MANAGE)


class StaffOnly(BasePermission):
    """Only vendor staff."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return policy.is_staff(request.user)
