"""Pages and form endpoints of billing.

- The ticket page's time panel posts here (timer start and stop, log, change, delete).
  Each parses its form, calls one service and answers with the panel (HTMX swaps it) or,
  without HTMX, redirects to the ticket page. Staff only: anyone else gets a 403, a ticket
  that does not exist a 404.
- The billing report for the desk, and its CSV (staff who read reports).
- The credit page of the portal, for a customer's central point of contact.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.models import Organisation
from servicedesk.billing import services
from servicedesk.billing.forms import LOG_PREFIX, ReportFilterForm, TimeEntryForm
from servicedesk.billing.models import TimeEntry
from servicedesk.billing.panel import time_panel
from servicedesk.billing.report import BillingReport, billing_csv, billing_report
from servicedesk.billing.selectors import credit_visible_to
from servicedesk.contracts.models import Contract
from servicedesk.desk.access import desk_agent
from servicedesk.reports.access import desk_report_reader
from servicedesk.reports.periods import PeriodError, month_of, parse_period
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import Refusal, reads_own_reports
from servicedesk.tickets.selectors import tickets_visible_to
from servicedesk.ui.forms import add_service_errors
from servicedesk.ui.htmx import is_htmx

PANEL = "billing/time_panel.html"


def _ticket(request: HttpRequest, number: str) -> Ticket:
    return get_object_or_404(
        tickets_visible_to(request.user).select_related("contract", "organisation"),
        number=number.upper(),
    )


def _answer(
    request: HttpRequest, ticket: Ticket, *, status: int = 200, **panel: Any
) -> HttpResponse:
    """Answer with the panel (HTMX) or go back to the ticket page."""
    if is_htmx(request):
        return render(request, PANEL, time_panel(request.user, ticket, **panel), status=status)
    url = reverse("desk:ticket", args=[ticket.number])
    minutes = panel.get("stopped_minutes")
    query = f"?timer_minutes={minutes}" if minutes else ""
    return redirect(f"{url}{query}#time")


@login_required
@require_POST
def timer_start(request: HttpRequest, number: str) -> HttpResponse:
    """Start the signed-in staff member's timer on the ticket."""
    actor = desk_agent(request)
    ticket = _ticket(request, number)
    services.timer_start(actor=actor, ticket=ticket)
    return _answer(request, ticket)


@login_required
@require_POST
def timer_stop(request: HttpRequest, number: str) -> HttpResponse:
    """Stop the timer: the log form comes back filled with the time it ran."""
    actor = desk_agent(request)
    ticket = _ticket(request, number)
    minutes = services.timer_stop(actor=actor, ticket=ticket)
    return _answer(request, ticket, stopped_minutes=minutes)


@login_required
@require_POST
def entry_create(request: HttpRequest, number: str) -> HttpResponse:
    """Log time on the ticket from the panel's form."""
    actor = desk_agent(request)
    ticket = _ticket(request, number)
    form = TimeEntryForm(request.POST, prefix=LOG_PREFIX)
    if form.is_valid():
        try:
            services.time_entry_create(actor=actor, ticket=ticket, **form.values())
        except ValidationError as error:
            add_service_errors(form, error, {"minutes": "duration"})
        else:
            if not is_htmx(request):
                messages.success(request, _("Time logged."))
            return _answer(request, ticket, saved=True)
    if not is_htmx(request):
        _tell_errors(request, form)
    return _answer(request, ticket, status=400, form=form)


def _tell_errors(request: HttpRequest, form: TimeEntryForm) -> None:
    """Without HTMX the page is shown again by a redirect: say what was wrong there."""
    for problem in form.errors.get_json_data().values():
        for error in problem:
            messages.error(request, str(error["message"]))


def _entry(request: HttpRequest, entry_id: int) -> TimeEntry:
    desk_agent(request)
    return get_object_or_404(TimeEntry.objects.select_related("ticket__contract"), pk=entry_id)


@login_required
@require_POST
def entry_update(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Change a time entry from its edit form in the panel."""
    actor = desk_agent(request)
    entry = _entry(request, entry_id)
    form = TimeEntryForm(request.POST, prefix=f"entry{entry.pk}")
    if form.is_valid():
        try:
            services.time_entry_update(actor=actor, entry=entry, **form.values())
        except Refusal as refused:
            raise PermissionDenied(refused.messages[0]) from refused
        except ValidationError as error:
            add_service_errors(form, error, {"minutes": "duration"})
        else:
            return _answer(request, entry.ticket, saved=True)
    if not is_htmx(request):
        _tell_errors(request, form)
    return _answer(request, entry.ticket, status=400, edit_forms={entry.pk: form})


@login_required
@require_POST
def entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Delete a time entry."""
    actor = desk_agent(request)
    entry = _entry(request, entry_id)
    ticket = entry.ticket
    try:
        services.time_entry_delete(actor=actor, entry=entry)
    except Refusal as refused:
        raise PermissionDenied(refused.messages[0]) from refused
    return _answer(request, ticket)


# ----------------------------------------------------------------------------- report


def _report(request: HttpRequest) -> tuple[BillingReport | None, ReportFilterForm, int]:
    reader = desk_report_reader(request.user)
    organisations = list(Organisation.objects.order_by("name").values_list("pk", "name"))
    form = ReportFilterForm(request.GET or None, organisations=organisations)
    if not form.is_bound:
        return None, form, 200
    if not form.is_valid():
        return None, form, 400
    text = form.cleaned_data["period"] or month_of(timezone.now(), time_zone=reader.time_zone).code
    try:
        period = parse_period(text, time_zone=reader.time_zone)
    except PeriodError as error:
        form.add_error("period", str(error))
        return None, form, 400
    organisation = get_object_or_404(Organisation, pk=form.cleaned_data["organisation"])
    return billing_report(organisation=organisation, period=period), form, 200


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    """The billing report of a customer for a period, for the desk."""
    report, form, status = _report(request)
    context = {"report": report, "form": form, "query": request.GET.urlencode()}
    return render(request, "billing/report.html", context, status=status)


@login_required
@require_GET
def report_download(request: HttpRequest) -> HttpResponse:
    """The billing report as CSV, for the invoicing system."""
    report, _form, _status = _report(request)
    if report is None:
        return HttpResponse(_("Choose a customer and a period."), status=400)
    return _csv(report)


def _csv(report: BillingReport) -> HttpResponse:
    response = HttpResponse(billing_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# ----------------------------------------------------------------------------- portal


@login_required
@require_GET
def credit_page(request: HttpRequest, contract_id: int | None = None) -> HttpResponse:
    """The credit of the organisation's contracts, for its central point of contact: the
    bundles, what is used and what is left. Another organisation's contract is a 404; any
    other reader (a contact who is not the CPC, staff) gets a 403."""
    if reads_own_reports(request.user) is None:
        raise PermissionDenied(
            _("Only your organisation's central point of contact reads its credit.")
        )
    try:
        credit = credit_visible_to(request.user, contract_id=contract_id)
    except Contract.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    return render(request, "billing/credit.html", {"credit": credit, "today": today})
