"""Routes of the REST API, version 1."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
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

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="openapi"), name="api-docs"),
    path("", include(router.urls)),
]
