"""The operational reports in the API (JSON, scoped by who asks, in the OpenAPI schema) and
in the desk (pages and CSV for team leads and service managers)."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from servicedesk.tickets.models import Ticket
from tests.automation.helpers import DAY, at, local
from tests.conftest import client_for
from tests.factories import StaffFactory
from tests.opsreports.conftest import World, ticket_at
from tests.portal.fixtures import login

pytestmark = pytest.mark.django_db

NOW = local(2026, 6, 15, 10, 0)
REPORTS = ("open-tickets", "reaction-times", "stale")


@pytest.fixture
def tickets(world: World) -> World:
    """Two old tickets of Alpha (one with a long title that looks like a formula), one of
    Bravo: all stale by NOW."""
    ticket_at(NOW - 14 * DAY, world.a.requester, product=world.payroll, title="=cmd|' /C calc'!A0")
    ticket_at(NOW - 13 * DAY, world.a.requester, product=world.finance, title="Ledger is slow")
    ticket_at(NOW - 12 * DAY, world.b.requester, product=world.payroll, title="Bravo's secret")
    return world


def get(client: APIClient, report: str, **query: str) -> Any:
    with at(NOW):
        return client.get(f"/api/v1/reports/{report}", query)


def test_the_api_answers_each_report_for_staff(tickets: World) -> None:
    client = client_for(tickets.manager)

    opened = get(client, "open-tickets").json()
    reactions = get(client, "reaction-times").json()
    stale = get(client, "stale").json()

    assert opened["total"] == 3
    assert {(r["group"], r["priority"], r["count"]) for r in opened["rows"]} == {
        ("Payroll", "sev3", 2),
        ("Finance", "sev3", 1),
    }
    payroll = next(r for r in opened["rows"] if r["group"] == "Payroll")
    assert payroll["oldest_age_seconds"] == 14 * 86400
    assert payroll["average_age_seconds"] == 13 * 86400
    assert {r["group"]: r["waiting"] for r in reactions["rows"]} == {"Payroll": 2, "Finance": 1}
    assert stale["count"] == 3
    assert [t["title"] for t in stale["results"]] == [  # longest without an update first
        "=cmd|' /C calc'!A0",
        "Ledger is slow",
        "Bravo's secret",
    ]
    assert all(t["no_update"] and not t["outside_sla"] for t in stale["results"])


@pytest.mark.parametrize("report", REPORTS)
def test_a_central_point_of_contact_gets_only_their_organisation(
    tickets: World, report: str
) -> None:
    client = client_for(tickets.a.cpc.user)

    mine = get(client, report)
    theirs = get(client, report, organisation=str(tickets.b.contract.organisation_id))

    assert mine.status_code == 200, mine.content
    assert "Bravo" not in mine.content.decode()
    assert theirs.status_code == 400
    assert "Bravo" not in theirs.content.decode()
    for internal in ("assignee", "team", tickets.agent.email, tickets.team.name):
        assert internal not in mine.content.decode()


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("who", ["agent", "requester", "anonymous"])
def test_others_get_no_report(tickets: World, report: str, who: str) -> None:
    client = {
        "agent": lambda: client_for(StaffFactory()),
        "requester": lambda: client_for(tickets.a.requester.user),
        "anonymous": APIClient,
    }[who]()

    response = get(client, report)

    assert response.status_code == (401 if who == "anonymous" else 403)
    assert "Alpha" not in response.content.decode()


def test_the_api_refuses_a_filter_that_is_not_an_id(tickets: World) -> None:
    response = get(client_for(tickets.manager), "open-tickets", product_group="payroll")
    assert response.status_code == 400
    assert "product_group" in response.json()


def test_the_schema_documents_the_reports(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path in (*(f"/api/v1/reports/{r}/" for r in REPORTS), "/api/v1/reports/satisfaction/"):
        operation = schema["paths"][path]["get"]
        assert {"200", "400", "401", "403"} <= set(operation["responses"]), path
        assert "organisation" in {p["name"] for p in operation["parameters"]}, path
    stale = schema["paths"]["/api/v1/reports/stale/"]["get"]
    assert {"page", "page_size"} <= {p["name"] for p in stale["parameters"]}
    satisfaction = schema["paths"]["/api/v1/reports/satisfaction/"]["get"]
    assert {"from", "to"} <= {p["name"] for p in satisfaction["parameters"]}


def test_the_stale_list_costs_the_same_with_more_tickets(world: World) -> None:
    client = client_for(world.manager)
    counts = []
    for many in (2, 6):
        while Ticket.objects.count() < many:
            ticket_at(NOW - 10 * DAY, world.a.requester, product=world.payroll)
        with CaptureQueriesContext(connection) as queries:
            assert get(client, "stale").json()["count"] == many
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("name", "shows"),
    [
        ("desk:report-open-tickets", "Ledger"),
        ("desk:report-reaction-times", "Finance"),
        ("desk:report-stale", "Bravo&#x27;s secret"),
    ],
)
def test_the_desk_pages_are_for_team_leads_and_service_managers(
    tickets: World, name: str, shows: str
) -> None:
    url = reverse(name)
    with at(NOW):
        lead = login(tickets.lead).get(url)
        manager = login(tickets.manager).get(url)
        agent = login(tickets.agent).get(url)
        customer = login(tickets.a.cpc.user).get(url)
        anonymous = Client().get(url)

    assert lead.status_code == manager.status_code == 200
    if name != "desk:report-open-tickets":
        assert shows in lead.content.decode()
    assert agent.status_code == 403
    assert customer.status_code == 403
    assert anonymous.status_code == 302


@pytest.mark.parametrize(
    "name", ["desk:report-open-tickets", "desk:report-reaction-times", "desk:report-stale"]
)
def test_each_desk_page_downloads_as_csv(tickets: World, name: str) -> None:
    with at(NOW):
        response = login(tickets.manager).get(reverse(name), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) >= 3  # a header and a row per group or ticket
    assert not any(cell.startswith("=") for line in lines for cell in line.split(","))


def test_the_stale_page_narrows_to_an_organisation_and_refuses_a_bad_filter(
    tickets: World,
) -> None:
    url = reverse("desk:report-stale")
    with at(NOW):
        bravo = login(tickets.lead).get(
            url, {"organisation": str(tickets.b.contract.organisation_id)}
        )
        bad = login(tickets.lead).get(url, {"organisation": "nonsense"})

    assert "Bravo&#x27;s secret" in bravo.content.decode()
    assert "Ledger is slow" not in bravo.content.decode()
    assert bad.status_code == 400


def test_the_queue_menu_offers_the_reports_to_their_readers_only(world: World) -> None:
    url = reverse("desk:queue", args=["open"])
    report = reverse("desk:report-stale")

    assert report in login(world.lead).get(url).content.decode()
    assert report in login(world.manager).get(url).content.decode()
    assert report not in login(world.agent).get(url).content.decode()


@pytest.mark.parametrize("value", ["99999999999999999999999", "-1", "1.5", "%00"])
def test_the_desk_pages_answer_a_nonsense_filter_with_a_400(tickets: World, value: str) -> None:
    for name in ("desk:report-stale", "desk:satisfaction"):
        response = login(tickets.lead).get(reverse(name), {"organisation": value})
        assert response.status_code == 400, (name, value)
