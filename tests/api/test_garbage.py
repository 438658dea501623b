"""No input, however malformed, makes the API answer 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from tests.conftest import client_for
from tests.factories import make_ticket

from servicedesk.accounts.models import Contact, User

pytestmark = pytest.mark.django_db

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "title",
    "requester",
    "product",
    "kind",
    "channel",
    "impact",
    "urgency",
    "requested_priority",
    "reproducible",
    "status",
    "body",
    "visibility",
    "note",
    "supplier",
    "priority",
    "assignee",
    "team",
    "support_line",
    "target",
    "name",
    "code",
    "email",
    "organisation",
]
payloads = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6),
)
TARGETS = [
    ("post", "/api/v1/tickets/"),
    ("patch", "/api/v1/tickets/{number}"),
    ("post", "/api/v1/tickets/{number}/status"),
    ("post", "/api/v1/tickets/{number}/messages"),
    ("post", "/api/v1/tickets/{number}/links"),
    ("post", "/api/v1/tickets/{number}/attachments"),
    ("post", "/api/v1/organisations/"),
    ("post", "/api/v1/contacts/"),
    ("post", "/api/v1/contracts/"),
    ("get", "/api/v1/tickets/?status={text}&created_after={text}&organisation={text}"),
]


@pytest.fixture
def superuser_api(db: None) -> APIClient:
    return client_for(User.objects.create_superuser("root", "root@example.test", "x"))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=payloads, target=st.sampled_from(TARGETS), text=st.text(max_size=30))
def test_it_never_answers_500_to_garbage(
    superuser_api: APIClient,
    contact: Contact,
    payload: object,
    target: tuple[str, str],
    text: str,
) -> None:
    method, path = target
    ticket = make_ticket(contact)
    url = path.format(number=ticket.number, text=text.replace("&", "").replace("#", ""))
    if method == "get":
        response = superuser_api.get(url)
    else:
        response = superuser_api.generic(
            method.upper(), url, json.dumps(payload), content_type="application/json"
        )
    assert response.status_code < 500, response.content
    if response.status_code == 400:
        assert response.json(), "a 400 names what is wrong"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"\xff\xfe\x00garbage", "application/json"),
        (b"title=x&requester=abc", "application/x-www-form-urlencoded"),
        (b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        (b"<xml/>", "application/xml"),
    ],
)
def test_it_answers_malformed_bodies_with_4xx(
    agent_api: APIClient, body: bytes, content_type: str
) -> None:
    response = agent_api.generic("POST", "/api/v1/tickets/", body, content_type=content_type)
    assert 400 <= response.status_code < 500


def test_it_answers_unknown_ticket_numbers_with_404(agent_api: APIClient) -> None:
    for number in ("SD-999999", "nonsense", "%00", "SD-1;DROP TABLE"):
        assert agent_api.get(f"/api/v1/tickets/{number}").status_code == 404


def test_it_serves_the_openapi_schema(agent_api: APIClient) -> None:
    response = agent_api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/tickets/{number}" in {p.rstrip("/") for p in schema["paths"]}


def test_it_serves_the_interactive_docs_without_inline_script(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "<script>" not in page.content.decode()
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
