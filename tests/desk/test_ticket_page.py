"""The desk's ticket page: timeline, SLA badges with explanations, and every action."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.tickets import services
from servicedesk.tickets.models import (
    Attachment,
    LinkKind,
    Status,
    Ticket,
    TicketLink,
    Visibility,
)
from tests.factories import (
    ProductFactory,
    StaffFactory,
    SupplierFactory,
    TeamFactory,
    complete_details,
    make_ticket,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer: Contact, product: Product) -> Ticket:
    return make_ticket(
        customer,
        title="Invoices do not print",
        product=product,
        impact="high",
        urgency="high",
        requested_priority="p1",
        details={"steps_taken": "Print", "expected_result": "PDF"},
    )


def url(name: str, ticket: Ticket) -> str:
    return reverse(f"desk:{name}", args=[ticket.number])


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(url("ticket", ticket))
    assert response.status_code == 200
    return response.content.decode()


def test_it_is_only_for_staff(customer_client: Client, ticket: Ticket) -> None:
    assert customer_client.get(url("ticket", ticket)).status_code == 403
    assert customer_client.post(url("take", ticket)).status_code == 403


def test_it_answers_404_for_an_unknown_ticket(staff_client: Client) -> None:
    assert staff_client.get(reverse("desk:ticket", args=["SD-999999"])).status_code == 404


def test_it_shows_one_timeline_of_messages_notes_and_events(
    staff_client: Client, ticket: Ticket, customer: Contact, staff: User
) -> None:
    services.ticket_add_message(ticket=ticket, body="Any news?", contact=customer)
    services.ticket_add_message(
        ticket=ticket, body="Check the driver", author=staff, visibility=Visibility.INTERNAL
    )
    services.ticket_transition(ticket=ticket, actor=staff, status=Status.IN_PROGRESS)
    html = page(staff_client, ticket)
    assert "Any news?" in html
    assert "Check the driver" in html
    assert "Internal note" in html
    assert "Ticket created" in html
    assert "Status changed from New to In progress" in html
    assert html.index("Any news?") < html.index("Check the driver") < html.index("Status changed")


def test_it_shows_sla_badges_with_their_explanation(staff_client: Client, ticket: Ticket) -> None:
    response = staff_client.get(url("ticket", ticket))
    badges = {badge.key: badge for badge in response.context["badges"]}
    assert set(badges) == {"first_response", "restore"}
    assert badges["first_response"].state == "running"
    assert badges["first_response"].target_seconds == 3600
    html = response.content.decode()
    assert "First response" in html
    assert "Why this time?" in html
    assert "Target: first response within 1 h" in html


def test_it_shows_what_the_completeness_check_misses(
    staff_client: Client, customer: Contact, product: Product
) -> None:
    ticket = make_ticket(customer, product=product, details={"actual_result": ""})
    html = page(staff_client, ticket)
    assert "Information missing" in html
    assert "Tell us what happened instead." in html


def test_it_refreshes_just_the_timeline_for_htmx(
    staff_client: Client, ticket: Ticket, staff: User
) -> None:
    message = services.ticket_add_message(ticket=ticket, body="See the log", author=staff)
    services.attachment_add(
        ticket=ticket, upload=SimpleUploadedFile("log.txt", b"log"), actor=staff, message=message
    )
    response = staff_client.get(
        url("ticket", ticket), headers={"HX-Request": "true", "HX-Target": "timeline"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Ticket created" in html
    assert "log.txt" in html
    assert "Service levels" not in html


def test_it_sends_a_reply_that_meets_the_first_response(
    staff_client: Client, ticket: Ticket
) -> None:
    upload = SimpleUploadedFile("fix.txt", b"steps", content_type="text/plain")
    response = staff_client.post(
        url("message", ticket),
        {"visibility": "public", "body": "Please try again.", "attachments": upload},
    )
    assert response.status_code == 302
    message = ticket.messages.get()
    assert message.visibility == Visibility.PUBLIC
    assert message.attachments.get().filename == "fix.txt"
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None
    assert ticket.clocks.get(key="first_response").state == "met"


def test_it_adds_an_internal_note(staff_client: Client, ticket: Ticket) -> None:
    response = staff_client.post(
        url("message", ticket), {"visibility": "internal", "body": "Looks like #12"}
    )
    assert response.status_code == 302
    note = ticket.messages.get()
    assert note.visibility == Visibility.INTERNAL
    assert note.body == "Looks like #12"


def test_it_shows_the_errors_of_an_empty_message(staff_client: Client, ticket: Ticket) -> None:
    response = staff_client.post(url("message", ticket), {"visibility": "public", "body": ""})
    assert response.status_code == 200
    assert response.context["message_form"].errors["body"]


def test_it_takes_the_ticket(staff_client: Client, ticket: Ticket, staff: User) -> None:
    staff_client.post(url("take", ticket))
    ticket.refresh_from_db()
    assert ticket.assignee == staff
    assert ticket.status == Status.IN_PROGRESS


def test_it_asks_each_status_for_the_data_it_needs(
    staff_client: Client, ticket: Ticket, staff: User
) -> None:
    services.ticket_transition(ticket=ticket, actor=staff, status=Status.IN_PROGRESS)
    response = staff_client.post(url("status", ticket), {"status": "solution_offered"})
    assert response.context["status_form"].errors["note"] == [
        "Give the resolution or reason for this status."
    ]
    response = staff_client.post(url("status", ticket), {"status": "waiting_on_supplier"})
    assert response.context["status_form"].errors["supplier"]
    supplier = SupplierFactory()
    staff_client.post(
        url("status", ticket),
        {"status": "waiting_on_supplier", "supplier": supplier.pk, "supplier_reference": "T-9"},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_SUPPLIER
    assert ticket.supplier_reference == "T-9"


def test_it_offers_only_allowed_statuses(staff_client: Client, ticket: Ticket) -> None:
    response = staff_client.get(url("ticket", ticket))
    choices = [value for value, _label in response.context["status_form"].fields["status"].choices]
    assert choices == ["", "in_progress", "waiting_on_customer", "solution_offered", "closed"]
    refused = staff_client.post(url("status", ticket), {"status": "parked"})
    assert refused.context["status_form"].errors["status"]


def test_it_needs_a_justification_to_deviate_from_the_request(
    staff_client: Client, ticket: Ticket
) -> None:
    response = staff_client.post(url("priority", ticket), {"priority": "p3"})
    assert response.context["priority_form"].errors["justification"]
    staff_client.post(url("priority", ticket), {"priority": "p3", "justification": "One user"})
    ticket.refresh_from_db()
    assert ticket.priority == "p3"
    assert ticket.priority_justification == "One user"
    assert "Priority changed from P1 Critical to P3 Medium" in page(staff_client, ticket)


def test_it_assigns_to_agent_team_and_line(staff_client: Client, ticket: Ticket) -> None:
    agent = StaffFactory()
    team = TeamFactory()
    staff_client.post(
        url("assign", ticket), {"assignee": agent.pk, "team": team.pk, "support_line": "3"}
    )
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.team, ticket.support_line) == (agent, team, 3)


def test_it_refuses_to_assign_to_a_customer(
    staff_client: Client, ticket: Ticket, customer: Contact
) -> None:
    assert customer.user is not None
    response = staff_client.post(url("assign", ticket), {"assignee": customer.user.pk})
    assert response.context["assign_form"].errors["assignee"]


def test_it_links_a_duplicate(staff_client: Client, ticket: Ticket, customer: Contact) -> None:
    original = make_ticket(customer, title="Original")
    staff_client.post(
        url("link", ticket), {"target": original.number.lower(), "kind": "duplicate_of"}
    )
    assert TicketLink.objects.filter(source=ticket, target=original, kind="duplicate_of").exists()
    assert original.number in page(staff_client, ticket)
    missing = staff_client.post(url("link", ticket), {"target": "SD-999999", "kind": "related"})
    assert missing.context["link_form"].errors["target"] == ["No ticket with this number."]


def test_it_splits_off_a_new_question(staff_client: Client, ticket: Ticket) -> None:
    response = staff_client.post(
        url("split", ticket),
        {"kind": "question", "title": "How do I export?", "description": "Also: export?"},
    )
    new = Ticket.objects.get(title="How do I export?")
    assert response["Location"] == url("ticket", new)
    assert new.requester == ticket.requester
    assert new.kind == "question"
    assert TicketLink.objects.filter(source=new, target=ticket, kind=LinkKind.SPLIT_FROM).exists()


def test_it_downloads_internal_attachments_for_staff(
    staff_client: Client, ticket: Ticket, staff: User
) -> None:
    attachment = services.attachment_add(
        ticket=ticket, upload=SimpleUploadedFile("x.txt", b"secret"), actor=staff, internal=True
    )
    response = staff_client.get(reverse("desk:attachment", args=[ticket.number, attachment.pk]))
    assert response.status_code == 200
    other = make_ticket(ticket.requester)
    elsewhere = staff_client.get(reverse("desk:attachment", args=[other.number, attachment.pk]))
    assert elsewhere.status_code == 404


def test_it_closes_with_an_outcome_instead_of_a_note(
    staff_client: Client, ticket: Ticket, staff: User
) -> None:
    response = staff_client.post(
        url("status", ticket), {"status": "closed", "outcome": "withdrawn"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.events.get(action="outcome").new_value == "withdrawn"
    closed = ticket.events.get(action="status_changed")
    assert closed.note == "The request is no longer relevant."


def test_it_names_the_agent_and_team_of_an_assignment(staff_client: Client, ticket: Ticket) -> None:
    agent = StaffFactory(first_name="Piet", last_name="Jansen")
    team = TeamFactory(name="Finance support")
    staff_client.post(url("assign", ticket), {"assignee": agent.pk, "team": team.pk})
    html = page(staff_client, ticket)
    assert "Assigned to Piet Jansen" in html
    assert "Team set to Finance support" in html


# ----------------------------------------------------------------------------- what it is


@pytest.fixture
def payroll(contract: Contract) -> Product:
    """A second product of the customer's contract."""
    product = ProductFactory(name="Kestrel Payroll")
    contract.products.add(product)
    return product


