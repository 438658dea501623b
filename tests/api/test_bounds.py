"""Numbers no database column holds, and JSON nested without end, answer 400, never 500."""

import datetime
import json

import pytest
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from tests.conftest import client_for
from tests.factories import make_ticket

from servicedesk.accounts.models import Contact, User
from servicedesk.api.ids import INT64_MAX, INT64_MIN, fits_int64
from servicedesk.api.parsers import MAX_JSON_DEPTH, BoundedJSONParser, nested_deeper_than
from servicedesk.api.tickets.filters import TicketFilter
from servicedesk.api.urls import router
from servicedesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

TOO_BIG = ["99999999999999999999", "-99999999999999999999", str(INT64_MAX + 1), "1e30"]


@pytest.fixture
def superuser_api(db: None) -> APIClient:
    return client_for(User.objects.create_superuser("root", "root@example.test", "x"))


@pytest.mark.parametrize("value", TOO_BIG)
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/tickets/", "product"),
        ("/api/v1/tickets/", "organisation"),
        ("/api/v1/tickets/", "assignee"),
        ("/api/v1/contacts/", "organisation"),
        ("/api/v1/contracts/", "organisation"),
        ("/api/v1/products/", "group"),
    ],
)
def test_it_refuses_an_id_filter_beyond_64_bits(
    agent_api: APIClient, contact: Contact, path: str, parameter: str, value: str
) -> None:
    make_ticket(contact)
    response = agent_api.get(path, {parameter: value})
    assert response.status_code == 400, response.content
    assert parameter in response.json()


def test_it_still_filters_by_the_largest_id(agent_api: APIClient, contact: Contact) -> None:
    make_ticket(contact)
    for value in (str(INT64_MAX), str(INT64_MIN), "0"):
        response = agent_api.get("/api/v1/tickets/", {"product": value})
        assert response.status_code == 200
        assert response.json()["count"] == 0
    mine = agent_api.get("/api/v1/tickets/", {"organisation": contact.organisation_id})
    assert mine.json()["count"] == 1


@pytest.mark.parametrize("value", ["99999999999999999999", "1e30", "1e400", "-1e400"])
@pytest.mark.parametrize("field", ["product", "requester"])
def test_it_refuses_a_related_id_beyond_64_bits_on_create(
    agent_api: APIClient, contact: Contact, field: str, value: str
) -> None:
    body = {"title": "Printing fails", "requester": contact.pk, field: "VALUE"}
    raw = json.dumps(body).replace('"VALUE"', value)  # 1e400 is JSON, but no Python float
    response = agent_api.generic("POST", "/api/v1/tickets/", raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize("value", ["99999999999999999999", "1e400"])
def test_it_refuses_related_ids_beyond_64_bits_on_updates(
    agent_api: APIClient, contact: Contact, value: str
) -> None:
    ticket = make_ticket(contact)
    url = f"/api/v1/tickets/{ticket.number}"
    for field in ("assignee", "team", "product"):
        raw = f'{{"{field}": {value}}}'
        response = agent_api.generic("PATCH", url, raw, content_type="application/json")
        assert response.status_code == 400, response.content
        assert field in response.json()
    raw = f'{{"status": "in_progress", "supplier": {value}}}'
    response = agent_api.generic("POST", f"{url}/status", raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "supplier" in response.json()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/contacts/", '{"name": "A", "organisation": V}', "organisation"),
        ("/api/v1/products/", '{"name": "P", "code": "p", "group": V}', "group"),
        ("/api/v1/contracts/", '{"name": "C", "organisation": V}', "organisation"),
        ("/api/v1/contracts/", '{"name": "C", "products": [V]}', "products"),
    ],
)
@pytest.mark.parametrize("value", ["99999999999999999999", "1e400"])
def test_it_refuses_related_ids_beyond_64_bits_in_master_data(
    superuser_api: APIClient, path: str, body: str, field: str, value: str
) -> None:
    raw = body.replace("V", value)
    response = superuser_api.generic("POST", path, raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_it_reads_ids_as_numbers_within_64_bits() -> None:
    assert fits_int64(INT64_MAX) and fits_int64(INT64_MIN) and fits_int64("12")
    assert not fits_int64(INT64_MAX + 1) and not fits_int64(INT64_MIN - 1)
    assert not fits_int64(float("inf")) and not fits_int64(float("nan"))
    assert not fits_int64("1e30") and not fits_int64("Infinity")
    # What is no number at all is left to the field, which refuses it in its own words.
    assert fits_int64("abc") and fits_int64(None) and fits_int64([1])


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/tickets/"),
        ("PATCH", "/api/v1/tickets/{number}"),
        ("POST", "/api/v1/tickets/{number}/status"),
        ("POST", "/api/v1/tickets/{number}/messages"),
        ("POST", "/api/v1/tickets/{number}/links"),
    ],
)
@pytest.mark.parametrize("depth", [10_000, MAX_JSON_DEPTH + 1])
def test_it_refuses_json_nested_too_deeply_on_tickets(
    agent_api: APIClient, contact: Contact, method: str, path: str, depth: int
) -> None:
    url = path.format(number=make_ticket(contact).number)
    body = '{"title": ' + deep(depth - 1) + "}"
    response = agent_api.generic(method, url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "nest" in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/organisations/", "/api/v1/contacts/", "/api/v1/products/", "/api/v1/contracts/"],
)
def test_it_refuses_json_nested_too_deeply_on_master_data(
    superuser_api: APIClient, path: str
) -> None:
    response = superuser_api.generic("POST", path, deep(10_000), content_type="application/json")
    assert response.status_code == 400, response.content


