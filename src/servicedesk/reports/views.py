"""The desk's compliance report: a page with its filters and rules, and its CSV download.

Routed under the desk (`desk:compliance`, `desk:compliance-csv`); who may read it is
`access.desk_report_reader`: team leads, service managers and administrators.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from servicedesk.reports.access import desk_report_reader
from servicedesk.reports.compliance import (
    VERDICT_LABELS,
    ComplianceReport,
    compliance_report,
    compliance_scope,
)
from servicedesk.reports.export import compliance_csv, compliance_filename
from servicedesk.reports.forms import ComplianceFilterForm
from servicedesk.reports.periods import month_of


def _report(request: HttpRequest) -> tuple[ComplianceReport, ComplianceFilterForm, int]:
    """Return the report the filters ask for, the form, and the answer's status: 400 when a
    filter is not valid (the page then shows the running month for everything)."""
    reader = desk_report_reader(request.user)
    now = timezone.now()
    form = ComplianceFilterForm(request.GET or None, reader=reader, now=now)
    if form.is_bound and form.is_valid() and form.query is not None:
        period, scope, status = form.query.period, form.query.scope, 200
    else:
        period = month_of(now, time_zone=reader.time_zone)
        scope, status = compliance_scope(reader), 400 if form.is_bound else 200
    return compliance_report(reader, period=period, scope=scope, now=now), form, status


@login_required
@require_GET
def compliance(request: HttpRequest) -> HttpResponse:
    """The compliance report: per target met, missed and running against its objective."""
    report, form, status = _report(request)
    context: dict[str, Any] = {
        "report": report,
        "form": form,
        "verdicts": {verdict.value: label for verdict, label in VERDICT_LABELS.items()},
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/compliance.html", context, status=status)


@login_required
@require_GET
def compliance_download(request: HttpRequest) -> HttpResponse:
    """The compliance report as CSV, for the same filters."""
    report, _form, status = _report(request)
    response = HttpResponse(
        compliance_csv(report), content_type="text/csv; charset=utf-8", status=status
    )
    response["Content-Disposition"] = f'attachment; filename="{compliance_filename(report)}"'
    response["Cache-Control"] = "private, no-store"
    return response
