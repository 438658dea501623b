"""A phone call logged by staff: who called, what was said, and who may read it."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.tickets.models import Channel, EventAction, Message, Ticket, Visibility
from servicedesk.tickets.policy import Refusal
from servicedesk.tickets.services.calls import CallTicketIn, ticket_log_call
from tests.conftest import client_for
from tests.factories import make_ticket
from tests.portal.fixtures import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sending(settings: Settings) -> None:
    """Mail is sent when its task is queued, so the outbox shows what left."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def ticket(customer: Contact, product: Product) -> Ticket:
    return make_ticket(customer, title="Invoices do not print", product=product)


def log_call(
    captured: Any, *, actor: User, caller: Contact, ticket: Ticket, visibility: str
) -> Message:
    """Log the call and run what its commit triggers (the sending)."""
    with captured(execute=True):
        call = ticket_log_call(
            actor=actor,
            caller=caller,
            summary="Anna says the printer driver was updated yesterday.",
            visibility=visibility,
            ticket=ticket,
        )
    assert call.message is not None
    return call.message


def customer_reads(customer: Contact, ticket: Ticket) -> tuple[str, list[str]]:
    """Return the customer's portal page and the message texts the API gives them."""
    page = login(customer.user)
    response = page.get(reverse("portal:ticket", args=[ticket.number]))
    assert response.status_code == 200
    html = response.content.decode()
    assert customer.user is not None
    api = client_for(customer.user).get(f"/api/v1/tickets/{ticket.number}/messages")
    assert api.status_code == 200
    return html, [message["body"] for message in api.json()]


def agent_replies_to(ticket: Ticket) -> list[OutboundMail]:
    return list(OutboundMail.objects.filter(ticket=ticket, kind=OutboundKind.AGENT_REPLY))


def test_it_records_who_called_on_an_internal_note(
    ticket: Ticket, staff: User, colleague: Contact, django_capture_on_commit_callbacks: Any
) -> None:
    message = log_call(
        django_capture_on_commit_callbacks,
        actor=staff,
        caller=colleague,
        ticket=ticket,
        visibility=Visibility.INTERNAL,
    )
    assert message.visibility == Visibility.INTERNAL
    assert message.channel == Channel.PHONE
    assert message.author_user == staff
    assert message.author_contact == colleague
    event = ticket.events.get(action=EventAction.CALL_LOGGED)
    assert (event.actor, event.field, event.new_value) == (staff, "caller", str(colleague.pk))
    assert event.note == colleague.name


def test_it_keeps_an_internal_call_from_the_customer(
    ticket: Ticket,
    customer: Contact,
    staff: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailoutbox.clear()
    log_call(
        django_capture_on_commit_callbacks,
        actor=staff,
        caller=customer,
        ticket=ticket,
        visibility=Visibility.INTERNAL,
    )
    html, bodies = customer_reads(customer, ticket)
    assert "printer driver was updated" not in html
    assert not any("printer driver" in body for body in bodies)
    assert agent_replies_to(ticket) == []
    assert not any(customer.email in mail.to for mail in mailoutbox)


def test_it_shares_a_public_call_with_the_customer(
    ticket: Ticket,
    customer: Contact,
    staff: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mailoutbox.clear()
    log_call(
        django_capture_on_commit_callbacks,
        actor=staff,
        caller=customer,
        ticket=ticket,
        visibility=Visibility.PUBLIC,
    )
    html, bodies = customer_reads(customer, ticket)
    assert "printer driver was updated" in html
    assert "Phone call" in html
    assert any("printer driver was updated" in body for body in bodies)
    (reply,) = agent_replies_to(ticket)
    assert reply.to == customer.email
    assert [mail.to for mail in mailoutbox] == [[customer.email]]


def test_it_refuses_a_caller_of_another_organisation(
    ticket: Ticket, staff: User, stranger: Contact
) -> None:
    with pytest.raises(ValidationError) as refused:
        ticket_log_call(
            actor=staff, caller=stranger, summary="Hello", visibility="public", ticket=ticket
        )
    assert refused.value.message_dict == {
        "caller": ["The caller is not a contact of this ticket's organisation."]
    }
    assert not ticket.messages.exists()
    assert not ticket.events.filter(action=EventAction.CALL_LOGGED).exists()


def test_it_opens_a_new_ticket_for_the_caller(
    customer: Contact, staff: User, product: Product
) -> None:
    call = ticket_log_call(
        actor=staff,
        caller=customer,
        summary="How do I export the VAT return?",
        new=CallTicketIn(title="VAT export", kind="question", product=product),
    )
    ticket = call.ticket
    assert call.created
    assert call.message is None  # the summary is the report itself
    assert (ticket.requester, ticket.channel, ticket.kind) == (customer, Channel.PHONE, "question")
    assert ticket.description == "How do I export the VAT return?"
    assert ticket.events.get(action=EventAction.CALL_LOGGED).new_value == str(customer.pk)
    created = ticket.events.get(action=EventAction.CREATED)
    assert created.actor == staff


def test_it_adds_the_summary_to_a_new_ticket_with_its_own_description(
    customer: Contact, staff: User, product: Product
) -> None:
    call = ticket_log_call(
        actor=staff,
        caller=customer,
        summary="Caller was upset: second time this month.",
        new=CallTicketIn(
            title="VAT export",
            kind="question",
            product=product,
            details={"description": "How do I export the VAT return?"},
        ),
    )
    assert call.ticket.description == "How do I export the VAT return?"
    assert call.message is not None
    assert call.message.visibility == Visibility.INTERNAL
    assert call.message.body == "Caller was upset: second time this month."


def test_it_is_for_staff_only(ticket: Ticket, customer: Contact) -> None:
    assert customer.user is not None
    with pytest.raises(Refusal):
        ticket_log_call(actor=customer.user, caller=customer, summary="Hi", ticket=ticket)
    assert not ticket.messages.exists()


def test_it_needs_a_summary(ticket: Ticket, staff: User, customer: Contact) -> None:
    with pytest.raises(ValidationError) as refused:
        ticket_log_call(actor=staff, caller=customer, summary="  ", ticket=ticket)
    assert set(refused.value.message_dict) == {"summary"}
