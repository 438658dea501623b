"""The desk's ticket page and its actions. Each action parses a form, calls a service and
redirects back; on an error the page is shown again with the form's messages. The form
that edits what the ticket is posts by HTMX and gets just its region back (with the page
head and the timeline, swapped out of band)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.desk.access import desk_agent, desk_ticket
from servicedesk.desk.actions import reply_submit, ticket_split, ticket_take
from servicedesk.desk.canned import CANNED
from servicedesk.desk.forms import (
    AssignForm,
    CallForm,
    EditForm,
    LinkForm,
    MessageForm,
    PriorityForm,
    SplitForm,
    StatusForm,
)
from servicedesk.desk.timeline import missing_information, sla_badges, timeline
from servicedesk.tickets import policy, services
from servicedesk.tickets.downloads import attachment_response
from servicedesk.tickets.models import Status, Ticket, Visibility
from servicedesk.tickets.selectors import attachments_visible_to, tickets_visible_to
from servicedesk.tickets.services.calls import ticket_log_call
from servicedesk.ui.forms import add_service_errors
from servicedesk.ui.htmx import htmx_target

TIMELINE_TARGET = "timeline"
EDIT_TARGET = "edit"


@login_required
def ticket_page(request: HttpRequest, number: str) -> HttpResponse:
    """The ticket: header, SLA badges, one timeline, and the forms of every action.

    An HTMX refresh of the timeline gets just that region."""
    desk_agent(request)
    ticket = desk_ticket(request, number)
    if htmx_target(request) == TIMELINE_TARGET:
        context = {"ticket": ticket, "timeline": timeline(request.user, ticket)}
        return render(request, "desk/ticket.html#timeline", context)
    return _render(request, ticket)


def _render(request: HttpRequest, ticket: Ticket, **forms: Form) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "ticket": ticket,
        "timeline": timeline(user, ticket),
        "report_files": attachments_visible_to(user, ticket).filter(message__isnull=True),
        "badges": sla_badges(ticket, now=timezone.now()),
        "missing": missing_information(ticket),
        "links_out": ticket.links_out.select_related("target"),
        "links_in": ticket.links_in.select_related("source"),
        "canned": CANNED,
        "may_edit": _may_edit(user, ticket),
        "may_log_call": policy.allows(user, policy.Action.LOG_CALL, ticket=ticket),
        "edit_form": forms.get("edit_form") or EditForm(ticket=ticket),
        "call_form": forms.get("call_form") or CallForm(ticket=ticket),
        "message_form": forms.get("message_form") or MessageForm(),
        "status_form": forms.get("status_form") or StatusForm(ticket=ticket),
        "priority_form": forms.get("priority_form") or PriorityForm(ticket=ticket),
        "assign_form": forms.get("assign_form")
        or AssignForm(
            initial={
                "assignee": ticket.assignee_id,
                "team": ticket.team_id,
                "support_line": ticket.support_line,
            }
        ),
        "link_form": forms.get("link_form") or LinkForm(),
        "split_form": forms.get("split_form") or SplitForm(),
        "errors": bool(forms),
    }
    return render(request, "desk/ticket.html", context)


def _may_edit(user: policy.AnyUser, ticket: Ticket) -> bool:
    return policy.allows(user, policy.Action.UPDATE, ticket=ticket, fields=EditForm.base_fields)


def _done(request: HttpRequest, ticket: Ticket, text: str, anchor: str = "") -> HttpResponse:
    messages.success(request, text)
    url = redirect("desk:ticket", number=ticket.number).url
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_POST
def message(request: HttpRequest, number: str) -> HttpResponse:
    """Send a reply to the customer or add an internal note, with attachments."""
    agent = desk_agent(request)
    ticket = desk_ticket(request, number)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            reply_submit(
                ticket=ticket,
                user=agent,
                body=data["body"],
                files=data["attachments"],
                visibility=data["visibility"],
                workaround=data["workaround"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"file": "attachments"})
        else:
            internal = data["visibility"] == Visibility.INTERNAL
            return _done(
                request, ticket, _("Note added.") if internal else _("Reply sent."), "timeline"
            )
    return _render(request, ticket, message_form=form)


@login_required
@require_POST
def call(request: HttpRequest, number: str) -> HttpResponse:
    """Log a phone call about the ticket: who called and what was said."""
    agent = desk_agent(request)
    ticket = desk_ticket(request, number)
    form = CallForm(request.POST, ticket=ticket)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket_log_call(
                actor=agent,
                caller=data["caller"],
                summary=data["summary"],
                visibility=data["visibility"],
                ticket=ticket,
            )
        except ValidationError as error:
            add_service_errors(form, error, {"body": "summary"})
        else:
            return _done(request, ticket, _("Call logged."), "timeline")
    return _render(request, ticket, call_form=form)


@login_required
@require_POST
def edit(request: HttpRequest, number: str) -> HttpResponse:
    """Change what the ticket is: title, kind, product. Each change is an event.

    Posted by HTMX, the answer is the form's region, with the page head and the timeline
    swapped out of band; without HTMX, the page."""
    agent = desk_agent(request)
    ticket = desk_ticket(request, number)
    form = EditForm(request.POST, ticket=ticket)
    saved = False
    if form.is_valid():
        try:
            services.ticket_update(ticket=ticket, actor=agent, changes=form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            saved = True
    if htmx_target(request) == EDIT_TARGET:
        context = {
            "ticket": ticket,
            "may_edit": _may_edit(agent, ticket),
            "edit_form": EditForm(ticket=ticket) if saved else form,
            "edit_saved": saved,
            "timeline": timeline(agent, ticket),
            "oob": saved,
        }
        return render(request, "desk/ticket.html#edit", context)
    if saved:
        return _done(request, ticket, _("Ticket changed."))
    return _render(request, ticket, edit_form=form)


@login_required
@require_POST
def take(request: HttpRequest, number: str) -> HttpResponse:
    """Assign the ticket to oneself and start work on it."""
    agent = desk_agent(request)
    ticket = desk_ticket(request, number)
    try:
        ticket_take(ticket=ticket, agent=agent)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("desk:ticket", number=ticket.number)
    return _done(request, ticket, _("You took this ticket."))


@login_required
@require_POST
def status(request: HttpRequest, number: str) -> HttpResponse:
    """Move the ticket to another status with the data that status needs."""
    agent = desk_agent(request)
    ticket = desk_ticket(request, number)
    form = StatusForm(request.POST, ticket=ticket)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ticket_transition(
                ticket=ticket,
                actor=agent,
                status=data["status"],
                note=data["note"],
                supplier=data["supplier"],
                supplier_reference=data["supplier_reference"],
                outcome=data["outcome"] if data["status"] == Status.CLOSED else "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(
                request,
                ticket,
                _("Status changed to %(status)s.") % {"status": ticket.get_status_display()},
            )
    return _render(request, ticket, status_form=form)


@login_required
@require_POST
def priority(request: HttpRequest, number: str) -> HttpResponse:
    """Change the priority, with the justification when it differs from the request."""
    agent = desk_agent(request)
    ticket = desk_ticket(request, number)
    form = PriorityForm(request.POST, ticket=ticket)
    if form.is_valid():
        try:
            services.ticket_change_priority(
                ticket=ticket,
                actor=agent,
                priority=form.cleaned_data["priority"],
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            add_service_errors(form, error, {"priority_justification": "justification"})
        else:
            return _done(request, ticket, _("Priority changed."))
    return _render(request, ticket, priority_form=form)


@login_required
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponse:
    """Assign the ticket to an agent, a team and/or a support line."""
    agent = desk_agent(request)
    ticket = desk_ticket(request, number)
    form = AssignForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ticket_assign(
                ticket=ticket,
                actor=agent,
                assignee=data["assignee"],
                team=data["team"],
                support_line=data["support_line"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, ticket, _("Assignment saved."))
    return _render(request, ticket, assign_form=form)


@login_required
@require_POST
def link(request: HttpRequest, number: str) -> HttpResponse:
    """Link the ticket as a duplicate of, or related to, another ticket."""
    agent = desk_agent(request)
    ticket = desk_ticket(request, number)
    form = LinkForm(request.POST)
    if form.is_valid():
        target = (
            tickets_visible_to(agent)
            .filter(number=form.cleaned_data["target"].strip().upper())
            .first()
        )
        try:
            if target is None:
                raise ValidationError({"target": [_("No ticket with this number.")]})
            services.ticket_link(
                ticket=ticket, target=target, kind=form.cleaned_data["kind"], actor=agent
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, ticket, _("Link saved."))
    return _render(request, ticket, link_form=form)


@login_required
@require_POST
def split(request: HttpRequest, number: str) -> HttpResponse:
    """Split a new question off into a new ticket for the same requester."""
    agent = desk_agent(request)
    ticket = desk_ticket(request, number)
    form = SplitForm(request.POST)
    if form.is_valid():
        try:
            new = ticket_split(
                ticket=ticket,
                agent=agent,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Ticket %(number)s was split off.") % {"number": new.number}
            )
            return redirect("desk:ticket", number=new.number)
    return _render(request, ticket, split_form=form)


@login_required
def attachment(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    """Download any attachment of the ticket."""
    desk_agent(request)
    ticket = desk_ticket(request, number)
    return attachment_response(request.user, ticket, attachment_id)
