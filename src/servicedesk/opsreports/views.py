"""The desk's operational report pages, each also a CSV download (`?format=csv`).

For staff who read reports (team leads, service managers, administrators: `report_scope`
decides); other staff get a 403, as customers do for the whole desk.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.core.csvexport import csv_response
from servicedesk.desk.access import desk_agent
from servicedesk.opsreports import selectors
from servicedesk.opsreports.forms import ReportFilterForm
from servicedesk.opsreports.scope import ReportScope, report_scope
from servicedesk.tickets.policy import Refusal
from servicedesk.tickets.selectors import organisations_visible_to
from servicedesk.ui import display
from servicedesk.ui.paging import window

PAGE_SIZE = 50


def _reader(request: HttpRequest) -> tuple[User, ReportFilterForm, ReportScope, int]:
    """Return the reader, the filter form, the scope they chose and the page's status (400
    when a filter is not valid: the report then shows everything the reader may see)."""
    agent = desk_agent(request)
    try:
        report_scope(agent)
    except Refusal as refusal:
        raise PermissionDenied from refusal
    form = ReportFilterForm(request.GET or None, organisations=organisations_visible_to(agent))
    status = 400 if form.is_bound and not form.is_valid() else 200
    return agent, form, report_scope(agent, **form.ids()), status


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


def _csv_wanted(request: HttpRequest, status: int) -> bool:
    return request.GET.get("format") == "csv" and status == 200


def _group(name: str) -> str:
    return name or _("No product group")


@login_required
def open_tickets(request: HttpRequest) -> HttpResponse:
    """Open tickets per product group and priority: how many, the oldest, the average age."""
    _agent, form, scope, status = _reader(request)
    now = timezone.now()
    rows = selectors.open_tickets(scope, now=now)
    if _csv_wanted(request, status):
        header = [_("Product group"), _("Priority"), _("Open"), _("Oldest created")]
        return csv_response(
            "open-tickets.csv",
            [*header, _("Oldest age (hours)"), _("Average age (hours)")],
            (
                (
                    _group(r.group),
                    display.priority_short(r.priority),
                    r.count,
                    r.oldest,
                    now - r.oldest,
                    r.average_age,
                )
                for r in rows
            ),
        )
    context: dict[str, Any] = {
        "form": form,
        "rows": rows,
        "now": now,
        "total": sum(r.count for r in rows),
        "query": _query(request),
    }
    return render(request, "opsreports/open_tickets.html", context, status=status)


@login_required
def reaction_times(request: HttpRequest) -> HttpResponse:
    """The first reactions of open tickets per product group."""
    _agent, form, scope, status = _reader(request)
    now = timezone.now()
    rows = selectors.reaction_times(scope, now=now)
    if _csv_wanted(request, status):
        header = [_("Product group"), _("Open"), _("Reacted to"), _("Average reaction (hours)")]
        return csv_response(
            "reaction-times.csv",
            [*header, _("Longest reaction (hours)"), _("Waiting"), _("Waiting since")],
            (
                (
                    _group(r.group),
                    r.open,
                    r.answered,
                    r.average_reaction,
                    r.longest_reaction,
                    r.waiting,
                    r.oldest_waiting,
                )
                for r in rows
            ),
        )
    context = {"form": form, "rows": rows, "now": now, "query": _query(request)}
    return render(request, "opsreports/reaction_times.html", context, status=status)


@login_required
def stale(request: HttpRequest) -> HttpResponse:
    """The "Stale and breached" queue: open tickets outside their SLA or without an update
    for their contract's working days, longest without an update first."""
    _agent, form, scope, status = _reader(request)
    tickets = selectors.stale_and_breached(scope)
    if _csv_wanted(request, status):
        header = [_("Ticket"), _("Title"), _("Customer"), _("Product group"), _("Priority")]
        return csv_response(
            "stale-and-breached.csv",
            [*header, _("Status"), _("Updated"), _("Outside SLA"), _("No update")],
            (
                (
                    t.number,
                    t.title,
                    t.organisation.name,
                    _group(t.product.group.name if t.product else ""),
                    display.priority_short(t.priority),
                    display.status_label(t.status),
                    t.updated_at,
                    _("yes") if t.is_breached else "",  # type: ignore[attr-defined]
                    _("yes") if t.is_stale else "",  # type: ignore[attr-defined]
                )
                for t in tickets.iterator(chunk_size=500)
            ),
        )
    context = {
        "form": form,
        "counts": selectors.stale_counts(tickets),
        "page": window(tickets, PAGE_SIZE, request.GET.get("page")),
        "query": _query(request),
    }
    return render(request, "opsreports/stale.html", context, status=status)
