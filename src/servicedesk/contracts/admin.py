from django.contrib import admin

from servicedesk.contracts.models import BusinessCalendar, Contract
from servicedesk.core.admin_site import PolicyAdmin
from servicedesk.servicelevels.forms import BusinessCalendarForm


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(PolicyAdmin[BusinessCalendar]):
    form = BusinessCalendarForm  # opening hours per weekday, not JSON
    list_display = ["name", "time_zone", "country"]


@admin.register(Contract)
class ContractAdmin(PolicyAdmin[Contract]):
    list_display = ["name", "reference", "organisation", "service_level", "coverage", "active"]
    list_filter = ["service_level", "coverage", "reporters", "active"]
    search_fields = ["name", "reference", "organisation__name"]
    filter_horizontal = ["products"]
