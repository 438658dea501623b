"""The coverage endpoints: staff decide and read everything; customers read only whether
the work is billable and their agreement, and answer; others get 404."""

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from servicedesk.contracts.models import RequestType
from servicedesk.coverage.models import Agreement, CoverageDecision, Decision
from servicedesk.coverage.services import coverage_decide
from servicedesk.tickets.models import Ticket
from tests.conftest import client_for
from tests.coverage.conftest import SECRET_REASON, Desk

CUSTOMER_FIELDS = {"decided", "billable", "agreement", "answered_at", "comment", "may_answer"}


def url(ticket: Ticket, tail: str = "") -> str:
    return f"/api/v1/tickets/{ticket.number}/coverage{tail}"


def api(user: Any) -> APIClient:
    assert user is not None
    return client_for(user)


@pytest.fixture
def awaiting(desk: Desk, ticket: Ticket) -> Ticket:
    """The ticket, decided billable under a contract that asks for the customer's agreement."""
    desk.contract.billable_needs_agreement = True
    desk.contract.save(update_fields=["billable_needs_agreement"])
    ticket.refresh_from_db()
    coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.DATA_MODIFICATION,
        reason=SECRET_REASON,
    )
    return ticket


def test_staff_record_a_decision(desk: Desk, ticket: Ticket) -> None:
    response = api(desk.agent).post(
        url(ticket),
        {"decision": "billable", "request_type": "data_modification", "reason": SECRET_REASON},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["billable"] is True
    assert body["decision"] == "billable"
    assert body["history"][0]["reason"] == SECRET_REASON
    assert body["history"][0]["suggested"] == "billable"
    assert CoverageDecision.objects.get(ticket=ticket).decided_by == desk.agent


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"decision": "free", "request_type": "question"}, "decision"),
        ({"decision": "covered", "request_type": "gardening"}, "request_type"),
        ({"request_type": "question"}, "decision"),
        ({"decision": "covered", "request_type": "data_modification"}, "reason"),
    ],
)
def test_it_names_the_field_at_fault(
    desk: Desk, ticket: Ticket, payload: dict[str, str], field: str
) -> None:
    response = api(desk.agent).post(url(ticket), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not CoverageDecision.objects.exists()


def test_a_customer_may_not_decide(desk: Desk, ticket: Ticket) -> None:
    response = api(desk.requester.user).post(
        url(ticket), {"decision": "covered", "request_type": "question", "reason": "x"}
    )
    assert response.status_code == 403
    assert "decision" in response.json()
    assert not CoverageDecision.objects.exists()


def test_a_customer_reads_only_the_customer_facing_part(desk: Desk, awaiting: Ticket) -> None:
    response = api(desk.requester.user).get(url(awaiting))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == CUSTOMER_FIELDS
    assert body["billable"] is True
    assert body["agreement"] == "awaiting"
    assert body["may_answer"] is True
    assert SECRET_REASON not in json.dumps(body)


def test_customers_never_read_the_reason_anywhere_in_the_api(desk: Desk, awaiting: Ticket) -> None:
    client = api(desk.requester.user)
    for path in (
        url(awaiting),
        f"/api/v1/tickets/{awaiting.number}",
        f"/api/v1/tickets/{awaiting.number}/events",
        f"/api/v1/tickets/{awaiting.number}/messages",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert SECRET_REASON not in response.content.decode(), path
        assert "outside maintenance in this contract" not in response.content.decode(), path


def test_the_customer_agrees_through_the_api_and_the_agent_sees_it(
    desk: Desk, awaiting: Ticket
) -> None:
    response = api(desk.requester.user).post(
        url(awaiting, "/agreement"), {"agree": True, "comment": "OK"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["agreement"] == "agreed"
    assert response.json()["may_answer"] is False
    staff = api(desk.agent).get(url(awaiting)).json()
    assert staff["agreement"] == "agreed"
    assert staff["comment"] == "OK"
    assert staff["history"][0]["agreement"] == "agreed"


def test_a_second_answer_names_the_agreement(desk: Desk, awaiting: Ticket) -> None:
    client = api(desk.requester.user)
    client.post(url(awaiting, "/agreement"), {"agree": False}, format="json")
    response = client.post(url(awaiting, "/agreement"), {"agree": True}, format="json")
    assert response.status_code == 400
    assert "agreement" in response.json()


def test_an_answer_needs_the_choice(desk: Desk, awaiting: Ticket) -> None:
    response = api(desk.requester.user).post(url(awaiting, "/agreement"), {}, format="json")
    assert response.status_code == 400
    assert "agree" in response.json()


def test_staff_may_not_answer_for_the_customer(desk: Desk, awaiting: Ticket) -> None:
    response = api(desk.agent).post(url(awaiting, "/agreement"), {"agree": True}, format="json")
    assert response.status_code == 403
    assert CoverageDecision.objects.get(ticket=awaiting).agreement == Agreement.AWAITING


def test_another_organisations_contact_gets_404(desk: Desk, awaiting: Ticket) -> None:
    client = api(desk.stranger.user)
    assert client.get(url(awaiting)).status_code == 404
    assert client.post(url(awaiting, "/agreement"), {"agree": True}).status_code == 404
    assert client.post(url(awaiting), {"decision": "covered"}).status_code == 404
    assert CoverageDecision.objects.get(ticket=awaiting).agreement == Agreement.AWAITING


def test_an_unknown_ticket_is_404(desk: Desk) -> None:
    assert api(desk.agent).get("/api/v1/tickets/SD-999999/coverage").status_code == 404


def test_an_undecided_ticket_reads_as_undecided(desk: Desk, ticket: Ticket) -> None:
    body = api(desk.agent).get(url(ticket)).json()
    assert (body["decided"], body["billable"], body["decision"], body["history"]) == (
        False,
        False,
        "",
        [],
    )


def test_the_history_is_read_in_a_fixed_number_of_queries(desk: Desk, ticket: Ticket) -> None:
    client = api(desk.agent)

    def decide(request_type: str) -> None:
        coverage_decide(
            ticket=ticket,
            actor=desk.agent,
            decision=Decision.BILLABLE,
            request_type=request_type,
            reason="Because",
        )

    decide(RequestType.TRAINING)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url(ticket)).json()["history"]) == 1
    for request_type in (RequestType.CONSULTING, RequestType.COMPANY_COPY, RequestType.CHANGE):
        decide(request_type)
    with CaptureQueriesContext(connection) as four:
        assert len(client.get(url(ticket)).json()["history"]) == 4
    assert len(four) == len(one)


def test_the_schema_documents_the_endpoints(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    coverage = schema["paths"]["/api/v1/tickets/{number}/coverage/"]
    assert set(coverage) >= {"get", "post"}
    assert "404" in coverage["get"]["responses"]
    assert "400" in coverage["post"]["responses"]
    agreement = schema["paths"]["/api/v1/tickets/{number}/coverage/agreement/"]
    assert "post" in agreement
    properties = schema["components"]["schemas"]["CoverageOut"]["properties"]
    assert {"billable", "agreement", "history"} <= set(properties)
