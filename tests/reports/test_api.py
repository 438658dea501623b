"""/api/v1/reports/compliance: JSON (and CSV) scoped by who asks, documented in the schema."""

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from servicedesk.accounts.models import Contact, StaffRole, Supplier, User
from servicedesk.contracts.models import Contract
from servicedesk.tickets.models import Ticket
from tests.conftest import client_for
from tests.factories import ContactFactory, TeamFactory
from tests.reports.conftest import Report, ams, reply, to_supplier_and_back, workaround

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/compliance"
MARCH = {"period": "2026-03"}


@pytest.fixture
def tickets(
    p_contract: Contract, saas_contract: Contract, report: Report, agent: User, supplier: Supplier
) -> list[Ticket]:
    """March 2026: a late P2 reaction with a supplier at organisation A (001), and a High
    incident answered in time at organisation B (003)."""
    late = report(p_contract, ams(2026, 3, 2, 9), "p2")
    to_supplier_and_back(late, agent, supplier)
    workaround(late, agent, ams(2026, 3, 2, 16))
    quick = report(saas_contract, ams(2026, 3, 2, 9), "high")
    workaround(quick, agent, ams(2026, 3, 2, 10))
    return [late, quick]


@pytest.fixture
def cpc(p_contract: Contract) -> Contact:
    contact: Contact = ContactFactory(organisation=p_contract.organisation, is_cpc=True)
    return contact


def api(user: User | None) -> APIClient:
    assert user is not None
    return client_for(user)


def target(body: dict[str, Any], section: str, key: str, priority: str) -> dict[str, Any]:
    found = [t for t in body[section] if (t["key"], t["priority"]) == (key, priority)]
    assert len(found) == 1, body[section]
    return found[0]


def test_it_answers_staff_with_every_organisation_and_the_attribution(
    tickets: list[Ticket], manager: User, supplier: Supplier
) -> None:
    response = api(manager).get(URL, MARCH)

    assert response.status_code == 200
    body = response.json()
    assert body["period"]["code"] == "2026-03"
    assert body["period"]["over"] is True
    assert len(body["rules"]) >= 5
    reaction = target(body, "customer_facing", "first_response", "p2")
    assert (reaction["met"], reaction["missed"], reaction["verdict"]) == (0, 1, "not_met")
    assert reaction["objective_percent"] == 100
    assert reaction["over_target_seconds"] == 3 * 3600
    by_holder = {
        (a["holder"], (a["supplier"] or {}).get("name")): a for a in reaction["attribution"]
    }
    assert by_holder["supplier", "Acme Hosting"]["over_target_seconds"] == 2 * 3600
    assert by_holder["supplier", "Acme Hosting"]["supplier"]["id"] == supplier.pk
    assert by_holder["line2", None]["over_target_seconds"] == 3600
    assert target(body, "customer_facing", "workaround", "high")["met"] == 1
    assert target(body, "internal", "assignment", "high")["internal"] is True


def test_a_central_point_of_contact_reads_only_its_own_customer_targets(
    tickets: list[Ticket], cpc: Contact
) -> None:
    response = api(cpc.user).get(URL, MARCH)

    assert response.status_code == 200
    body = response.json()
    assert body["scope"]["organisation"] == cpc.organisation_id
    assert {t["key"] for t in body["customer_facing"]} == {"first_response", "restore"}
    assert body["internal"] == []
    reaction = target(body, "customer_facing", "first_response", "p2")
    assert reaction["missed"] == 1
    assert reaction["attribution"] is None
    assert reaction["over_target_seconds"] is None
    assert "Acme" not in response.content.decode()


def test_it_hides_another_organisations_objects_from_a_central_point_of_contact(
    tickets: list[Ticket], cpc: Contact, saas_contract: Contract
) -> None:
    client = api(cpc.user)
    for query in (
        {"organisation": saas_contract.organisation_id},
        {"contract": saas_contract.pk},
        {"team": TeamFactory().pk},
    ):
        response = client.get(URL, {**MARCH, **query})
        assert response.status_code == 404, query
        assert "high" not in response.content.decode()


@pytest.mark.parametrize("role", [StaffRole.AGENT])
def test_it_refuses_agents(role_user: Callable[[str], User], role: str) -> None:
    assert api(role_user(role)).get(URL).status_code == 403


def test_it_refuses_other_contacts_and_strangers(p_contract: Contract) -> None:
    plain = ContactFactory(organisation=p_contract.organisation)
    assert api(plain.user).get(URL).status_code == 403
    assert APIClient().get(URL).status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "2026-Q5"}, "period"),
        ({"period": "x" * 40}, "period"),
        ({"from": "2026-03-01"}, "to"),
        ({"from": "2026-03-01", "to": "2036-04-01"}, "from"),
        ({"from": "yesterday", "to": "2026-03-01"}, "from"),
        ({"kind": "nonsense"}, "kind"),
        ({"organisation": "abc"}, "organisation"),
    ],
)
def test_it_answers_a_bad_query_with_a_field_error(
    manager: User, query: dict[str, str], field: str
) -> None:
    response = api(manager).get(URL, query)
    assert response.status_code == 400
    assert field in response.json()


def test_it_answers_an_unknown_organisation_with_a_404(manager: User) -> None:
    response = api(manager).get(URL, {"organisation": 999_999})
    assert response.status_code == 404
    assert "organisation" in response.json()


def test_it_reads_a_range_of_days(
    p_contract: Contract, report: Report, agent: User, manager: User
) -> None:
    ticket = report(p_contract, ams(2026, 3, 10, 9), "p2")
    reply(ticket, agent, ams(2026, 3, 10, 10))
    inside = api(manager).get(URL, {"from": "2026-03-10", "to": "2026-03-10"}).json()
    before = api(manager).get(URL, {"from": "2026-03-01", "to": "2026-03-09"}).json()
    assert target(inside, "customer_facing", "first_response", "p2")["met"] == 1
    assert inside["period"]["code"] == "2026-03-10..2026-03-10"
    assert all(t["key"] != "first_response" for t in before["customer_facing"])


def test_it_answers_csv_too(tickets: list[Ticket], manager: User) -> None:
    response = api(manager).get(URL, {**MARCH, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("section,target,metric,priority")
    assert "customer,first_response,first_response,p2" in text


def test_the_schema_documents_the_endpoint(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/reports/compliance/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"period", "from", "to", "organisation", "contract", "team", "kind"} <= names
    content = operation["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/ComplianceOut"}
    assert "text/csv" in content
    assert {"400", "401", "403", "404"} <= set(operation["responses"])
    target_schema = schema["components"]["schemas"]["TargetOut"]["properties"]
    assert {"share_percent", "verdict", "attribution", "objective_percent"} <= set(target_schema)


def test_it_answers_errors_in_json_also_when_csv_was_asked(manager: User) -> None:
    response = api(manager).get(URL, {"period": "someday", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "period" in response.json()
