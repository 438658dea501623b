from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from servicedesk.contracts.models import BusinessCalendar, Contract
from servicedesk.core.admin_site import PolicyAdmin
from servicedesk.coverage.forms import ContractCoverageForm
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
    form = ContractCoverageForm  # the request types outside maintenance as checkboxes
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "organisation",
                    "name",
                    "reference",
                    "products",
                    ("starts_on", "ends_on"),
                    "active",
                ]
            },
        ),
        (
            _("Service level"),
            {"fields": ["service_level", "priority_scheme", "calendar", "stale_after_days"]},
        ),
        (
            _("Reporting"),
            {"fields": ["reporters", "accepts_email", "satisfaction_survey"]},
        ),
        (
            _("Coverage and billable work"),
            {
                "fields": [
                    "coverage",
                    "warranty_ends_on",
                    "billable_request_types",
                    "billable_needs_agreement",
                    "hourly_rate",
                ]
            },
        ),
        (
            _("Change proposals"),
            {
                "fields": [
                    "proposal_deciders",
                    "proposal_answer_days",
                    "proposal_reminder_days",
                ]
            },
        ),
        (
            _("Time-based rules"),
            {
                "fields": [
                    "reminder_1_after",
                    "reminder_2_after",
                    "auto_close_after",
                    "solution_auto_close_after",
                    "reopen_within",
                    "unassigned_alert_after",
                ]
            },
        ),
    ]
