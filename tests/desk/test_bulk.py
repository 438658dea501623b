"""Bulk actions on queue rows: assign, change status, add a note; one refusal stops no other."""

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Visibility
from tests.factories import StaffFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_it_assigns_the_selected_tickets(staff_client: Client, customer: Contact) -> None:
    first, second, untouched = (make_ticket(customer) for _ in range(3))
    colleague = StaffFactory()
    back = reverse("desk:queue", args=["unassigned"])
    response = staff_client.post(
        reverse("desk:bulk"),
        {
            "tickets": [first.number, second.number],
            "action": "assign",
            "assignee": colleague.pk,
            "next": back,
        },
    )
    assert response["Location"] == back
    for ticket in (first, second, untouched):
        ticket.refresh_from_db()
    assert first.assignee == colleague
    assert second.assignee == colleague
    assert untouched.assignee is None


def test_it_changes_status_and_reports_refusals(
    staff_client: Client, customer: Contact, staff: User
) -> None:
    fresh = make_ticket(customer)
    closed = make_ticket(customer)
    services.ticket_transition(ticket=closed, actor=staff, status=Status.CLOSED, note="Done")
    response = staff_client.post(
        reverse("desk:bulk"),
        {"tickets": [fresh.number, closed.number], "action": "status", "status": "in_progress"},
        follow=True,
    )
    fresh.refresh_from_db()
    closed.refresh_from_db()
    assert fresh.status == Status.IN_PROGRESS
    assert closed.status == Status.CLOSED
    html = response.content.decode()
    assert f"Done for 1 tickets: {fresh.number}." in html
    assert f"{closed.number}: a ticket cannot go from Closed to In progress" in html


def test_it_adds_an_internal_note_to_each(staff_client: Client, customer: Contact) -> None:
    tickets = [make_ticket(customer) for _ in range(2)]
    staff_client.post(
        reverse("desk:bulk"),
        {"tickets": [t.number for t in tickets], "action": "note", "note": "Known outage."},
    )
    for ticket in tickets:
        note = ticket.messages.get()
        assert note.visibility == Visibility.INTERNAL
        assert note.body == "Known outage."


def test_it_needs_the_data_of_the_action(staff_client: Client, customer: Contact) -> None:
    ticket = make_ticket(customer)
    response = staff_client.post(
        reverse("desk:bulk"), {"tickets": [ticket.number], "action": "assign"}, follow=True
    )
    assert "Choose the agent." in response.content.decode()
    nothing = staff_client.post(reverse("desk:bulk"), {"action": "note", "note": "x"}, follow=True)
    assert "This field is required." in nothing.content.decode()


def test_it_ignores_a_redirect_elsewhere(staff_client: Client, customer: Contact) -> None:
    ticket = make_ticket(customer)
    response = staff_client.post(
        reverse("desk:bulk"),
        {
            "tickets": [ticket.number],
            "action": "note",
            "note": "x",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == reverse("desk:queue", args=["open"])


def test_it_is_only_for_staff(customer_client: Client, customer: Contact) -> None:
    ticket = make_ticket(customer)
    response = customer_client.post(
        reverse("desk:bulk"), {"tickets": [ticket.number], "action": "note", "note": "x"}
    )
    assert response.status_code == 403