@pytest.fixture
def uncovered(db: None) -> Product:
    return ProductFactory(name="Osprey Warehouse")


def edit(client: Client, ticket: Ticket, data: dict[str, object], htmx: bool = True) -> str:
    headers = {"HX-Request": "true", "HX-Target": "edit"} if htmx else {}
    fields = {f"edit-{name}": value for name, value in data.items()}
    response = client.post(url("edit", ticket), fields, headers=headers)
    assert response.status_code == (200 if htmx else 302)
    return response.content.decode()


def test_it_offers_the_contracts_products_first(
    staff_client: Client, ticket: Ticket, product: Product, payroll: Product, uncovered: Product
) -> None:
    form = staff_client.get(url("ticket", ticket)).context["edit_form"]
    empty, covered, others = form.fields["product"].choices
    assert empty == ("", "No product")
    assert covered[0] == "Covered by the contract"
    assert {pk for pk, _label in covered[1]} == {product.pk, payroll.pk}
    assert others[0] == "Other products"
    assert uncovered.pk in [pk for pk, _label in others[1]]
    assert form["product"].initial == product.pk


def test_it_edits_title_kind_and_product_in_place(
    staff_client: Client, ticket: Ticket, product: Product, payroll: Product, staff: User
) -> None:
    html = edit(
        staff_client,
        ticket,
        {"title": "Payroll slips do not print", "kind": "question", "product": payroll.pk},
    )
    assert "<html" not in html
    assert 'id="edit"' in html
    assert "Saved." in html
    assert 'id="ticket-head" hx-swap-oob="true"' in html
    assert "Payroll slips do not print" in html
    ticket.refresh_from_db()
    assert (ticket.title, ticket.kind, ticket.product) == (
        "Payroll slips do not print",
        "question",
        payroll,
    )
    changed = ticket.events.filter(action="updated")
    assert {event.field for event in changed} == {"title", "kind", "product"}
    assert {event.actor for event in changed} == {staff}
    timeline = page(staff_client, ticket)
    assert "Title changed from Invoices do not print to Payroll slips do not print" in timeline
    assert "Kind changed from Incident to Question" in timeline
    assert "Product changed from Kestrel Invoicing to Kestrel Payroll" in timeline


