"""Admin pages for tickets: read-mostly; changes go through the services as admin actions."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import User
from servicedesk.tickets import services
from servicedesk.tickets.models import (
    Attachment,
    Message,
    Status,
    Ticket,
    TicketEvent,
    TicketLink,
)

MESSAGE_FIELDS: tuple[str, ...] = (
    "created_at",
    "visibility",
    "channel",
    "author_user",
    "author_contact",
    "body",
)
EVENT_FIELDS: tuple[str, ...] = ("at", "actor", "action", "field", "old_value", "new_value", "note")
ATTACHMENT_FIELDS: tuple[str, ...] = ("filename", "content_type", "size", "internal", "created_at")


class MessageInline(admin.StackedInline[Message, Ticket]):
    model = Message
    extra = 0
    fields = readonly_fields = MESSAGE_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline[TicketEvent, Ticket]):
    model = TicketEvent
    extra = 0
    fields = readonly_fields = EVENT_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttachmentInline(admin.TabularInline[Attachment, Ticket]):
    model = Attachment
    extra = 0
    fields = readonly_fields = ATTACHMENT_FIELDS
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    list_display = [
        "number",
        "title",
        "kind",
        "status",
        "priority",
        "organisation",
        "assignee",
        "created_at",
    ]
    list_filter = ["status", "kind", "channel", "priority", "organisation"]
    search_fields = ["number", "title", "requester__email"]
    list_select_related = ["organisation", "assignee"]
    inlines = [MessageInline, AttachmentInline, EventInline]
    actions = ["take_in_progress"]
    # Every change to a ticket goes through a service; the admin only reads.
    readonly_fields = [field.name for field in Ticket._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Take selected tickets in progress"))
    def take_in_progress(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        assert isinstance(request.user, User)
        moved = 0
        for ticket in queryset.filter(status__in=[Status.NEW, Status.REOPENED]):
            try:
                services.ticket_transition(
                    ticket=ticket, actor=request.user, status=Status.IN_PROGRESS
                )
            except ValidationError as error:
                self.message_user(
                    request, f"{ticket.number}: {error.messages[0]}", messages.WARNING
                )
            else:
                moved += 1
        self.message_user(request, _("%(count)d tickets taken in progress.") % {"count": moved})


@admin.register(TicketLink)
class TicketLinkAdmin(admin.ModelAdmin[TicketLink]):
    list_display = ["source", "kind", "target", "created_at"]
    raw_id_fields = ["source", "target"]
