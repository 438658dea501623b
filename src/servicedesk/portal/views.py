"""Customer portal pages: report, my tickets, a ticket with its conversation. Views parse,
call a service or selector, and render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.outages.forms import outages_intake_attach
from servicedesk.portal.access import portal_contact, portal_user, visible_ticket
from servicedesk.portal.actions import customer_reply_submit, report_submit
from servicedesk.portal.forms import (
    CloseForm,
    ConfirmForm,
    ReopenForm,
    ReplyForm,
    ReportForm,
)
from servicedesk.portal.selectors import (
    SCOPES,
    STATES,
    customer_history,
    offered_solution,
    portal_tickets,
    promised_clocks,
    sees_organisation,
)
from servicedesk.tickets import policy, services, workflow
from servicedesk.tickets.completeness import is_required
from servicedesk.tickets.downloads import attachment_response
from servicedesk.tickets.models import Kind, Status, Ticket
from servicedesk.tickets.selectors import (
    attachments_visible_to,
    messages_visible_to,
    products_visible_to,
)
from servicedesk.ui import display
from servicedesk.ui.forms import REPORT_KINDS, add_service_errors
from servicedesk.ui.htmx import is_htmx
from servicedesk.ui.paging import window

PAGE_SIZE = 25


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    """My tickets; for a CPC or key user also the organisation's."""
    contact = portal_contact(request)
    organisation = sees_organisation(contact)
    scope = request.GET.get("scope", "mine")
    scope = scope if scope in SCOPES and (scope == "mine" or organisation) else "mine"
    state = request.GET.get("state", "open")
    state = state if state in STATES else "open"
    tickets = portal_tickets(request.user, scope=scope, state=state)
    page = window(tickets, PAGE_SIZE, request.GET.get("page"))
    context = {
        "page": page,
        "scope": scope,
        "state": state,
        "sees_organisation": organisation,
        "contact": contact,
    }
    return render(request, "portal/tickets.html", context)


@login_required
def report_start(request: HttpRequest) -> HttpResponse:
    """Choose what kind of request to report."""
    portal_contact(request)
    kinds = [(kind, kind.label, display.KIND_HELP[kind]) for kind in REPORT_KINDS]
    return render(request, "portal/report_start.html", {"kinds": kinds})


@login_required
def report(request: HttpRequest, kind: str) -> HttpResponse:
    """The report form for one kind; an HTMX post returns just the live completeness check."""
    contact = portal_contact(request)
    if kind not in REPORT_KINDS:
        raise Http404
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        kind=kind,
        contact=contact,
        products=products_visible_to(request.user),
    )
    if request.method == "POST" and is_htmx(request):
        return render(request, "portal/report.html#check", _report_context(form, kind))
    if request.method == "POST" and form.is_valid():
        impact = form.cleaned_data.get("impact", "")
        urgency = form.cleaned_data.get("urgency", "")
        product = form.chosen_product()
        try:
            ticket = report_submit(
                contact=contact,
                user=portal_user(request),
                kind=kind,
                title=form.cleaned_data["title"],
                product=product,
                impact=impact,
                urgency=urgency,
                requested_priority=form.resulting_priority(
                    product, {"impact": impact, "urgency": urgency}
                ),
                details=form.details(),
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"file": "attachments", "requester": ""})
        else:
            outages_intake_attach(request=request, ticket=ticket)
            return redirect("portal:report-done", number=ticket.number)
    return render(request, "portal/report.html", _report_context(form, kind))


def _report_context(form: ReportForm, kind: str) -> dict[str, Any]:
    return {
        "form": form,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "check": form.check(),
        "detail_fields": [
            (form[name], is_required(kind, name)) for name in form.detail_field_names()
        ],
    }


