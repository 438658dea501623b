"""The dashboard's one filter: a team, read from the query string (`?team=<id>`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Team


class DashboardFilterForm(forms.Form):
    """Narrow the dashboard to one team's tickets; empty: the whole desk."""

    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("All teams")
    )

    def team_id(self) -> int | None:
        """Return the chosen team's id (None for all, or when the form is not valid)."""
        if not self.is_bound or not self.is_valid():
            return None
        team = self.cleaned_data.get("team")
        return team.pk if team is not None else None
