"""The filters of the report pages: a period (where the report has one), an organisation,
a product group and a team. A filter a reader may not use is not offered."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Organisation, Team
from servicedesk.catalog.models import ProductGroup


class ReportFilterForm(forms.Form):
    """What the reader narrows a report to; empty fields mean "all"."""

    organisation = forms.ModelChoiceField(
        label=_("Customer"), queryset=Organisation.objects.none(), required=False
    )
    product_group = forms.ModelChoiceField(
        label=_("Product group"), queryset=ProductGroup.objects.all(), required=False
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations

    def ids(self) -> dict[str, int | None]:
        """Return the chosen filters as ids for `report_scope` (valid form only)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "organisation_id": _pk(data.get("organisation")),
            "product_group_id": _pk(data.get("product_group")),
            "team_id": _pk(data.get("team")),
        }


class PeriodFilterForm(ReportFilterForm):
    """The filters, and the period: from and to, both days included."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    field_order = ["date_from", "date_to", "organisation", "product_group", "team"]


def _pk(value: object) -> int | None:
    pk = getattr(value, "pk", None)
    return pk if isinstance(pk, int) else None
