"""The tickets endpoints, seen from staff, the reporting contact and other customers."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from tests.conftest import client_for
from tests.factories import ContactFactory, ProductFactory, StaffFactory, make_ticket

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets.models import Status, Ticket, TicketEvent, Visibility

pytestmark = pytest.mark.django_db


def test_it_creates_a_ticket_for_a_contact_as_staff(agent_api: APIClient, contact: Contact) -> None:
    product = ProductFactory()
    response = agent_api.post(
        "/api/v1/tickets/",
        {
            "requester": contact.pk,
            "title": "Payroll run fails",
            "product": product.pk,
            "impact": "high",
            "urgency": "medium",
            "steps_taken": "Started the run",
            "expected_result": "Payslips",
            "actual_result": "Error 500",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("SD-")
    assert body["channel"] == "api"
    assert body["organisation"]["id"] == contact.organisation_id
    assert body["product"]["id"] == product.pk
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.actual_result == "Error 500"
    assert TicketEvent.objects.filter(ticket=ticket, action="created").count() == 1


def test_it_requires_a_requester_from_staff(agent_api: APIClient) -> None:
    response = agent_api.post("/api/v1/tickets/", {"title": "x"}, format="json")
    assert response.status_code == 400
    assert "requester" in response.json()


def test_it_lets_a_contact_report_only_as_themselves(
    contact_api: APIClient, contact: Contact, other_contact: Contact
) -> None:
    mine = contact_api.post("/api/v1/tickets/", {"title": "Slow screen"}, format="json")
    assert mine.status_code == 201
    assert mine.json()["requester"]["id"] == contact.pk
    theirs = contact_api.post(
        "/api/v1/tickets/", {"title": "x", "requester": other_contact.pk}, format="json"
    )
    assert theirs.status_code == 400
    assert "requester" in theirs.json()


def test_it_reads_a_ticket_by_number_with_or_without_slash(
    contact_api: APIClient, contact: Contact
) -> None:
    ticket = make_ticket(contact)
    for url in (f"/api/v1/tickets/{ticket.number}", f"/api/v1/tickets/{ticket.number}/"):
        response = contact_api.get(url)
        assert response.status_code == 200
        assert response.json()["title"] == ticket.title
    assert contact_api.get(f"/api/v1/tickets/{ticket.number.lower()}").status_code == 200


ENDPOINTS = [
    ("get", "{}"),
    ("patch", "{}"),
    ("get", "{}/messages"),
    ("post", "{}/messages"),
    ("get", "{}/attachments"),
    ("get", "{}/events"),
    ("post", "{}/status"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_it_hides_another_organisations_ticket(
    other_api: APIClient, contact: Contact, method: str, path: str
) -> None:
    ticket = make_ticket(contact)
    url = "/api/v1/tickets/" + path.format(ticket.number)
    response = getattr(other_api, method)(url, {"body": "hi", "status": "closed"}, format="json")
    assert response.status_code == 404
    assert ticket.number not in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.messages.count() == 0
    assert ticket.status == Status.NEW


def test_it_hides_another_organisations_tickets_from_the_list_and_count(
    other_api: APIClient, contact: Contact
) -> None:
    make_ticket(contact)
    make_ticket(contact)
    body = other_api.get("/api/v1/tickets/").json()
    assert body["count"] == 0
    assert body["results"] == []
    assert (
        other_api.get(f"/api/v1/tickets/?organisation={contact.organisation_id}").json()["count"]
        == 0
    )


def test_it_hides_another_organisations_attachment_content(
    agent_api: APIClient, other_api: APIClient, contact: Contact, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    ticket = make_ticket(contact)
    upload = SimpleUploadedFile("log.txt", b"secret log", content_type="text/plain")
    created = agent_api.post(
        f"/api/v1/tickets/{ticket.number}/attachments", {"file": upload}, format="multipart"
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/tickets/{ticket.number}/attachments/{created.json()['id']}/content"
    assert other_api.get(url).status_code == 404
    own = client_for(contact.user)  # type: ignore[arg-type]
    response = own.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"secret log"  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment")


def test_it_keeps_internal_attachments_from_customers(
    agent_api: APIClient, contact_api: APIClient, contact: Contact, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    ticket = make_ticket(contact)
    upload = SimpleUploadedFile("notes.txt", b"internal", content_type="text/plain")
    created = agent_api.post(
        f"/api/v1/tickets/{ticket.number}/attachments",
        {"file": upload, "internal": "true"},
        format="multipart",
    ).json()
    assert contact_api.get(f"/api/v1/tickets/{ticket.number}/attachments").json() == []
    url = f"/api/v1/tickets/{ticket.number}/attachments/{created['id']}/content"
    assert contact_api.get(url).status_code == 404


def test_it_refuses_blocked_attachment_types(
    contact_api: APIClient, contact: Contact, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    ticket = make_ticket(contact)
    upload = SimpleUploadedFile("setup.exe", b"MZ...", content_type="application/octet-stream")
    response = contact_api.post(
        f"/api/v1/tickets/{ticket.number}/attachments", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()
    assert ticket.attachments.count() == 0


def test_it_hides_internal_notes_from_the_customer(
    agent_api: APIClient, contact_api: APIClient, contact: Contact
) -> None:
    ticket = make_ticket(contact)
    url = f"/api/v1/tickets/{ticket.number}/messages"
    assert agent_api.post(url, {"body": "We are looking"}, format="json").status_code == 201
    note = agent_api.post(
        url, {"body": "Customer is grumpy", "visibility": "internal"}, format="json"
    )
    assert note.status_code == 201
    bodies = [m["body"] for m in contact_api.get(url).json()]
    assert bodies == ["We are looking"]
    assert len(agent_api.get(url).json()) == 2
    events = contact_api.get(f"/api/v1/tickets/{ticket.number}/events").json()
    assert "note_added" not in {event["action"] for event in events}


def test_it_refuses_internal_notes_from_customers(contact_api: APIClient, contact: Contact) -> None:
    ticket = make_ticket(contact)
    response = contact_api.post(
        f"/api/v1/tickets/{ticket.number}/messages",
        {"body": "psst", "visibility": "internal"},
        format="json",
    )
    assert response.status_code == 400
    assert "visibility" in response.json()
    assert not ticket.messages.filter(visibility=Visibility.INTERNAL).exists()


def test_it_sets_first_response_on_the_first_staff_reply(
    agent_api: APIClient, contact: Contact
) -> None:
    ticket = make_ticket(contact)
    agent_api.post(f"/api/v1/tickets/{ticket.number}/messages", {"body": "On it"}, format="json")
    body = agent_api.get(f"/api/v1/tickets/{ticket.number}").json()
    assert body["first_response_at"] is not None


def test_it_changes_status_with_the_data_each_move_needs(
    agent_api: APIClient, contact: Contact
) -> None:
    ticket = make_ticket(contact)
    url = f"/api/v1/tickets/{ticket.number}/status"
    assert agent_api.post(url, {"status": "in_progress"}, format="json").status_code == 200
    no_note = agent_api.post(url, {"status": "closed"}, format="json")
    assert no_note.status_code == 400
    assert "note" in no_note.json()
    parked = agent_api.post(url, {"status": "parked"}, format="json")
    assert parked.status_code == 400
    assert "status" in parked.json()
    closed = agent_api.post(url, {"status": "closed", "note": "Fixed in 4.2"}, format="json")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_at"] is not None


def test_it_lets_a_customer_confirm_but_not_take_a_ticket(
    agent_api: APIClient, contact_api: APIClient, contact: Contact
) -> None:
    ticket = make_ticket(contact)
    url = f"/api/v1/tickets/{ticket.number}/status"
    refused = contact_api.post(url, {"status": "in_progress"}, format="json")
    assert refused.status_code == 400
    agent_api.post(url, {"status": "in_progress"}, format="json")
    agent_api.post(url, {"status": "solution_offered", "note": "Patch applied"}, format="json")
    reopened = contact_api.post(url, {"status": "reopened", "note": "Still broken"}, format="json")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "reopened"


def test_it_updates_fields_by_role(
    agent_api: APIClient, contact_api: APIClient, contact: Contact, agent: User
) -> None:
    ticket = make_ticket(contact, requested_priority="high")
    url = f"/api/v1/tickets/{ticket.number}"
    assert contact_api.patch(url, {"title": "Printing fails"}, format="json").status_code == 200
    forbidden = contact_api.patch(url, {"priority": "critical"}, format="json")
    assert forbidden.status_code == 400
    assert "priority" in forbidden.json()
    no_reason = agent_api.patch(url, {"priority": "low"}, format="json")
    assert no_reason.status_code == 400
    # Reported under the field the caller sent, not the service's parameter name.
    assert set(no_reason.json()) == {"priority_justification"}
    changed = agent_api.patch(
        url,
        {"priority": "low", "priority_justification": "One user affected", "assignee": agent.pk},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["priority"] == "low"
    assert changed.json()["assignee"]["id"] == agent.pk
    status_patch = agent_api.patch(url, {"status": "closed"}, format="json")
    assert status_patch.status_code == 400
    assert "status" in status_patch.json()


def test_it_links_tickets_for_staff_only(
    agent_api: APIClient, contact_api: APIClient, contact: Contact
) -> None:
    first, second = make_ticket(contact), make_ticket(contact)
    url = f"/api/v1/tickets/{second.number}/links"
    payload = {"target": first.number, "kind": "duplicate_of"}
    assert contact_api.post(url, payload, format="json").status_code == 403
    assert agent_api.post(url, payload, format="json").status_code == 201
    assert second.links_out.filter(target=first, kind="duplicate_of").exists()


def test_it_filters_the_list(agent_api: APIClient, contact: Contact) -> None:
    open_ticket = make_ticket(contact, title="Open one")
    closed = make_ticket(contact, title="Closed one", kind="question")
    agent = StaffFactory()
    from servicedesk.tickets import services

    services.ticket_transition(ticket=closed, actor=agent, status="closed", note="done")

    def numbers(query: str) -> list[str]:
        return [t["number"] for t in agent_api.get(f"/api/v1/tickets/?{query}").json()["results"]]

    assert numbers("status=closed") == [closed.number]
    assert numbers("kind=incident") == [open_ticket.number]
    assert numbers("q=open") == [open_ticket.number]
    assert numbers(f"q={closed.number}") == [closed.number]
    assert set(numbers(f"organisation={contact.organisation_id}")) == {
        open_ticket.number,
        closed.number,
    }
    assert numbers("created_after=2999-01-01T00:00:00Z") == []


def test_it_lists_tickets_in_a_fixed_number_of_queries(agent_api: APIClient) -> None:
    for _ in range(3):
        make_ticket(ContactFactory(), product=ProductFactory())
    with CaptureQueriesContext(connection) as few:
        assert agent_api.get("/api/v1/tickets/").status_code == 200
    for _ in range(7):
        make_ticket(ContactFactory(), product=ProductFactory())
    with CaptureQueriesContext(connection) as many:
        assert len(agent_api.get("/api/v1/tickets/").json()["results"]) == 10
    assert len(many) == len(few)


def test_it_asks_for_authentication(db: None) -> None:
    assert APIClient().get("/api/v1/tickets/").status_code in (401, 403)


def test_it_resumes_a_waiting_ticket_when_the_customer_replies(
    agent_api: APIClient, contact_api: APIClient, contact: Contact
) -> None:
    ticket = make_ticket(contact)
    status_url = f"/api/v1/tickets/{ticket.number}/status"
    agent_api.post(status_url, {"status": "in_progress"}, format="json")
    agent_api.post(status_url, {"status": "waiting_on_customer"}, format="json")
    response = contact_api.post(
        f"/api/v1/tickets/{ticket.number}/messages", {"body": "Here is the log"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["outcome"] == "resumed"
    assert response.json()["message"]["body"] == "Here is the log"
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_it_closes_with_an_outcome_and_its_standard_text(
    agent_api: APIClient, contact: Contact
) -> None:
    ticket = make_ticket(contact)
    url = f"/api/v1/tickets/{ticket.number}/status"
    agent_api.post(url, {"status": "in_progress"}, format="json")
    closed = agent_api.post(
        url, {"status": "closed", "outcome": "handed_to_planning"}, format="json"
    )
    assert closed.status_code == 200, closed.content
    event = ticket.events.filter(action="status_changed", new_value="closed").get()
    assert "planning" in event.note.lower()
    bad = agent_api.post(url, {"status": "reopened", "outcome": "bogus"}, format="json")
    assert bad.status_code == 400
    assert "outcome" in bad.json()


def test_it_answers_in_the_language_the_caller_asks_for(
    contact_api: APIClient, other_contact: Contact
) -> None:
    payload = {"title": "x", "requester": other_contact.pk}
    dutch = contact_api.post("/api/v1/tickets/", payload, format="json", HTTP_ACCEPT_LANGUAGE="nl")
    assert dutch.json()["requester"] == ["U kunt alleen namens uzelf melden."]
    french = contact_api.post("/api/v1/tickets/", payload, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.json()["requester"] == ["Vous ne pouvez signaler qu'en votre propre nom."]
