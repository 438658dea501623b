"""`/api/v1/service-levels/`: staff read, administrators write, customers are refused."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from servicedesk.accounts.models import StaffRole
from servicedesk.servicelevels import services
from servicedesk.servicelevels.models import ServiceLevel, ServiceLevelVersion
from servicedesk.sla.presets import PRESETS
from tests.conftest import client_for
from tests.factories import StaffFactory
from tests.servicelevels.helpers import SEVERITY, definition_of, target

pytestmark = pytest.mark.django_db
URL = "/api/v1/service-levels/"


def api(role: str) -> APIClient:
    return client_for(StaffFactory(role=role))


@pytest.fixture
def admin_api() -> APIClient:
    return api(StaffRole.ADMINISTRATOR)


def create_payload(key: str = "gold") -> dict[str, Any]:
    return {"key": key, "name": "Gold", "definition": definition_of(), "note": "New"}


def test_it_refuses_customers_and_strangers(contact_api: APIClient) -> None:
    assert contact_api.get(URL).status_code == 403
    assert contact_api.get(f"{URL}{SEVERITY}/").status_code == 403
    assert contact_api.post(URL, create_payload(), format="json").status_code == 403
    assert APIClient().get(URL).status_code in (401, 403)
    assert not ServiceLevel.objects.filter(key="gold").exists()


@pytest.mark.parametrize("role", [StaffRole.AGENT, StaffRole.TEAM_LEAD, StaffRole.SERVICE_MANAGER])
def test_it_lets_staff_read_but_not_write(role: str) -> None:
    client = api(role)
    listed = client.get(URL)
    assert listed.status_code == 200
    assert {row["key"] for row in listed.json()["results"]} >= set(PRESETS)
    detail = client.get(f"{URL}{SEVERITY}/").json()
    assert detail["version"] == 1
    assert detail["definition"]["scheme"]["key"] == "severity-1-4"
    assert [v["number"] for v in detail["versions"]] == [1]
    assert client.post(URL, create_payload(), format="json").status_code == 403
    assert client.patch(f"{URL}{SEVERITY}/", {"name": "Mine"}, format="json").status_code == 403
    copy = client.post(f"{URL}{SEVERITY}/copy/", {"key": "mine", "name": "Mine"}, format="json")
    assert copy.status_code == 403
    assert not ServiceLevel.objects.filter(key__in=["gold", "mine"]).exists()
    assert ServiceLevel.objects.get(key=SEVERITY).name == PRESETS[SEVERITY].name


def test_it_lets_an_administrator_create_edit_and_copy(admin_api: APIClient) -> None:
    created = admin_api.post(URL, create_payload(), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1

    definition = definition_of()
    target(definition, "sev1", "first_response")["minutes"] = 15
    changed = admin_api.patch(
        f"{URL}gold/", {"definition": definition, "note": "Faster sev1"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["version"] == 2
    assert [v["note"] for v in body["versions"]] == ["Faster sev1", "New"]
    assert target(body["definition"], "sev1", "first_response")["minutes"] == 15

    old = admin_api.get(f"{URL}gold/versions/1/").json()
    assert target(old["definition"], "sev1", "first_response")["minutes"] == 30

    copied = admin_api.post(
        f"{URL}gold/copy/", {"key": "silver", "name": "Silver", "version": 1}, format="json"
    )
    assert copied.status_code == 201, copied.content
    assert copied.json()["versions"][0]["copied_from"] == "gold v1"
    assert target(copied.json()["definition"], "sev1", "first_response")["minutes"] == 30


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (
            lambda d: target(d, "sev1", "first_response").update(minutes=0),
            ["policies", "0", "targets", "0", "minutes"],
        ),
        (
            lambda d: target(d, "sev1", "first_response").update(objective_percent=120),
            ["policies", "0", "targets", "0", "objective_percent"],
        ),
        (lambda d: d["scheme"]["matrix"].pop(), ["scheme", "matrix"]),
        (
            lambda d: d["calendar"]["hours"].append(
                {"weekday": 1, "opens": "16:00", "closes": "18:00"}
            ),
            ["calendar", "hours"],
        ),
    ],
)
def test_it_answers_an_invalid_definition_with_field_errors(
    admin_api: APIClient, change: Callable[[dict[str, Any]], Any], where: list[str]
) -> None:
    payload = create_payload()
    change(payload["definition"])
    response = admin_api.post(URL, payload, format="json")
    assert response.status_code == 400
    node = response.json()["definition"]
    for part in where:
        node = node[part]
    assert node
    assert not ServiceLevel.objects.filter(key="gold").exists()


def test_it_answers_bad_shapes_and_keys_with_a_400(admin_api: APIClient) -> None:
    for payload in (
        {"key": "Not a key", "name": "X", "definition": definition_of()},
        {"key": SEVERITY, "name": "X", "definition": definition_of()},
        {"key": "x", "name": "X", "definition": {"scheme": 3}},
        {"key": "x", "name": "X", "definition": "nothing"},
    ):
        response = admin_api.post(URL, payload, format="json")
        assert response.status_code == 400, payload
    copy = admin_api.post(
        f"{URL}{SEVERITY}/copy/", {"key": "y", "name": "Y", "version": 7}, format="json"
    )
    assert copy.status_code == 400 and "version" in copy.json()


def test_it_answers_404_for_an_unknown_level_or_version(admin_api: APIClient) -> None:
    assert admin_api.get(f"{URL}no-such-level/").status_code == 404
    assert admin_api.get(f"{URL}{SEVERITY}/versions/9/").status_code == 404
    assert admin_api.patch(f"{URL}no-such-level/", {"name": "X"}, format="json").status_code == 404


def test_it_lists_levels_in_a_fixed_number_of_queries(admin_api: APIClient) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_api.get(URL).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    admin = StaffFactory(role=StaffRole.ADMINISTRATOR)
    source = ServiceLevelVersion.objects.get(service_level__key=SEVERITY)
    for n in range(4):
        copied = services.service_level_copy(actor=admin, version=source, key=f"c{n}", name="C")
        services.service_level_edit(actor=admin, level=copied.service_level, name=f"C{n}")
    assert queries() == few


def test_it_documents_the_endpoints_in_the_schema(client: Any) -> None:
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    paths = schema["paths"]
    assert set(paths[URL]) >= {"get", "post"}
    assert set(paths["/api/v1/service-levels/{key}/"]) >= {"get", "patch"}
    assert "post" in paths["/api/v1/service-levels/{key}/copy/"]
    assert "get" in paths["/api/v1/service-levels/{key}/versions/{number}/"]
    components = schema["components"]["schemas"]
    assert {"ServiceLevel", "Definition", "Target", "Scheme", "Calendar"} <= set(components)


def test_it_keeps_contracts_naming_their_level_by_key(admin_api: APIClient) -> None:
    manager = api(StaffRole.SERVICE_MANAGER)
    organisation = manager.post(
        URL.replace("service-levels", "organisations"), {"name": "B", "code": "b"}, format="json"
    )
    payload = {
        "organisation": organisation.json()["id"],
        "name": "Support",
        "reference": "C-1",
        "service_level": "saas-high-medium-low",
    }
    created = manager.post("/api/v1/contracts/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["service_level"] == "saas-high-medium-low"
    assert created.json()["priority_scheme"] == "high-medium-low"  # filled in from the level
    found = manager.get("/api/v1/contracts/", {"service_level": "saas-high-medium-low"}).json()
    assert [row["reference"] for row in found["results"]] == ["C-1"]
    assert manager.get("/api/v1/contracts/", {"service_level": "nope"}).status_code == 400
