"""Who acts is checked with real exceptions, not asserts: those vanish under `python -O`."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.test import APIClient

from servicedesk.api.tickets.views import TicketViewSet
from servicedesk.portal.account_views import preferences


def test_it_acts_for_no_one_without_a_user() -> None:
    view = TicketViewSet()
    view.request = Request(RequestFactory().post("/api/v1/tickets/"))
    view.request.user = AnonymousUser()
    with pytest.raises(NotAuthenticated):
        view._user()


def test_it_saves_preferences_for_no_one_without_a_user() -> None:
    # Signed in as far as login_required can tell, but no account of ours.
    request = RequestFactory().post("/accounts/preferences/", {"language": "nl"})
    request.user = SimpleNamespace(is_authenticated=True)  # type: ignore[assignment]
    with pytest.raises(PermissionDenied):
        preferences(request)


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["organisations", "contacts", "products", "contracts"])
def test_it_asks_anonymous_callers_to_sign_in_before_reading(resource: str) -> None:
    client = APIClient()
    for path in (f"/api/v1/{resource}/", f"/api/v1/{resource}/1/"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"] == "Token"
