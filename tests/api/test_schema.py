"""The OpenAPI schema documents the answers the API gives: their shape and their errors."""

from typing import Any

import pytest
from django.test import Client
from drf_spectacular.settings import spectacular_settings
from tests.factories import make_ticket

from servicedesk.accounts.models import Contact

pytestmark = pytest.mark.django_db

ARRAYS = {
    "messages": "Message",
    "attachments": "Attachment",
    "events": "Event",
    "sla": "SlaExplanation",
}


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize(("part", "component"), ARRAYS.items())
def test_it_documents_a_tickets_parts_as_the_array_it_answers(
    schema: dict[str, Any], part: str, component: str
) -> None:
    operation = schema["paths"][f"/api/v1/tickets/{{number}}/{part}/"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"type": "array", "items": {"$ref": f"#/components/schemas/{component}"}}
    assert [p["name"] for p in operation["parameters"]] == ["number"], "no page, no filters"


@pytest.mark.parametrize("part", ARRAYS)
def test_it_answers_a_tickets_parts_with_an_array(
    agent_api: Any, contact: Contact, part: str
) -> None:
    ticket = make_ticket(contact)
    response = agent_api.get(f"/api/v1/tickets/{ticket.number}/{part}/", {"page": "2"})
    assert response.status_code == 200
    assert isinstance(response.json(), list)


def test_it_still_pages_the_ticket_list(schema: dict[str, Any]) -> None:
    operation = schema["paths"]["/api/v1/tickets/"]["get"]
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PaginatedTicketList"}
    names = {p["name"] for p in operation["parameters"]}
    assert {"page", "page_size", "product", "status"} <= names


@pytest.mark.parametrize("name", ["impact", "urgency"])
def test_it_documents_a_blank_impact_and_urgency(
    schema: dict[str, Any], agent_api: Any, contact: Contact, name: str
) -> None:
    ticket = make_ticket(contact)
    assert agent_api.get(f"/api/v1/tickets/{ticket.number}").json()[name] == ""
    prop = schema["components"]["schemas"]["Ticket"]["properties"][name]
    components = schema["components"]["schemas"]
    allowed = [components[ref["$ref"].rsplit("/", 1)[1]] for ref in _refs(prop)]
    assert any(option.get("enum") == [""] for option in allowed)
    assert any("high" in option.get("enum", []) for option in allowed)


def _refs(prop: dict[str, Any]) -> list[dict[str, str]]:
    return [option for option in prop.get("oneOf", prop.get("allOf", [])) if "$ref" in option]


def test_it_documents_the_errors_it_answers(schema: dict[str, Any]) -> None:
    tickets = schema["paths"]["/api/v1/tickets/"]
    detail = schema["paths"]["/api/v1/tickets/{number}/"]
    assert set(tickets["get"]["responses"]) == {"200", "400", "401", "403", "404"}
    assert set(tickets["post"]["responses"]) == {"201", "400", "401", "403", "415"}
    assert set(detail["get"]["responses"]) == {"200", "401", "403", "404"}
    assert set(detail["patch"]["responses"]) == {"200", "400", "401", "403", "404", "415"}
    error = detail["patch"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
    assert schema["components"]["schemas"]["Error"]["type"] == "object"


def test_it_runs_our_schema_hooks() -> None:
    """settings.SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] names them after the enum hook."""
    hooks = [f"{h.__module__}.{h.__name__}" for h in spectacular_settings.POSTPROCESSING_HOOKS]
    assert hooks == [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "servicedesk.api.schema.document_errors",
        "servicedesk.api.schema.allow_blank_levels",
    ], "add these to SPECTACULAR_SETTINGS['POSTPROCESSING_HOOKS'] in settings.py"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/contacts/1.5/", "/api/v1/tickets/SD%00/", "/api/v1/tickets/SD-1/none", "/api/v1/x"],
)
def test_it_answers_paths_that_name_no_endpoint_in_json(agent_api: Any, path: str) -> None:
    response = agent_api.post(path, {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
