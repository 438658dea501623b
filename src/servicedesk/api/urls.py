"""Routes of the REST API, version 1."""

from typing import Any

from django.conf import settings
from django.urls import include, path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from servicedesk.api.contacts import ContactViewSet
from servicedesk.api.contracts import ContractViewSet
from servicedesk.api.organisations import OrganisationViewSet
from servicedesk.api.products import ProductViewSet
from servicedesk.api.tickets import TicketViewSet

# Trailing slashes are optional: /api/v1/tickets/SD-000123 and .../SD-000123/ both work.
router = SimpleRouter()
router.trailing_slash = "/?"
router.register("tickets", TicketViewSet, basename="ticket")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("contacts", ContactViewSet, basename="contact")
router.register("products", ProductViewSet, basename="product")
router.register("contracts", ContractViewSet, basename="contract")

# Swagger UI loads its script from our own URL (no inline script), but styles itself inline.
DOCS_CSP: dict[str, Any] = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
docs_view = csp_override(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="openapi"))

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", docs_view, name="api-docs"),
    path("", include(router.urls)),
]
