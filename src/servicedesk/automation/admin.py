"""Admin: the RACI matrix is edited by administrators; actions and notifications are read."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from servicedesk.automation.models import Notification, RaciEntry, ScheduledAction
from servicedesk.tickets import policy


def _is_administrator(request: HttpRequest) -> bool:
    return policy.is_administrator(request.user)


@admin.register(RaciEntry)
class RaciEntryAdmin(admin.ModelAdmin[RaciEntry]):
    list_display = ["step", "kind", "role", "letter"]
    list_editable = ["letter"]
    list_filter = ["step", "kind", "role", "letter"]
    ordering = ["step", "kind", "role", "letter"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request) or super().has_view_permission(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request) or super().has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)


class ReadOnlyAdmin[M: (ScheduledAction, Notification)](admin.ModelAdmin[M]):
    """State written by the services and the tick only; the admin shows it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScheduledAction)
class ScheduledActionAdmin(ReadOnlyAdmin[ScheduledAction]):
    list_display = ["ticket", "kind", "due_at", "done_at", "cancelled_at", "outcome", "attempts"]
    list_filter = ["kind", "outcome"]
    raw_id_fields = ["ticket"]
    search_fields = ["ticket__number"]
    date_hierarchy = "due_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin[Notification]):
    list_display = ["ticket", "rule", "audience", "email", "created_at", "sent_at", "attempts"]
    list_filter = ["rule", "audience", "channel"]
    raw_id_fields = ["ticket", "user", "contact"]
    search_fields = ["ticket__number", "email", "subject"]
    date_hierarchy = "created_at"
