"""The change pages: the desk's decisions (POST from the ticket page's Change panel) and the
portal's proposals (a list, one proposal, the answer). Views parse, call, render."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.models import User
from servicedesk.changes import forms, selectors, services
from servicedesk.changes.models import Proposal
from servicedesk.changes.policy import NotFound, may_decide
from servicedesk.desk.access import desk_agent
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import contact_of
from servicedesk.tickets.selectors import tickets_visible_to

PAGE_SIZE = 50


def _customer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or contact_of(user) is None:
        raise PermissionDenied
    return user


def _desk_ticket(request: HttpRequest, number: str) -> Ticket:
    try:
        return (
            tickets_visible_to(request.user).select_related("contract").get(number=number.upper())
        )
    except Ticket.DoesNotExist:
        raise Http404 from None


def _back(ticket: Ticket) -> HttpResponseRedirect:
    return redirect(reverse("desk:ticket", args=[ticket.number]) + "#change")


def _refused(request: HttpRequest, error: ValidationError) -> None:
    if isinstance(error, NotFound):
        raise Http404
    for text in error.messages:
        messages.error(request, text)


def _attempt(
    request: HttpRequest, ticket: Ticket, call: Callable[[], object], *, done: str
) -> HttpResponse:
    """Call the service; say `done`, or why it refused; back to the ticket's Change panel."""
    try:
        call()
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
    return _back(ticket)


@login_required
@require_POST
def desk_park(request: HttpRequest, number: str) -> HttpResponse:
    """Park the ticket as a change request awaiting a decision."""
    user = desk_agent(request)
    ticket = _desk_ticket(request, number)
    form = forms.ParkForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    return _attempt(
        request,
        ticket,
        lambda: services.change_park(ticket=ticket, actor=user, note=note),
        done=_("Parked: the change request awaits a decision."),
    )


@login_required
@require_POST
def desk_decide(request: HttpRequest, number: str) -> HttpResponse:
    """Reject the change request or take it into the roadmap."""
    user = desk_agent(request)
    ticket = _desk_ticket(request, number)
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return _back(ticket)
    data = form.cleaned_data
    return _attempt(
        request,
        ticket,
        lambda: services.change_decide(
            ticket=ticket, actor=user, decision=data["decision"], note=data["note"]
        ),
        done=_("The decision is recorded."),
    )


@login_required
@require_POST
def desk_propose(request: HttpRequest, number: str) -> HttpResponse:
    """Write (or revise) the proposal and send it to the customer."""
    user = desk_agent(request)
    ticket = _desk_ticket(request, number)
    form = forms.ProposalForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(str(error) for error in errors)
            messages.error(request, f"{label}: {text}" if label else text)
        return _back(ticket)
    data = form.cleaned_data
    return _attempt(
        request,
        ticket,
        lambda: services.proposal_create(
            ticket=ticket,
            actor=user,
            scope=data["scope"],
            approach=data["approach"],
            impact=data["impact"],
            estimate_hours=data["estimate_hours"],
            pricing=data["pricing"],
            fixed_price=data["fixed_price"],
            window_start=data["window_start"],
            window_end=data["window_end"],
            internal_note=data["internal_note"],
        ),
        done=_("The proposal is sent to the customer."),
    )


@login_required
@require_POST
def desk_plan(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """Plan the accepted proposal: dates and consultant."""
    user = desk_agent(request)
    ticket = _desk_ticket(request, number)
    proposal = Proposal.objects.filter(ticket=ticket, pk=pk).select_related("ticket").first()
    if proposal is None:
        raise Http404
    form = forms.PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the planned start, end and consultant."))
        return _back(ticket)
    data = form.cleaned_data
    return _attempt(
        request,
        ticket,
        lambda: services.proposal_plan(
            proposal=proposal,
            actor=user,
            planned_start=data["planned_start"],
            planned_end=data["planned_end"],
            consultant=data["consultant"],
        ),
        done=_("The change is planned; the customer is told."),
    )


@login_required
@require_POST
def desk_release(request: HttpRequest, number: str) -> HttpResponse:
    """Release the change: the customer is told and the ticket closes."""
    user = desk_agent(request)
    ticket = _desk_ticket(request, number)
    form = forms.ReleaseForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    return _attempt(
        request,
        ticket,
        lambda: services.change_release(ticket=ticket, actor=user, note=note),
        done=_("The change is released and the ticket closed."),
    )


# ----------------------------------------------------------------------------- the portal


@login_required
def portal_proposals(request: HttpRequest) -> HttpResponse:
    """The organisation's proposals the customer may see, pending ones first."""
    user = _customer(request)
    proposals = list(selectors.proposals_visible_to(user)[:PAGE_SIZE])
    proposals.sort(key=lambda proposal: not proposal.is_pending)
    return render(request, "changes/portal_proposals.html", {"proposals": proposals})


def _visible(request: HttpRequest, pk: int) -> Proposal:
    try:
        return selectors.proposal_get(request.user, pk)
    except Proposal.DoesNotExist:
        raise Http404 from None


@login_required
def portal_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """One proposal with its answer form (for those who may answer)."""
    user = _customer(request)
    proposal = _visible(request, pk)
    context = {
        "proposal": proposal,
        "ticket": proposal.ticket,
        "may_decide": proposal.is_pending and may_decide(user, proposal.ticket),
        "sees_ticket": tickets_visible_to(user).filter(pk=proposal.ticket_id).exists(),
        "form": forms.AnswerForm(),
    }
    return render(request, "changes/portal_proposal.html", context)


@login_required
@require_POST
def proposal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or reject the proposal, with a comment."""
    user = _customer(request)
    proposal = _visible(request, pk)
    form = forms.AnswerForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, {request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    back = back or reverse("changes:portal-proposal", args=[proposal.pk])
    if not form.is_valid():
        messages.error(request, _("Accept or reject the proposal."))
        return redirect(back)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        services.proposal_answer(
            proposal=proposal, actor=user, accept=accept, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Thank you: you accepted the proposal. We will plan the change.")
            if accept
            else _("Thank you: you rejected the proposal. We have closed the request."),
        )
    return redirect(back)
