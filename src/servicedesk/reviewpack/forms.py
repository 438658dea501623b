"""The desk's choice of a pack: organisation, quarter, trend length and edition."""

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Organisation
from servicedesk.reports.periods import Period
from servicedesk.reviewpack.quarters import (
    TREND_MONTHS,
    QuarterError,
    parse_quarter,
    previous_quarter,
)

EDITIONS = [("customer", _("The customer's")), ("internal", _("Internal (service desk only)"))]


class PackForm(forms.Form):
    """Which pack to make; `quarter_period` is the parsed quarter once the form is valid."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    quarter = forms.CharField(label=_("Quarter"), max_length=7, help_text=_("Written as 2026-Q1."))
    months = forms.TypedChoiceField(
        label=_("Trend over"),
        coerce=int,
        choices=[(3, _("the quarter's months")), (12, _("the last 12 months"))],
        initial=TREND_MONTHS[0],
    )
    edition = forms.ChoiceField(label=_("Edition"), choices=EDITIONS, initial="customer")

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        now: datetime.datetime,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        self.fields["quarter"].initial = previous_quarter(now).code
        self.fields["quarter"].widget.attrs["placeholder"] = previous_quarter(now).code
        self.quarter_period: Period | None = None

    def clean_quarter(self) -> str:
        text: str = self.cleaned_data["quarter"].strip()
        try:
            self.quarter_period = parse_quarter(text, now=self.now)
        except QuarterError as error:
            raise forms.ValidationError(str(error)) from None
        return self.quarter_period.code
