"""Admin: outage notices are read here; every change goes through the desk or the API
(`outages.services`), so the history and the fan-out are never bypassed."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from servicedesk.outages.models import (
    Outage,
    OutageFanout,
    OutageSubscription,
    OutageTicket,
    OutageUpdate,
)


class ReadOnlyAdmin[M: (Outage, OutageUpdate, OutageTicket, OutageFanout, OutageSubscription)](
    admin.ModelAdmin[M]
):
    """State written by the outage services and the worker only; the admin shows it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UpdateInline(admin.TabularInline[OutageUpdate, Outage]):
    model = OutageUpdate
    fields = ("at", "state", "public", "late", "author", "text", "next_update_due_at")
    readonly_fields = ("at", "state", "public", "late", "author", "text", "next_update_due_at")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Outage)
class OutageAdmin(ReadOnlyAdmin[Outage]):
    list_display = ["title", "state", "started_at", "manager", "next_update_due_at", "closed_at"]
    list_filter = ["state", "impact"]
    search_fields = ["title", "symptoms"]
    date_hierarchy = "started_at"
    inlines = [UpdateInline]


@admin.register(OutageTicket)
class OutageTicketAdmin(ReadOnlyAdmin[OutageTicket]):
    list_display = ["outage", "ticket", "linked_at", "linked_by"]
    raw_id_fields = ["outage", "ticket"]
    search_fields = ["ticket__number"]


@admin.register(OutageFanout)
class OutageFanoutAdmin(ReadOnlyAdmin[OutageFanout]):
    list_display = ["update", "due_at", "tickets_after", "audience_done_at", "done_at"]


@admin.register(OutageSubscription)
class OutageSubscriptionAdmin(ReadOnlyAdmin[OutageSubscription]):
    list_display = ["contact", "product", "created_at"]
    raw_id_fields = ["contact"]
