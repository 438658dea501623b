"""Routes of the REST API, version 1."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.routers import SimpleRouter

from servicedesk.api.contacts import ContactViewSet
from servicedesk.api.contracts import ContractViewSet
from servicedesk.api.opsreports import OpenTicketsReport, ReactionTimesReport, StaleReport
from servicedesk.api.organisations import OrganisationViewSet
from servicedesk.api.outages import OutageReportView, OutageViewSet
from servicedesk.api.products import ProductViewSet
from servicedesk.api.reports import ComplianceReportView
from servicedesk.api.servicelevels import ServiceLevelViewSet
from servicedesk.api.surveys import SatisfactionReport
from servicedesk.api.tickets import TicketViewSet
from servicedesk.billing.api import BillableReportView, TimeEntriesView
from servicedesk.changes.api import ChangeDecisionView, ProposalViewSet
from servicedesk.coverage.api import AgreementView, CoverageView

# Trailing slashes are optional: /api/v1/tickets/SD-000123 and .../SD-000123/ both work.
router = SimpleRouter()
router.trailing_slash = "/?"
router.register("tickets", TicketViewSet, basename="ticket")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("contacts", ContactViewSet, basename="contact")
router.register("products", ProductViewSet, basename="product")
router.register("contracts", ContractViewSet, basename="contract")
router.register("service-levels", ServiceLevelViewSet, basename="servicelevel")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("outages", OutageViewSet, basename="outage")

# Swagger UI loads its script from our own URL (no inline script), but styles itself inline.
DOCS_CSP: dict[str, Any] = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
docs_view = csp_override(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="openapi"))



@csrf_exempt
def not_found(request: HttpRequest) -> JsonResponse:
    """Answer a path that names no endpoint (contacts/1.5, tickets/%00) in JSON, as the API does."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)


urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", docs_view, name="api-docs"),
    re_path(r"^reports/satisfaction/?$", SatisfactionReport.as_view(), name="report-satisfaction"),
    re_path(r"^reports/open-tickets/?$", OpenTicketsReport.as_view(), name="report-open-tickets"),
    re_path(
        r"^reports/reaction-times/?$", ReactionTimesReport.as_view(), name="report-reaction-times"
    ),
    re_path(r"^reports/stale/?$", StaleReport.as_view(), name="report-stale"),
    re_path(r"^reports/compliance/?$", ComplianceReportView.as_view(), name="report-compliance"),
    re_path(r"^change-decisions/?$", ChangeDecisionView.as_view(), name="change-decision"),
    re_path(
        r"^tickets/(?P<number>[A-Za-z0-9_-]+)/coverage/?$",
        CoverageView.as_view(),
        name="ticket-coverage",
    ),
    re_path(
        r"^tickets/(?P<number>[A-Za-z0-9_-]+)/coverage/agreement/?$",
        AgreementView.as_view(),
        name="ticket-coverage-agreement",
    ),
    re_path(
        r"^tickets/(?P<number>[A-Za-z0-9_-]+)/time-entries/?$",
        TimeEntriesView.as_view(),
        name="ticket-time-entries",
    ),
    re_path(r"^reports/billable/?$", BillableReportView.as_view(), name="report-billable"),
    re_path(r"^reports/outages/?$", OutageReportView.as_view(), name="report-outages"),
    path("", include(router.urls)),
    # Last: what no route above matches would otherwise get the web UI's HTML page.
    re_path(r"", not_found),
]
