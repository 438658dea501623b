from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from servicedesk.accounts.models import Contact, Organisation, Supplier, Team, User
from servicedesk.core.admin_site import PolicyAdmin
from servicedesk.tickets import policy


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    """Users and their roles: administrators only (a role opens every ticket)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.is_administrator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_administrator(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.is_administrator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_administrator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_administrator(request.user)

    list_display = ["username", "email", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Service desk", {"fields": ("role", "language", "time_zone")}),
    )


@admin.register(Team)
class TeamAdmin(PolicyAdmin[Team]):
    change_action = policy.Action.ADMINISTER
    list_display = ["name", "support_line", "lead"]
    filter_horizontal = ["members"]


@admin.register(Supplier)
class SupplierAdmin(PolicyAdmin[Supplier]):
    list_display = ["name", "email"]
    search_fields = ["name"]


class ContactInline(admin.TabularInline[Contact, Organisation]):
    model = Contact
    fields = ["name", "email", "is_cpc", "active"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(PolicyAdmin[Organisation]):
    list_display = ["name", "code", "active"]
    search_fields = ["name", "code", "email_domains"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(PolicyAdmin[Contact]):
    list_display = ["name", "email", "organisation", "is_cpc", "active"]
    list_filter = ["is_cpc", "active", "organisation"]
    search_fields = ["name", "email"]
    filter_horizontal = ["key_user_products"]
    raw_id_fields = ["user"]
