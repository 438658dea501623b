"""Credit bundles in the admin: a list of their own, and an inline for the contract's page
(`CreditBundleInline`, for `contracts.admin.ContractAdmin.inlines`). Saving or deleting
one settles the contract's credit again (`services.credit_bundles_changed`).
Time entries are read here; they are logged and changed on the ticket page or the API."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest

from servicedesk.billing.models import CreditBundle, TimeEntry
from servicedesk.billing.services import credit_bundles_changed
from servicedesk.contracts.models import Contract
from servicedesk.core.admin_site import PolicyAdmin
from servicedesk.tickets import policy


class BundleFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Saves the contract's bundles, then settles its credit."""

    def save(self, commit: bool = True) -> list[Any]:
        saved: list[Any] = super().save(commit)
        if commit and isinstance(self.instance, Contract) and self.instance.pk:
            credit_bundles_changed(contract=self.instance)
        return saved


class CreditBundleInline(admin.TabularInline[CreditBundle, Contract]):
    model = CreditBundle
    formset = BundleFormSet
    extra = 0
    fields = ["kind", "name", "hours", "valid_from", "valid_to"]

    def _may_change(self, request: HttpRequest) -> bool:
        return policy.allows(request.user, policy.Action.MANAGE)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_change(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_change(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_change(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_staff(request.user)


@admin.register(CreditBundle)
class CreditBundleAdmin(PolicyAdmin[CreditBundle]):
    list_display = ["name", "contract", "kind", "hours", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "contract__name", "contract__organisation__name"]
    list_select_related = ["contract"]
    readonly_fields = ["low_alerted_at", "exhausted_alerted_at"]

    def save_model(self, request: HttpRequest, obj: CreditBundle, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        credit_bundles_changed(contract=obj.contract)

    def delete_model(self, request: HttpRequest, obj: CreditBundle) -> None:
        contract = obj.contract
        super().delete_model(request, obj)
        credit_bundles_changed(contract=contract)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CreditBundle]) -> None:
        contracts = list(Contract.objects.filter(credit_bundles__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for contract in contracts:
            credit_bundles_changed(contract=contract)


@admin.register(TimeEntry)
class TimeEntryAdmin(PolicyAdmin[TimeEntry]):
    list_display = ["ticket", "worked_on", "user", "activity", "minutes", "billable"]
    list_filter = ["activity", "billable"]
    search_fields = ["ticket__number", "ticket__organisation__name"]
    list_select_related = ["ticket", "user"]
    date_hierarchy = "worked_on"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