@login_required
def report_done(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation with the ticket number."""
    portal_contact(request)
    ticket = visible_ticket(request, number)
    return render(request, "portal/report_done.html", {"ticket": ticket})


@login_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    """A ticket: status, priority, promised times, conversation, history and what to do next."""
    portal_contact(request)
    ticket = visible_ticket(request, number)
    return _render_ticket(request, ticket)


def _render_ticket(request: HttpRequest, ticket: Ticket, **forms: Any) -> HttpResponse:
    messages_ = messages_visible_to(request.user, ticket).select_related(
        "author_user", "author_contact"
    )
    attachments = list(attachments_visible_to(request.user, ticket))
    by_message: dict[int | None, list[Any]] = {}
    for attachment in attachments:
        by_message.setdefault(attachment.message_id, []).append(attachment)
    conversation = [(message, by_message.get(message.pk, [])) for message in messages_]
    history = list(customer_history(request.user, ticket).select_related("actor"))
    files = display.attachments_by_event(history, attachments)
    offered = ticket.status == Status.SOLUTION_OFFERED
    context = {
        "ticket": ticket,
        "conversation": conversation,
        "loose_attachments": by_message.get(None, []),
        "history": [(event, files.get(event.pk)) for event in history],
        "clocks": promised_clocks(ticket),
        "priority_differs": bool(ticket.requested_priority)
        and ticket.requested_priority != ticket.priority,
        "can_confirm": offered and _may_move(request, ticket, Status.CLOSED),
        "solution": offered_solution(request.user, ticket) if offered else "",
        "can_reopen": ticket.status == Status.CLOSED
        and _may_move(request, ticket, Status.REOPENED),
        # A solution on offer is confirmed or rejected, not closed apart.
        "can_close": not offered and _may_move(request, ticket, Status.CLOSED),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "close_form": forms.get("close_form") or CloseForm(),
    }
    return render(request, "portal/ticket.html", context)


@login_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    """Add the customer's reply, with attachments, to the conversation."""
    contact = portal_contact(request)
    ticket = visible_ticket(request, number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = customer_reply_submit(
                ticket=ticket,
                user=portal_user(request),
                contact=contact,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"file": "attachments"})
        else:
            if result.ticket.pk != ticket.pk:
                messages.success(
                    request,
                    _("Your reply became a new ticket, %(number)s.")
                    % {"number": result.ticket.number},
                )
            else:
                messages.success(request, _("Your reply was added."))
            return redirect("portal:ticket", number=result.ticket.number)
    return _render_ticket(request, ticket, reply_form=form)


def _may_move(request: HttpRequest, ticket: Ticket, target: Status) -> bool:
    """Return whether the policy lets the customer move the ticket to the status now."""
    allowed = policy.allows(request.user, policy.Action.TRANSITION, ticket=ticket, to=target)
    return allowed and workflow.refusal(ticket.status, target, ticket.kind) is None


def _move(
    request: HttpRequest, ticket: Ticket, target: Status, note: str, form_name: str, form: Any
) -> HttpResponse:
    if not _may_move(request, ticket, target):
        status = ticket.get_status_display().lower()
        form.add_error(
            None, _("This is not possible while the ticket is %(status)s.") % {"status": status}
        )
        return _render_ticket(request, ticket, **{form_name: form})
    try:
        services.ticket_transition(
            ticket=ticket, actor=portal_user(request), status=target, note=note
        )
    except ValidationError as error:
        add_service_errors(form, error, {"note": "reason" if "reason" in form.fields else ""})
        return _render_ticket(request, ticket, **{form_name: form})
    return redirect("portal:ticket", number=ticket.number)


@login_required
@require_POST
def confirm(request: HttpRequest, number: str) -> HttpResponse:
    """The customer confirms the offered solution: the ticket closes."""
    portal_contact(request)
    ticket = visible_ticket(request, number)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _render_ticket(request, ticket, confirm_form=form)
    note = _("The customer confirmed the solution.")
    if form.cleaned_data["comment"]:
        note = f"{note}\n{form.cleaned_data['comment']}"
    response = _move(request, ticket, Status.CLOSED, note, "confirm_form", form)
    if response.status_code == 302:
        messages.success(request, _("Thank you. The ticket is closed."))
    return response


@login_required
@require_POST
def reopen(request: HttpRequest, number: str) -> HttpResponse:
    """The customer says the problem is not solved: the ticket reopens with the reason."""
    portal_contact(request)
    ticket = visible_ticket(request, number)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _render_ticket(request, ticket, reopen_form=form)
    response = _move(
        request, ticket, Status.REOPENED, form.cleaned_data["reason"], "reopen_form", form
    )
    if response.status_code == 302:
        messages.success(request, _("The ticket is open again. We will look at it."))
    return response


@login_required
@require_POST
def close(request: HttpRequest, number: str) -> HttpResponse:
    """The customer closes their ticket: it is no longer needed."""
    portal_contact(request)
    ticket = visible_ticket(request, number)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _render_ticket(request, ticket, close_form=form)
    note = form.cleaned_data["reason"] or _("Closed by the customer.")
    response = _move(request, ticket, Status.CLOSED, note, "close_form", form)
    if response.status_code == 302:
        messages.success(request, _("The ticket is closed."))
    return response


@login_required
def attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    """Download an attachment the customer may see."""
    portal_contact(request)
    ticket = visible_ticket(request, number)
    return attachment_response(request.user, ticket, attachment_id)
