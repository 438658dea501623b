"""Bulk actions on queue rows: assign, change status (only to statuses some selected ticket
can move to, with what the move needs), add a note; one refusal stops no other, and each
ticket is reported."""

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets import services, workflow
from servicedesk.tickets.models import Status, Visibility
from tests.factories import StaffFactory, SupplierFactory, make_ticket

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


def test_it_changes_status_and_reports_each_ticket(
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
    said = [str(message) for message in response.context["messages"]]
    assert said == [
        f"{fresh.number}: status changed to In progress.",
        f"{closed.number}: not changed: a ticket cannot go from Closed to In progress",
    ]


def test_it_offers_only_statuses_some_ticket_can_move_to(
    staff_client: Client, customer: Contact, staff: User
) -> None:
    make_ticket(customer)  # new
    response = staff_client.get(reverse("desk:queue", args=["all"]))
    offered = [value for value, _label in response.context["bulk_form"].fields["status"].choices]
    assert offered == ["", "in_progress", "waiting_on_customer", "solution_offered", "closed"]

    closed = make_ticket(customer)
    services.ticket_transition(ticket=closed, actor=staff, status=Status.CLOSED, note="Done")
    response = staff_client.get(reverse("desk:queue", args=["all"]))
    offered = [value for value, _label in response.context["bulk_form"].fields["status"].choices]
    assert "reopened" in offered
    assert "new" not in offered
    assert "parked" not in offered  # only change requests are parked


def test_it_refuses_a_status_no_selected_ticket_can_move_to(
    staff_client: Client, customer: Contact
) -> None:
    ticket = make_ticket(customer)
    response = staff_client.post(
        reverse("desk:bulk"),
        {"tickets": [ticket.number], "action": "status", "status": "reopened"},
        follow=True,
    )
    html = response.content.decode()
    assert "Status: Select a valid choice. reopened is not one of the available choices." in html
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_it_closes_with_an_outcome(staff_client: Client, customer: Contact) -> None:
    tickets = [make_ticket(customer) for _ in range(2)]
    page = staff_client.get(reverse("desk:queue", args=["all"]))
    outcomes = [value for value, _label in page.context["bulk_form"].fields["outcome"].choices]
    assert outcomes == ["", *workflow.Outcome.values]
    response = staff_client.post(
        reverse("desk:bulk"),
        {
            "tickets": [t.number for t in tickets],
            "action": "status",
            "status": "closed",
            "outcome": "duplicate",
        },
        follow=True,
    )
    said = [str(message) for message in response.context["messages"]]
    assert said == [f"{t.number}: status changed to Closed." for t in tickets]
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == Status.CLOSED
        assert ticket.events.get(action="outcome").new_value == "duplicate"
        assert ticket.events.get(action="status_changed").note == workflow.standard_text(
            "duplicate"
        )


def test_it_closes_with_a_resolution(staff_client: Client, customer: Contact) -> None:
    ticket = make_ticket(customer)
    staff_client.post(
        reverse("desk:bulk"),
        {"tickets": [ticket.number], "action": "status", "status": "closed", "note": "Fixed."},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.events.get(action="status_changed").note == "Fixed."
    assert ticket.events.get(action="outcome").new_value == "solved"


def test_it_asks_what_a_move_needs_before_moving_any(
    staff_client: Client, customer: Contact, staff: User
) -> None:
    ticket = make_ticket(customer)
    close = staff_client.post(
        reverse("desk:bulk"),
        {"tickets": [ticket.number], "action": "status", "status": "closed"},
        follow=True,
    )
    assert "Give the resolution, or choose an outcome." in close.content.decode()
    services.ticket_transition(ticket=ticket, actor=staff, status=Status.IN_PROGRESS)
    supplier = staff_client.post(
        reverse("desk:bulk"),
        {"tickets": [ticket.number], "action": "status", "status": "waiting_on_supplier"},
        follow=True,
    )
    html = supplier.content.decode()
    assert "Name the supplier the tickets wait on." in html
    assert "Give the supplier&#x27;s reference." in html
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_it_moves_to_a_supplier_with_its_reference(
    staff_client: Client, customer: Contact, staff: User
) -> None:
    ticket = make_ticket(customer)
    services.ticket_transition(ticket=ticket, actor=staff, status=Status.IN_PROGRESS)
    supplier = SupplierFactory()
    staff_client.post(
        reverse("desk:bulk"),
        {
            "tickets": [ticket.number],
            "action": "status",
            "status": "waiting_on_supplier",
            "supplier": supplier.pk,
            "supplier_reference": "ACME-42",
        },
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.supplier, ticket.supplier_reference) == (
        Status.WAITING_ON_SUPPLIER,
        supplier,
        "ACME-42",
    )


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
