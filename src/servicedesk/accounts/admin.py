from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from servicedesk.accounts.models import Contact, Organisation, Supplier, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Service desk", {"fields": ("role", "language", "time_zone")}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "support_line", "lead"]
    filter_horizontal = ["members"]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin[Supplier]):
    list_display = ["name", "email"]
    search_fields = ["name"]


class ContactInline(admin.TabularInline[Contact, Organisation]):
    model = Contact
    fields = ["name", "email", "is_cpc", "active"]
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "code", "active"]
    search_fields = ["name", "code", "email_domains"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin[Contact]):
    list_display = ["name", "email", "organisation", "is_cpc", "active"]
    list_filter = ["is_cpc", "active", "organisation"]
    search_fields = ["name", "email"]
    filter_horizontal = ["key_user_products"]
    raw_id_fields = ["user"]
