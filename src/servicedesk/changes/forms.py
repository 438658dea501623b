"""Forms of the change panel (desk) and the proposal answer (portal): parse input only."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import User
from servicedesk.changes.models import Decision, Pricing

DATE = forms.DateInput(attrs={"type": "date"})


class ParkForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the customer"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.REJECTED.value, Decision.REJECTED.label),
            (Decision.ROADMAP.value, Decision.ROADMAP.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason or note to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposalForm(forms.Form):
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea(attrs={"rows": 3}))
    approach = forms.CharField(
        label=_("Approach"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    impact = forms.CharField(
        label=_("Impact"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    estimate_hours = forms.DecimalField(
        label=_("Estimate (hours)"), min_value=0, max_digits=7, decimal_places=2
    )
    pricing = forms.ChoiceField(label=_("Pricing"), choices=Pricing.choices, initial=Pricing.HOURLY)
    fixed_price = forms.DecimalField(
        label=_("Fixed price"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    window_start = forms.DateField(label=_("Proposed start"), required=False, widget=DATE)
    window_end = forms.DateField(label=_("Proposed end"), required=False, widget=DATE)
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the desk only; the customer never sees it."),
    )


class PlanForm(forms.Form):
    planned_start = forms.DateField(label=_("Planned start"), widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), widget=DATE)
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["consultant"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            User.objects.filter(is_active=True).exclude(role="").order_by("first_name", "username")
        )


class ReleaseForm(forms.Form):
    note = forms.CharField(
        label=_("Release note to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
