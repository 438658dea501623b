"""My tickets, the organisation's tickets, and a ticket's page with reply, confirm, reopen
and close."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.tickets import services
from servicedesk.tickets.models import Channel, Status, Ticket, Visibility
from tests.factories import make_ticket
from tests.portal.fixtures import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(customer: Contact, product: Product) -> Ticket:
    return make_ticket(
        customer, title="Invoices do not print", product=product, urgency="high", impact="high"
    )


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(reverse("portal:ticket", args=[ticket.number]))
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_my_tickets_with_status_priority_and_promised_time(
    customer_client: Client, ticket: Ticket
) -> None:
    response = customer_client.get(reverse("portal:tickets"))
    html = response.content.decode()
    assert ticket.number in html
    assert "New" in html
    assert "P1 Critical" in html
    listed = response.context["page"].object_list[0]
    first_response = ticket.clocks.get(key="first_response")
    assert listed.promised_due == first_response.due_at


def test_it_lists_only_my_own_tickets_for_a_plain_contact(
    customer_client: Client, ticket: Ticket, colleague: Contact, stranger: Contact
) -> None:
    theirs = make_ticket(colleague, title="Colleague's ticket")
    foreign = make_ticket(stranger, title="Foreign ticket")
    html = customer_client.get(reverse("portal:tickets") + "?scope=organisation").content.decode()
    assert ticket.number in html
    assert theirs.number not in html
    assert foreign.number not in html
    assert "My organisation" not in html


def test_it_lists_the_organisations_tickets_for_the_cpc(
    customer: Contact, ticket: Ticket, colleague: Contact, stranger: Contact
) -> None:
    customer.is_cpc = True
    customer.save()
    theirs = make_ticket(colleague, title="Colleague's ticket")
    foreign = make_ticket(stranger, title="Foreign ticket")
    client = login(customer.user)
    mine = client.get(reverse("portal:tickets")).content.decode()
    assert theirs.number not in mine
    html = client.get(reverse("portal:tickets") + "?scope=organisation").content.decode()
    assert ticket.number in html
    assert theirs.number in html
    assert foreign.number not in html


def test_it_lists_closed_tickets_apart(customer_client: Client, ticket: Ticket) -> None:
    services.ticket_transition(ticket=ticket, actor=None, status=Status.CLOSED, note="Done")
    assert ticket.number not in customer_client.get(reverse("portal:tickets")).content.decode()
    closed = customer_client.get(reverse("portal:tickets") + "?state=closed").content.decode()
    assert ticket.number in closed


def test_it_lists_tickets_in_a_fixed_number_of_queries(
    customer_client: Client, customer: Contact, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        make_ticket(customer, title=f"Ticket {n}")
    with CaptureQueriesContext(connection) as few:
        customer_client.get(reverse("portal:tickets"))
    for n in range(12):
        make_ticket(customer, title=f"More {n}")
    with django_assert_max_num_queries(8):
        customer_client.get(reverse("portal:tickets"))
    with CaptureQueriesContext(connection) as many:
        customer_client.get(reverse("portal:tickets"))
    assert len(many) == len(few)


def test_it_shows_the_ticket_with_conversation_and_history(
    customer_client: Client, ticket: Ticket, staff: User
) -> None:
    services.ticket_add_message(ticket=ticket, body="We are looking into it.", author=staff)
    services.ticket_add_message(
        ticket=ticket, body="Secret note", author=staff, visibility=Visibility.INTERNAL
    )
    html = page(customer_client, ticket)
    assert "Invoices do not print" in html
    assert "We are looking into it." in html
    assert "Secret note" not in html
    assert "Ticket created" in html
    assert "First response" in html


def test_it_hides_another_organisations_ticket(customer_client: Client, stranger: Contact) -> None:
    foreign = make_ticket(stranger)
    assert customer_client.get(reverse("portal:ticket", args=[foreign.number])).status_code == 404
    reply = customer_client.post(reverse("portal:reply", args=[foreign.number]), {"body": "Hi"})
    assert reply.status_code == 404


def test_it_is_not_for_staff(staff_client: Client, ticket: Ticket) -> None:
    assert staff_client.get(reverse("portal:ticket", args=[ticket.number])).status_code == 403
    assert staff_client.get(reverse("portal:tickets")).status_code == 403


def test_it_adds_a_reply_with_an_attachment(customer_client: Client, ticket: Ticket) -> None:
    upload = SimpleUploadedFile("log.txt", b"stack trace", content_type="text/plain")
    response = customer_client.post(
        reverse("portal:reply", args=[ticket.number]),
        {"body": "Here is the log.", "attachments": upload},
    )
    assert response.status_code == 302
    message = ticket.messages.get()
    assert message.body == "Here is the log."
    assert message.author_contact is not None
    assert message.channel == Channel.PORTAL
    assert message.attachments.get().filename == "log.txt"
    assert "Here is the log." in page(customer_client, ticket)


def test_it_refuses_an_empty_reply(customer_client: Client, ticket: Ticket) -> None:
    response = customer_client.post(reverse("portal:reply", args=[ticket.number]), {"body": " "})
    assert response.status_code == 200
    assert response.context["reply_form"].errors["body"]
    assert not ticket.messages.exists()


def offer_solution(ticket: Ticket, staff: User) -> None:
    services.ticket_transition(ticket=ticket, actor=staff, status=Status.IN_PROGRESS)
    services.ticket_transition(
        ticket=ticket, actor=staff, status=Status.SOLUTION_OFFERED, note="New printer driver."
    )


def test_it_lets_the_customer_confirm_a_solution(
    customer_client: Client, ticket: Ticket, staff: User
) -> None:
    offer_solution(ticket, staff)
    html = page(customer_client, ticket)
    assert "New printer driver." in html
    assert "Yes, it is solved" in html
    response = customer_client.post(reverse("portal:confirm", args=[ticket.number]), {})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.events.filter(note__startswith="The customer confirmed").exists()


def test_it_reopens_when_the_solution_does_not_work(
    customer_client: Client, ticket: Ticket, staff: User
) -> None:
    offer_solution(ticket, staff)
    url = reverse("portal:reopen", args=[ticket.number])
    response = customer_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert response.context["reopen_form"].errors["reason"]
    customer_client.post(url, {"reason": "Still no PDF."})
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED
    assert ticket.events.filter(action="status_changed", note="Still no PDF.").exists()


def test_it_lets_the_customer_close_and_reopen_the_ticket(
    customer_client: Client, ticket: Ticket
) -> None:
    customer_client.post(reverse("portal:close", args=[ticket.number]), {"reason": ""})
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert "Not solved after all?" in page(customer_client, ticket)
    customer_client.post(reverse("portal:reopen", args=[ticket.number]), {"reason": "Again"})
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED


def test_it_refuses_a_confirmation_when_no_solution_was_offered(
    customer_client: Client, ticket: Ticket
) -> None:
    services.ticket_transition(ticket=ticket, actor=None, status=Status.CLOSED, note="Done")
    response = customer_client.post(reverse("portal:confirm", args=[ticket.number]), {})
    assert response.status_code == 200
    assert "not possible" in str(response.context["confirm_form"].non_field_errors())


def test_it_serves_only_attachments_the_customer_may_see(
    customer_client: Client, ticket: Ticket, staff: User
) -> None:
    public = services.attachment_add(
        ticket=ticket, upload=SimpleUploadedFile("a.txt", b"public"), actor=staff
    )
    internal = services.attachment_add(
        ticket=ticket, upload=SimpleUploadedFile("b.txt", b"internal"), actor=staff, internal=True
    )
    response = customer_client.get(reverse("portal:attachment", args=[ticket.number, public.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"public"  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    hidden = customer_client.get(reverse("portal:attachment", args=[ticket.number, internal.pk]))
    assert hidden.status_code == 404


def test_it_resumes_a_ticket_waiting_on_the_customer_on_reply(
    customer_client: Client, ticket: Ticket, staff: User
) -> None:
    services.ticket_transition(ticket=ticket, actor=staff, status=Status.WAITING_ON_CUSTOMER)
    customer_client.post(reverse("portal:reply", args=[ticket.number]), {"body": "Here it is."})
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_it_confirms_only_the_customers_own_report(
    customer_client: Client, stranger: Contact
) -> None:
    foreign = make_ticket(stranger)
    url = reverse("portal:report-done", args=[foreign.number])
    assert customer_client.get(url).status_code == 404


def test_it_shows_why_the_desk_chose_another_priority(
    customer_client: Client, ticket: Ticket, staff: User
) -> None:
    assert ticket.requested_priority == "p1"
    html = page(customer_client, ticket)
    assert "P1 Critical" in html
    assert "You asked for" not in html
    services.ticket_change_priority(
        ticket=ticket, actor=staff, priority="p3", justification="Only one user is affected."
    )
    html = page(customer_client, ticket)
    assert "P3 Medium" in html
    assert "You asked for" in html
    assert "P1 Critical" in html
    assert "Only one user is affected." in html


def test_it_links_every_file_the_customer_may_see(
    customer_client: Client, ticket: Ticket, staff: User, customer: Contact
) -> None:
    assert customer.user is not None
    loose = services.attachment_add(
        ticket=ticket, upload=SimpleUploadedFile("screen.png", b"png"), actor=customer.user
    )
    internal = services.attachment_add(
        ticket=ticket, upload=SimpleUploadedFile("notes.txt", b"x"), actor=staff, internal=True
    )
    html = page(customer_client, ticket)
    link = reverse("portal:attachment", args=[ticket.number, loose.pk])
    assert html.count(f'href="{link}"') == 2  # the list of files and the history line
    assert reverse("portal:attachment", args=[ticket.number, internal.pk]) not in html
    assert "notes.txt" not in html