def test_it_takes_json_nested_as_deep_as_allowed(agent_api: APIClient, contact: Contact) -> None:
    nested = deep(MAX_JSON_DEPTH - 1)
    body = f'{{"requester": {contact.pk}, "title": "x", "description": {nested}}}'
    response = agent_api.generic("POST", "/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 400
    assert "description" in response.json(), "refused by the field, not the parser"


def test_it_measures_nesting_without_recursion() -> None:
    assert not nested_deeper_than(3, 0)
    assert not nested_deeper_than({"a": [1, {"b": []}]}, 4)
    assert nested_deeper_than({"a": [1, {"b": []}]}, 3)
    document: list[object] = []
    for _ in range(100_000):
        document = [document]
    assert nested_deeper_than(document, MAX_JSON_DEPTH)


def test_it_parses_json_with_the_bounded_parser_everywhere() -> None:
    """settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] names it, so every endpoint uses it."""
    assert BoundedJSONParser in api_settings.DEFAULT_PARSER_CLASSES, (
        'add "servicedesk.api.parsers.BoundedJSONParser" to '
        'REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] in settings.py'
    )
    for _prefix, viewset, _basename in router.registry:
        parsers = viewset.parser_classes
        assert not any(p.media_type == "application/json" for p in parsers) or any(
            issubclass(p, BoundedJSONParser) for p in parsers
        ), viewset



@pytest.mark.parametrize(
    "value",
    [
        "1452-10-18T02:47:27.95-20:04",  # an offset PostgreSQL refuses
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-05:00",  # after year 9999 in UTC
        "0001-01-01T00:00:00",  # before year 1 once the desk's time zone is applied
    ],
)
@pytest.mark.parametrize("parameter", ["created_after", "updated_before"])
def test_it_reads_instants_at_the_edge_of_the_calendar_without_a_500(
    agent_api: APIClient, contact: Contact, parameter: str, value: str
) -> None:
    make_ticket(contact)
    response = agent_api.get("/api/v1/tickets/", {parameter: value})
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert parameter in response.json()


def test_it_compares_instants_with_any_offset(agent_api: APIClient, contact: Contact) -> None:
    ticket = make_ticket(contact)
    created = ticket.created_at
    for offset in ("-20:04", "+23:59", "Z"):
        before = (created - datetime.timedelta(hours=1)).astimezone(datetime.UTC)
        stamp = before.replace(tzinfo=None).isoformat()
        if offset != "Z":
            sign = 1 if offset[0] == "+" else -1
            hours, minutes = int(offset[1:3]), int(offset[4:])
            shift = sign * datetime.timedelta(hours=hours, minutes=minutes)
            stamp = (before.replace(tzinfo=None) + shift).isoformat()
        response = agent_api.get("/api/v1/tickets/", {"created_after": stamp + offset})
        assert response.status_code == 200, response.content
        assert response.json()["count"] == 1, offset



@pytest.mark.parametrize("ordering", [",", ",,", "", "created_at,", "-priority_rank"])
def test_it_orders_tickets_totally_whatever_the_ordering_asked(
    contact: Contact, ordering: str
) -> None:
    """Pages of an unordered (or partly ordered) list overlap or skip tickets."""
    for _ in range(3):
        make_ticket(contact)
    tickets = TicketFilter({"ordering": ordering}, queryset=Ticket.objects.all()).qs
    assert tickets.ordered
    assert len({t.pk for t in tickets}) == 3
    if ordering.strip(","):
        assert tickets.query.order_by[-1] == "pk", "ties broken by id"
