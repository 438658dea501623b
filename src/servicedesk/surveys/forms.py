"""The survey's form: a score from 0 to 10 and an optional comment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.surveys.models import SCORES
from servicedesk.surveys.services import COMMENT_MAX


class SurveyAnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely is it that you would recommend us to a colleague?"),
        choices=[(score, str(score)) for score in SCORES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 0 to 10.")},
    )
    comment = forms.CharField(
        label=_("What is the most important reason for your score?"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
