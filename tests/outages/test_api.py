"""The outage API: who sees which notice, updates, linked tickets, refusals, schema."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from servicedesk.outages import services
from servicedesk.outages.models import Outage, OutageState, OutageTicket
from tests.conftest import client_for
from tests.factories import make_ticket
from tests.outages.factories import World, publish, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> World:
    return world()


@pytest.fixture
def outage(w: World) -> Outage:
    return publish(w)


def api(user: Any) -> APIClient:
    return client_for(user)


def test_it_lists_only_the_notices_about_a_customers_products(w: World, outage: Outage) -> None:
    other = publish(w, title="Clocking fails", products=[w.other])
    ids_a = [o["id"] for o in api(w.user_a.user).get("/api/v1/outages/").json()["results"]]
    ids_b = [o["id"] for o in api(w.user_b.user).get("/api/v1/outages/").json()["results"]]
    ids_c = [o["id"] for o in api(w.cpc_c.user).get("/api/v1/outages/").json()["results"]]
    assert ids_a == [outage.pk]
    assert sorted(ids_b) == sorted([outage.pk, other.pk])
    assert ids_c == [other.pk]
    assert api(w.cpc_c.user).get(f"/api/v1/outages/{outage.pk}/").status_code == 404
    assert api(w.cpc_c.user).get(f"/api/v1/outages/{outage.pk}/updates/").status_code == 404
    assert api(w.cpc_c.user).get(f"/api/v1/outages/{outage.pk}/tickets/").status_code == 404


def test_it_hides_internal_fields_from_customers(w: World, outage: Outage) -> None:
    body = api(w.user_a.user).get(f"/api/v1/outages/{outage.pk}/").json()
    assert body["manager"] is None and body["cadence_seconds"] is None
    assert body["products"] == [{"id": w.payroll.pk, "name": "Payroll"}]
    staff = api(w.agent).get(f"/api/v1/outages/{outage.pk}/").json()
    assert staff["manager"]["id"] == w.lead.pk and staff["cadence_seconds"] == 7200
    services.outage_edit(actor=w.lead, outage=outage, symptoms="Payslips are empty.")
    updates = api(w.user_a.user).get(f"/api/v1/outages/{outage.pk}/updates/").json()
    assert [u["public"] for u in updates] == [True]  # the internal record is left out
    assert updates[0]["late"] is None
    assert len(api(w.agent).get(f"/api/v1/outages/{outage.pk}/updates/").json()) == 2


def test_it_never_reveals_another_organisations_tickets(w: World, outage: Outage) -> None:
    mine = make_ticket(requester=w.user_a, product=w.payroll)
    colleagues = make_ticket(requester=w.cpc_a, product=w.payroll)
    theirs = make_ticket(requester=w.user_b, product=w.payroll)
    services.outage_tickets_link(actor=w.agent, outage=outage, tickets=[mine, colleagues, theirs])

    def numbers(user: Any) -> list[str]:
        response = api(user).get(f"/api/v1/outages/{outage.pk}/tickets/")
        assert response.status_code == 200
        return sorted(t["number"] for t in response.json())

    assert numbers(w.agent) == sorted([mine.number, colleagues.number, theirs.number])
    assert numbers(w.cpc_a.user) == sorted([mine.number, colleagues.number])  # the CPC: A's
    assert numbers(w.user_a.user) == [mine.number]  # a contact: their own
    assert numbers(w.user_b.user) == [theirs.number]
    # Nor by attaching: another organisation's ticket does not exist for the customer.
    response = api(w.user_a.user).post(
        f"/api/v1/outages/{outage.pk}/attach/", {"ticket": theirs.number}, format="json"
    )
    assert response.status_code == 400 and "ticket" in response.json()


def test_it_publishes_for_the_raci_roles_only(w: World) -> None:
    body = {
        "title": "Login fails",
        "products": [w.payroll.pk],
        "started_at": "2026-03-02T09:00:00Z",
        "symptoms": "The login page shows an error.",
        "manager": w.lead.pk,
        "cadence_seconds": 3600,
    }
    assert api(w.agent).post("/api/v1/outages/", body, format="json").status_code == 403
    assert api(w.user_a.user).post("/api/v1/outages/", body, format="json").status_code == 403
    response = api(w.lead).post("/api/v1/outages/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "investigating"
    assert response.json()["cadence_seconds"] == 3600
    too_slow = {**body, "cadence_seconds": 25 * 3600}
    refused = api(w.lead).post("/api/v1/outages/", too_slow, format="json")
    assert refused.status_code == 400 and "cadence_seconds" in refused.json()


def test_it_posts_updates_and_asks_the_cause_of_a_resolution(w: World, outage: Outage) -> None:
    url = f"/api/v1/outages/{outage.pk}/updates/"
    refused = api(w.lead).post(url, {"text": "Fixed.", "state": "resolved"}, format="json")
    assert refused.status_code == 400 and "cause" in refused.json()
    assert (
        api(w.agent).post(url, {"text": "x", "state": "identified"}, format="json").status_code
        == 403
    )
    response = api(w.lead).post(
        url, {"text": "Fixed.", "state": "resolved", "cause": "A wrong setting."}, format="json"
    )
    assert response.status_code == 201
    outage.refresh_from_db()
    assert outage.state == OutageState.RESOLVED and outage.cause == "A wrong setting."


def test_it_links_tickets_for_staff_and_refuses_customers(w: World, outage: Outage) -> None:
    tickets = [make_ticket(requester=w.user_a, product=w.payroll) for _ in range(3)]
    url = f"/api/v1/outages/{outage.pk}/tickets/"
    numbers = [t.number for t in tickets]
    assert api(w.user_a.user).post(url, {"tickets": numbers}, format="json").status_code == 400
    response = api(w.agent).post(url, {"tickets": numbers}, format="json")
    assert response.status_code == 200 and response.json() == {"linked": 3}
    again = api(w.agent).post(url, {"tickets": numbers}, format="json")
    assert again.json() == {"linked": 0}
    unknown = api(w.agent).post(url, {"tickets": ["SD-999999"]}, format="json")
    assert unknown.status_code == 400 and "tickets" in unknown.json()


def test_it_lets_a_customer_attach_their_report(w: World, outage: Outage) -> None:
    ticket = make_ticket(requester=w.user_a, product=w.payroll)
    url = f"/api/v1/outages/{outage.pk}/attach/"
    response = api(w.user_a.user).post(url, {"ticket": ticket.number}, format="json")
    assert response.status_code == 200 and response.json() == {"linked": True}
    assert OutageTicket.objects.filter(outage=outage, ticket=ticket).exists()
    other_product = make_ticket(requester=w.user_a, product=None)
    refused = api(w.user_a.user).post(url, {"ticket": other_product.number}, format="json")
    assert refused.status_code == 400 and "outage" in refused.json()


def test_it_lists_notices_in_a_constant_number_of_queries(w: World) -> None:
    def count() -> int:
        client = api(w.user_b.user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/outages/").status_code == 200
        return len(queries)

    publish(w)
    few = count()
    for n in range(5):
        publish(w, title=f"Outage {n}", products=[w.payroll, w.other])
    assert count() == few


def test_it_reports_outages_per_product(w: World) -> None:
    started = datetime.datetime(2026, 2, 2, 9, 0, tzinfo=datetime.UTC)
    outage = publish(w, started_at=started)
    services.outage_tickets_link(
        actor=w.agent,
        outage=outage,
        tickets=[make_ticket(requester=w.user_a, product=w.payroll)],
    )
    body = api(w.lead).get("/api/v1/reports/outages/", {"from": "2026-01-01", "to": "2026-12-31"})
    assert body.status_code == 200, body.json()
    (row,) = body.json()["rows"]
    assert row["product"]["name"] == "Payroll" and row["outages"] == 1
    assert row["linked_tickets"] == 1
    bad = api(w.lead).get("/api/v1/reports/outages/", {"from": "2026-05-01", "to": "2026-01-01"})
    assert bad.status_code == 400 and "to" in bad.json()
    theirs = api(w.cpc_c.user).get("/api/v1/reports/outages/", {"from": "2026-01-01"}).json()
    assert theirs["rows"] == [] and theirs["outages"] == []


def test_it_documents_the_outage_endpoints(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/outages/"])
    assert {"get", "post"} <= set(paths["/api/v1/outages/{id}/updates/"])
    assert {"get", "post"} <= set(paths["/api/v1/outages/{id}/tickets/"])
    assert "post" in paths["/api/v1/outages/{id}/attach/"]
    assert "get" in paths["/api/v1/reports/outages/"]
