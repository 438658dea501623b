"""The admin asks the policy, like every other door: staff sign in; who may change what
is `policy.Action.MANAGE` (master data: service managers and administrators) or
`policy.Action.ADMINISTER` (the desk's own set-up: administrators)."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from servicedesk.tickets import policy


class DeskAdminSite(admin.AdminSite):
    """The admin site: open to staff, each page then asks its model's rule."""

    def has_permission(self, request: HttpRequest) -> bool:
        return policy.is_staff(request.user)


class PolicyAdmin[M: Model](admin.ModelAdmin[M]):
    """A model every staff member may read and whose changes `change_action` governs."""

    change_action = policy.Action.MANAGE

    def _may_change(self, request: HttpRequest) -> bool:
        return policy.allows(request.user, self.change_action)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_staff(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may_change(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_change(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_change(request)
