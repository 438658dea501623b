"""The desk's dashboard page, and its 30-second refresh.

Who may see it is `access.dashboard_viewer` (team leads, service managers, administrators;
a 403 for agents and customers, the sign-in page for strangers); what it counts is
`selectors.dashboard_figures`.
"""

import hashlib
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from servicedesk.dashboard.access import dashboard_viewer
from servicedesk.dashboard.forms import DashboardFilterForm
from servicedesk.dashboard.selectors import Dashboard, dashboard_figures
from servicedesk.reports.compliance import VERDICT_LABELS
from servicedesk.ui.htmx import htmx_target

REFRESH_TARGET = "dashboard-region"


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard; an HTMX refresh returns just its figures, or 304 when none changed.
    A team that does not exist is a 400, and the page then shows the whole desk."""
    viewer = dashboard_viewer(request.user)
    form = DashboardFilterForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    figures = dashboard_figures(viewer, team_id=form.team_id())
    context: dict[str, Any] = {
        "figures": figures,
        "form": form,
        "team_param": f"team={figures.team_id}" if figures.team_id is not None else "",
        "verdicts": {verdict.value: label for verdict, label in VERDICT_LABELS.items()},
    }
    if status == 200 and htmx_target(request) == REFRESH_TARGET:
        return _refresh(request, figures, context)
    return render(request, "dashboard/dashboard.html", context, status=status)


def _refresh(request: HttpRequest, figures: Dashboard, context: dict[str, Any]) -> HttpResponse:
    """The figures for the 30-second refresh, or 304 Not Modified when nothing they show
    changed since the browser's copy (its ETag), as the queues answer."""
    etag = quote_etag(refresh_state(figures))
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = render(request, "dashboard/dashboard.html#figures", context)
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


def refresh_state(figures: Dashboard) -> str:
    """Return a digest of what the refresh shows: the figures, the language and time zone
    (the minute is not in it: no figure is shown relative to now)."""
    state = (get_language(), str(timezone.get_current_timezone()), figures.state())
    return hashlib.sha256(repr(state).encode()).hexdigest()[:32]
