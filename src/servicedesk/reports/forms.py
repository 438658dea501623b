"""The compliance report's filters: a period and a scope, read from the query string.

The desk's form and the API's query serializer read the same parameters (`period`, or
`from` and `to`; `organisation`, `contract`, `product_group`, `team`, `priority`, `kind`)
and hand them to `report_query`, which answers with the period and the scope or raises a
`QueryError` keyed by the parameter at fault.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicedesk.accounts.models import Organisation, Team
from servicedesk.catalog.models import ProductGroup
from servicedesk.contracts.models import Contract
from servicedesk.reports.access import ReportReader
from servicedesk.reports.compliance import Scope, ScopeNotFound, compliance_scope
from servicedesk.reports.periods import (
    Period,
    PeriodError,
    month_of,
    parse_period,
    period_between,
)
from servicedesk.sla.schemes import SCHEMES
from servicedesk.tickets.models import Kind
from servicedesk.ui import display

PRIORITY_CODES = tuple(dict.fromkeys(code for s in SCHEMES.values() for code in s.codes()))


class QueryError(ValidationError):
    """A report query that cannot be answered, keyed by the parameter at fault."""


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """What a report was asked for: its period and its scope."""

    period: Period
    scope: Scope


def report_query(
    reader: ReportReader,
    *,
    now: datetime.datetime,
    period: str = "",
    first_day: datetime.date | None = None,
    last_day: datetime.date | None = None,
    organisation_id: int | None = None,
    contract_id: int | None = None,
    product_group_id: int | None = None,
    team_id: int | None = None,
    priority: str = "",
    kind: str = "",
) -> ReportQuery:
    """Return the period (the running month by default) and the scope the reader asked for.

    A range needs both days and replaces `period`. Raise QueryError for a period that cannot
    be read; ScopeNotFound for an organisation, contract, group or team the reader may not
    see (an answer of "no such object").
    """
    zone = reader.time_zone
    try:
        if first_day is not None or last_day is not None:
            if first_day is None or last_day is None:
                missing = "from" if first_day is None else "to"
                raise QueryError({missing: [_("Give both the first and the last day.")]})
            chosen = period_between(first_day, last_day, time_zone=zone)
        elif period:
            chosen = parse_period(period, time_zone=zone)
        else:
            chosen = month_of(now, time_zone=zone)
    except PeriodError as error:
        field = "from" if first_day is not None else "period"
        raise QueryError({field: [str(error)]}) from None
    scope = compliance_scope(
        reader,
        organisation_id=organisation_id,
        contract_id=contract_id,
        product_group_id=product_group_id,
        team_id=team_id,
        priority=priority,
        kind=kind,
    )
    return ReportQuery(chosen, scope)


class ComplianceFilterForm(forms.Form):
    """The desk's filters of the compliance report (staff: every organisation)."""

    period = forms.CharField(
        label=gettext_lazy("Period"),
        required=False,
        max_length=10,
        help_text=gettext_lazy("A month (2026-03), a quarter (2026-Q1) or a year (2026)."),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=gettext_lazy("Any"),
    )
    contract = forms.ModelChoiceField(
        label=gettext_lazy("Contract"),
        queryset=Contract.objects.all(),
        required=False,
        empty_label=gettext_lazy("Any"),
    )
    product_group = forms.ModelChoiceField(
        label=gettext_lazy("Product group"),
        queryset=ProductGroup.objects.all(),
        required=False,
        empty_label=gettext_lazy("Any"),
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.all(),
        required=False,
        empty_label=gettext_lazy("Any"),
    )
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)

    def __init__(
        self, *args: Any, reader: ReportReader, now: datetime.datetime, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.reader, self.now = reader, now
        # "from" is a keyword in Python: these two are named in the dict only.
        self.fields["from"] = forms.DateField(label=gettext_lazy("From"), required=False)
        self.fields["to"] = forms.DateField(label=gettext_lazy("To"), required=False)
        for name in ("from", "to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})
        self.fields["period"].widget.attrs["placeholder"] = "2026-Q1"
        any_ = [("", gettext_lazy("Any"))]
        self.choice("priority").choices = any_ + [
            (code, display.priority_short(code)) for code in PRIORITY_CODES
        ]
        self.choice("kind").choices = any_ + list(Kind.choices)
        self.query: ReportQuery | None = None

    def choice(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.query = report_query(
                self.reader,
                now=self.now,
                period=data.get("period") or "",
                first_day=data.get("from"),
                last_day=data.get("to"),
                organisation_id=_pk(data.get("organisation")),
                contract_id=_pk(data.get("contract")),
                product_group_id=_pk(data.get("product_group")),
                team_id=_pk(data.get("team")),
                priority=data.get("priority") or "",
                kind=data.get("kind") or "",
            )
        except QueryError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        except ScopeNotFound as missing:
            self.add_error(missing.name, _("No such choice."))
        return data


def _pk(obj: object) -> int | None:
    pk = getattr(obj, "pk", None)
    return pk if isinstance(pk, int) else None
