"""Agent desk pages: queues with counts, filters, saved views and bulk actions; phone calls."""

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags, quote_etag, url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicedesk.accounts.models import Team, User
from servicedesk.catalog.models import ProductGroup
from servicedesk.desk.access import desk_agent
from servicedesk.desk.actions import bulk_apply
from servicedesk.desk.forms import BulkForm, PhoneTicketForm, QueueFilterForm, SavedViewForm
from servicedesk.desk.models import SavedView
from servicedesk.desk.queues import QUEUES, desk_counts, queue_tickets
from servicedesk.tickets.models import Kind, Ticket
from servicedesk.tickets.selectors import tickets_visible_to
from servicedesk.tickets.services.calls import CallTicketIn, ticket_log_call
from servicedesk.ui import display
from servicedesk.ui.forms import add_service_errors
from servicedesk.ui.htmx import htmx_target
from servicedesk.ui.paging import window

PAGE_SIZE = 50
REFRESH_TARGET = "queue-region"


@login_required
def queue(request: HttpRequest, queue: str) -> HttpResponse:
    """A queue of tickets; an HTMX refresh returns just its rows and the counts."""
    agent = desk_agent(request)
    if queue not in QUEUES:
        raise Http404
    filters = QueueFilterForm(request.GET or None)
    tickets = filters.apply(queue_tickets(agent, QUEUES[queue]))
    page = window(tickets, PAGE_SIZE, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = desk_counts(agent)
    context: dict[str, Any] = {
        "queue": QUEUES[queue],
        "counts": counts.queues,
        "nav_queues": [(q, counts.queues.get(q.key)) for q in QUEUES.values()],
        "nav_teams": [(team, counts.by_team.get(team.pk, 0)) for team in Team.objects.all()],
        "nav_groups": [(g, counts.by_group.get(g.pk, 0)) for g in ProductGroup.objects.all()],
        "saved_views": list(SavedView.objects.filter(user=agent)),
        "filters": filters,
        "filtered": bool(query),
        "query": query.urlencode(),
        "page": page,
        "bulk_form": BulkForm(initial={"next": request.get_full_path()}, tickets=page.object_list),
        "save_form": SavedViewForm(initial={"queue": queue, "query": query.urlencode()}),
    }
    if htmx_target(request) == REFRESH_TARGET:
        return _refresh(request, context)
    return render(request, "desk/queue.html", context)


def _refresh(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The queue's rows and counts for the 30-second refresh, or 304 Not Modified when
    nothing they show has changed since the browser's copy (its ETag), which spares
    rendering them: most refreshes of an open tab find nothing new."""
    etag = quote_etag(_refresh_state(context))
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = render(request, "desk/queue.html#refresh", {**context, "oob": True})
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _refresh_state(context: dict[str, Any]) -> str:
    """A digest of everything the refresh shows: the rows (a change to a ticket moves its
    `updated_at`), the counts and menu, the language, time zone and minute (due times are
    shown relative to now)."""
    now = timezone.localtime()
    page = context["page"]
    state = (
        get_language(),
        str(now.tzinfo),
        now.strftime("%Y-%m-%d %H:%M"),
        sorted(context["counts"].items()),
        [(team.pk, team.name, n) for team, n in context["nav_teams"]],
        [(group.pk, group.name, n) for group, n in context["nav_groups"]],
        [(view.pk, view.name, view.queue, view.query) for view in context["saved_views"]],
        page.number,
        page.has_next,
        [(ticket.pk, ticket.updated_at, ticket.sla_due_at) for ticket in page.object_list],
    )
    return hashlib.sha256(repr(state).encode()).hexdigest()[:32]


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action (assign, change status, add a note) to the selected tickets and say,
    per ticket, what was done or why it was refused."""
    agent = desk_agent(request)
    tickets = list(
        tickets_visible_to(agent)
        .filter(number__in=request.POST.getlist("tickets"))
        .order_by("number")
    )
    form = BulkForm(request.POST, tickets=tickets)
    back = _back(request, reverse("desk:queue", args=["open"]))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else str(error))
        return redirect(back)
    data = form.cleaned_data
    chosen = set(data["tickets"])
    result = bulk_apply(
        tickets=[ticket for ticket in tickets if ticket.number in chosen],
        agent=agent,
        action=data["action"],
        assignee=data.get("assignee"),
        status=data.get("status") or "",
        note=data.get("note") or "",
        outcome=data.get("outcome") or "",
        supplier=data.get("supplier"),
        supplier_reference=data.get("supplier_reference") or "",
    )
    done = _bulk_done_text(data)
    for number in result.done:
        messages.success(request, f"{number}: {done}")
    for number, reason in result.failed:
        messages.error(
            request, _("%(number)s: not changed: %(reason)s") % {"number": number, "reason": reason}
        )
    return redirect(back)


def _bulk_done_text(data: dict[str, Any]) -> str:
    if data["action"] == "assign":
        agent = data["assignee"]
        return _("assigned to %(name)s.") % {"name": agent.get_full_name() or agent.username}
    if data["action"] == "status":
        return _("status changed to %(status)s.") % {"status": display.status_label(data["status"])}
    return _("internal note added.")


@login_required
@require_POST
def view_save(request: HttpRequest) -> HttpResponse:
    """Save the current queue and filters under a name."""
    agent = desk_agent(request)
    form = SavedViewForm(request.POST)
    if not form.is_valid() or form.cleaned_data["queue"] not in QUEUES:
        messages.error(request, _("Give the view a name."))
        return redirect(_back(request, reverse("desk:queue", args=["mine"])))
    data = form.cleaned_data
    try:
        with transaction.atomic():
            SavedView.objects.create(
                user=agent, name=data["name"], queue=data["queue"], query=data["query"]
            )
    except IntegrityError:
        messages.error(request, _("You already have a view with this name."))
    else:
        messages.success(request, _("View saved."))
    url = reverse("desk:queue", args=[data["queue"]])
    return redirect(f"{url}?{data['query']}" if data["query"] else url)


@login_required
@require_POST
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the agent's own saved views."""
    agent = desk_agent(request)
    get_object_or_404(SavedView, pk=pk, user=agent).delete()
    messages.success(request, _("View deleted."))
    return redirect(_back(request, reverse("desk:queue", args=["mine"])))


@login_required
def phone(request: HttpRequest) -> HttpResponse:
    """Log a phone call: on an existing ticket, or as a new ticket of the caller."""
    agent = desk_agent(request)
    form = PhoneTicketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = _existing(agent, data["ticket"])
            new = None
            if ticket is None:
                new = CallTicketIn(
                    title=data["title"],
                    kind=data["kind"] or Kind.INCIDENT,
                    product=data["product"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                )
            call = ticket_log_call(
                actor=agent,
                caller=data["caller"],
                summary=data["summary"],
                visibility=data["visibility"],
                ticket=ticket,
                new=new,
            )
        except ValidationError as error:
            add_service_errors(
                form, error, {"requester": "caller", "description": "summary", "body": "summary"}
            )
        else:
            if call.created:
                text = _("Ticket %(number)s created.")
            else:
                text = _("The call was added to %(number)s.")
            messages.success(request, text % {"number": call.ticket.number})
            return redirect("desk:ticket", number=call.ticket.number)
    return render(request, "desk/phone.html", {"form": form})


def _existing(agent: User, number: str) -> Ticket | None:
    """Return the ticket a number names (None for no number); refuse an unknown number."""
    number = number.strip().upper()
    if not number:
        return None
    ticket = tickets_visible_to(agent).filter(number=number).first()
    if ticket is None:
        raise ValidationError({"ticket": [_("No ticket with this number.")]})
    return ticket
