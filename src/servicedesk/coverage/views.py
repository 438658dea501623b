"""The coverage forms: an agent's decision (desk) and the customer's answer (portal).

Each view parses its form, calls one service and redirects back to the ticket's page; on
an error it shows the form again with the service's messages. The desk's panel posts by
HTMX and gets just the panel back. As in the desk and the portal, the desk's forms refuse
anyone but staff and the portal's anyone but a contact (403); a ticket the user may not
see is "not found" (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from servicedesk.accounts.models import User
from servicedesk.coverage import policy
from servicedesk.coverage.forms import AnswerForm, DecisionForm
from servicedesk.coverage.panels import FormFacts, customer_block, desk_panel
from servicedesk.coverage.services import coverage_answer, coverage_decide
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import Refusal
from servicedesk.tickets.selectors import contact_of, is_staff, tickets_visible_to
from servicedesk.ui.forms import add_service_errors
from servicedesk.ui.htmx import is_htmx


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _desk_user(request: HttpRequest) -> User:
    """Return the staff member behind the request: the desk's forms are for staff (403)."""
    user = _user(request)
    if not is_staff(user):
        raise PermissionDenied
    return user


def _portal_user(request: HttpRequest) -> User:
    """Return the contact's login behind the request: the portal's forms are theirs (403)."""
    user = _user(request)
    if contact_of(user) is None:
        raise PermissionDenied
    return user


def _ticket(request: HttpRequest, number: str) -> Ticket:
    """Return the ticket if the user may see it; 404 otherwise (never reveal it exists)."""
    return get_object_or_404(
        tickets_visible_to(request.user).select_related("contract", "requester"),
        number=number.upper(),
    )


def _panel(
    request: HttpRequest,
    ticket: Ticket,
    *,
    form: DecisionForm | None = None,
    facts: FormFacts | None = None,
) -> HttpResponse:
    context = desk_panel(request.user, ticket=ticket, form=form, facts=facts)
    template = "coverage/panel.html" if is_htmx(request) else "coverage/decide.html"
    return render(request, template, context)


@login_required
@require_GET
def suggest(request: HttpRequest, number: str) -> HttpResponse:
    """The desk's panel with the suggestion for the request type and facts in the query."""
    _desk_user(request)
    ticket = _ticket(request, number)
    if not policy.allows(request.user, policy.Action.READ_INTERNAL, ticket=ticket):
        raise PermissionDenied
    return _panel(request, ticket, facts=FormFacts.of_data(request.GET))


@login_required
@require_POST
def decide(request: HttpRequest, number: str) -> HttpResponse:
    """Record an agent's coverage decision; back to the ticket's page in the desk."""
    user = _desk_user(request)
    ticket = _ticket(request, number)
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            coverage_decide(
                ticket=ticket,
                actor=user,
                decision=data["decision"],
                request_type=data["request_type"],
                reason=data["reason"],
                against_specification=data["against_specification"],
                not_as_is=data["not_as_is"],
            )
        except Refusal as error:
            raise PermissionDenied from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Coverage recorded."))
            url = redirect("desk:ticket", number=ticket.number).url
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = f"{url}#coverage"
                return response
            return redirect(f"{url}#coverage")
    return _panel(request, ticket, form=form)


@login_required
@require_POST
def answer(request: HttpRequest, number: str) -> HttpResponse:
    """Take the customer's agreement to, or refusal of, billable work (portal)."""
    user = _portal_user(request)
    ticket = _ticket(request, number)
    form = AnswerForm(request.POST)
    if form.is_valid():
        agree = form.cleaned_data["answer"] == "agree"
        try:
            coverage_answer(
                ticket=ticket, actor=user, agree=agree, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("Thank you: you agreed.") if agree else _("Thank you: you declined.")
            messages.success(request, done)
            return redirect("portal:ticket", number=ticket.number)
    context = {"ticket": ticket, "coverage": customer_block(user, ticket=ticket), "form": form}
    return render(request, "coverage/answer.html", context, status=400)