def test_it_shows_why_a_product_is_refused(
    staff_client: Client, ticket: Ticket, product: Product, uncovered: Product
) -> None:
    html = edit(
        staff_client, ticket, {"title": ticket.title, "kind": "incident", "product": uncovered.pk}
    )
    assert "does not cover Osprey Warehouse" in html
    assert "Saved." not in html
    assert "hx-swap-oob" not in html
    ticket.refresh_from_db()
    assert ticket.product == product
    assert not ticket.events.filter(action="updated").exists()


def test_it_edits_without_htmx_too(staff_client: Client, ticket: Ticket) -> None:
    edit(staff_client, ticket, {"title": "New title", "kind": "incident", "product": ""}, False)
    ticket.refresh_from_db()
    assert (ticket.title, ticket.product) == ("New title", None)


def test_it_refuses_an_empty_title(staff_client: Client, ticket: Ticket) -> None:
    html = edit(staff_client, ticket, {"title": " ", "kind": "incident", "product": ""})
    assert "This field is required." in html
    ticket.refresh_from_db()
    assert ticket.title == "Invoices do not print"


# ----------------------------------------------------------------------------- attachments


def test_it_links_the_files_of_a_portal_report(
    staff_client: Client, customer_client: Client, product: Product
) -> None:
    upload = SimpleUploadedFile("error.png", b"\x89PNG data", content_type="image/png")
    report = {
        "title": "Invoices do not print",
        "product": product.pk,
        **complete_details(),
        "attachments": [upload],
    }
    response = customer_client.post(reverse("portal:report", args=["incident"]), report)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.message is None
    download = reverse("desk:attachment", args=[ticket.number, attachment.pk])
    html = page(staff_client, ticket)
    assert f'href="{download}"' in html
    timeline = staff_client.get(
        url("ticket", ticket), headers={"HX-Request": "true", "HX-Target": "timeline"}
    ).content.decode()
    assert f'href="{download}"' in timeline
    served = staff_client.get(download)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == b"\x89PNG data"  # type: ignore[attr-defined]
