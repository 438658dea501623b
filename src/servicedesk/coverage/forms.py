"""Forms of the coverage panel (desk) and the billable-work answer (portal)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.contracts.models import Contract, RequestType
from servicedesk.coverage.models import Decision


class DecisionForm(forms.Form):
    """An agent's coverage decision: request type, the two warranty facts, who pays, why."""

    request_type = forms.ChoiceField(label=_("Request type"), choices=RequestType.choices)
    against_specification = forms.BooleanField(
        label=_("The software does not work as its specification says"), required=False
    )
    not_as_is = forms.BooleanField(
        label=_("Documented behaviour, not 'as is' software"), required=False
    )
    decision = forms.ChoiceField(label=_("Who pays"), choices=Decision.choices)
    reason = forms.CharField(
        label=_("Reason (internal)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Empty: the suggestion's reason. Needed when you decide otherwise."),
    )


class AnswerForm(forms.Form):
    """The customer's answer to billable work: a comment; the button says agree or decline."""

    answer = forms.ChoiceField(
        choices=[("agree", _("Agree")), ("decline", _("Decline"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ContractCoverageForm(forms.ModelForm):  # type: ignore[type-arg]
    """The contract's admin form: the request types outside maintenance as checkboxes."""

    billable_request_types = forms.MultipleChoiceField(
        label=_("Request types outside maintenance"),
        choices=RequestType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Work of these types is billable; user error may be added (seed 004)."),
    )

    class Meta:
        model = Contract
        fields = ["billable_request_types"]  # the admin adds the rest from its fieldsets
