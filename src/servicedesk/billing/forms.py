"""The log form of the ticket page's time panel, and the billing report's filter."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicedesk.billing.models import Activity

_CLOCK = re.compile(r"^(?P<h>\d{1,2}):(?P<m>[0-5]\d)$")
_UNITS = re.compile(r"^(?:(?P<h>\d+(?:[.,]\d+)?)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?$")


def parse_duration(text: str) -> int:
    """Return a duration as minutes: "1:30", "90" (minutes), "1.5h", "1h 30m", "45m".
    Raises ValidationError when it reads as none of these."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    found = _CLOCK.match(text)
    if found:
        return int(found["h"]) * 60 + int(found["m"])
    found = _UNITS.match(text)
    if text and found and (found["h"] or found["m"]):
        hours = float(found["h"].replace(",", ".")) if found["h"] else 0.0
        return round(hours * 60) + int(found["m"] or 0)
    raise ValidationError(_("Write a duration such as 1:30, 90 (minutes) or 1.5h."))


def duration_text(minutes: int) -> str:
    """Return minutes as the form writes them: "1:30"."""
    return f"{minutes // 60}:{minutes % 60:02d}"


class DurationField(forms.CharField):
    """A duration typed as text, cleaned to minutes."""

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        return parse_duration(text)


BILLABLE_CHOICES = [("billable", gettext_lazy("Billable")), ("covered", gettext_lazy("Covered"))]


LOG_PREFIX = "time"  # the ticket page has other forms with a "note"


class TimeEntryForm(forms.Form):
    """Log time: how long, which day, on what, billable or covered, an internal note."""

    duration = DurationField(
        label=gettext_lazy("Duration"),
        max_length=20,
        help_text=gettext_lazy("1:30, 90 (minutes) or 1.5h"),
        widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}),
    )
    worked_on = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    activity = forms.ChoiceField(label=gettext_lazy("Activity"), choices=Activity.choices)
    billable = forms.ChoiceField(
        label=gettext_lazy("Billing"), choices=BILLABLE_CHOICES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Internal note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Only the service desk reads it."),
    )

    def values(self) -> dict[str, Any]:
        """Return the cleaned values as the services take them."""
        data = self.cleaned_data
        return {
            "minutes": data["duration"],
            "worked_on": data["worked_on"],
            "activity": data["activity"],
            "billable": data["billable"] == "billable",
            "note": data["note"],
        }


class ReportFilterForm(forms.Form):
    """Which customer and which period (2026-03, 2026-Q1, 2026) the billing report shows."""

    organisation = forms.TypedChoiceField(label=gettext_lazy("Customer"), coerce=int, required=True)
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=10,
        required=False,
        help_text=gettext_lazy("A month (2026-03), a quarter (2026-Q1) or a year (2026)."),
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "---------"), *organisations]  # type: ignore[attr-defined]
