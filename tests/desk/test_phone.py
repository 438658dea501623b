"""A phone call logged at the desk: as a new ticket, or on an existing one with its caller and
who may read it."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact
from servicedesk.catalog.models import Product
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.tickets.models import Channel, EventAction, Ticket, Visibility
from tests.factories import make_ticket
from tests.portal.fixtures import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sending(settings: Settings) -> None:
    """Mail is sent when its task is queued, so the outbox shows what left."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def test_it_creates_a_ticket_from_a_call(
    staff_client: Client, customer: Contact, product: Product
) -> None:
    response = staff_client.post(
        reverse("desk:phone"),
        {
            "caller": customer.pk,
            "kind": "question",
            "product": product.pk,
            "title": "Payroll export",
            "summary": "Caller asks how to export the payroll journal.",
            "visibility": "internal",
        },
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("desk:ticket", args=[ticket.number])
    assert ticket.channel == Channel.PHONE
    assert ticket.requester == customer
    assert ticket.description == "Caller asks how to export the payroll journal."
    assert ticket.events.filter(action=EventAction.CALL_LOGGED).exists()


def test_it_sets_the_priority_of_a_call_from_impact_and_urgency(
    staff_client: Client, customer: Contact, product: Product
) -> None:
    staff_client.post(
        reverse("desk:phone"),
        {
            "caller": customer.pk,
            "kind": "incident",
            "product": product.pk,
            "title": "Payroll run fails",
            "summary": "Caller says the payroll run stops at 50%.",
            "visibility": "internal",
            "impact": "high",
            "urgency": "high",
        },
    )
    assert Ticket.objects.get().priority == "p1"


def test_it_adds_a_call_to_an_existing_ticket_as_an_internal_note_by_default(
    staff_client: Client, customer: Contact, colleague: Contact
) -> None:
    ticket = make_ticket(customer)
    form = staff_client.get(reverse("desk:phone")).context["form"]
    assert form["visibility"].initial == Visibility.INTERNAL
    staff_client.post(
        reverse("desk:phone"),
        {
            "ticket": ticket.number,
            "caller": colleague.pk,
            "summary": "Called back.",
            "visibility": "internal",
        },
    )
    message = ticket.messages.get()
    assert message.channel == Channel.PHONE
    assert message.body == "Called back."
    assert message.visibility == Visibility.INTERNAL
    assert message.author_contact == colleague


def test_it_refuses_a_caller_of_another_organisation(
    staff_client: Client, customer: Contact, stranger: Contact
) -> None:
    ticket = make_ticket(customer)
    response = staff_client.post(
        reverse("desk:phone"),
        {
            "ticket": ticket.number,
            "caller": stranger.pk,
            "summary": "I am calling about their ticket.",
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["caller"] == [
        "The caller is not a contact of this ticket's organisation."
    ]
    assert not ticket.messages.exists()


def test_it_keeps_an_internal_call_from_the_customer(
    staff_client: Client,
    customer: Contact,
    colleague: Contact,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = make_ticket(customer)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("desk:phone"),
            {
                "ticket": ticket.number,
                "caller": colleague.pk,
                "summary": "Bram says the server moves next week.",
                "visibility": "internal",
            },
        )
    assert ticket.messages.get().visibility == Visibility.INTERNAL
    portal = login(customer.user).get(reverse("portal:ticket", args=[ticket.number]))
    assert "server moves next week" not in portal.content.decode()
    assert not OutboundMail.objects.filter(ticket=ticket, kind=OutboundKind.AGENT_REPLY).exists()
    assert mailoutbox == []


def test_it_shares_a_public_call_with_the_customer(
    staff_client: Client,
    customer: Contact,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    ticket = make_ticket(customer)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            reverse("desk:phone"),
            {
                "ticket": ticket.number,
                "caller": customer.pk,
                "summary": "Agreed to test the new driver tomorrow.",
                "visibility": "public",
            },
        )
    portal = login(customer.user).get(reverse("portal:ticket", args=[ticket.number]))
    assert "Agreed to test the new driver tomorrow." in portal.content.decode()
    assert [mail.to for mail in mailoutbox] == [[customer.email]]


def test_it_says_what_a_call_needs(staff_client: Client) -> None:
    response = staff_client.post(reverse("desk:phone"), {"kind": "incident", "summary": "Hello"})
    errors = response.context["form"].errors
    assert errors["caller"] == ["This field is required."]
    assert errors["title"] == ["Give a one-line summary."]


def test_it_says_when_the_ticket_number_is_unknown(staff_client: Client, customer: Contact) -> None:
    unknown = staff_client.post(
        reverse("desk:phone"),
        {"ticket": "SD-999", "caller": customer.pk, "summary": "x", "visibility": "internal"},
    )
    assert unknown.context["form"].errors["ticket"] == ["No ticket with this number."]


def test_it_logs_a_call_from_the_ticket_page(
    staff_client: Client, customer: Contact, colleague: Contact, stranger: Contact
) -> None:
    ticket = make_ticket(customer)
    page = staff_client.get(reverse("desk:ticket", args=[ticket.number]))
    html = page.content.decode()
    assert reverse("desk:call", args=[ticket.number]) in html
    callers = list(page.context["call_form"].fields["caller"].queryset)
    assert customer in callers and colleague in callers and stranger not in callers
    response = staff_client.post(
        reverse("desk:call", args=[ticket.number]),
        {"call-caller": colleague.pk, "call-summary": "Bram confirms", "call-visibility": "public"},
    )
    assert response.status_code == 302
    message = ticket.messages.get()
    assert (message.author_contact, message.visibility) == (colleague, Visibility.PUBLIC)
    timeline = staff_client.get(reverse("desk:ticket", args=[ticket.number])).content.decode()
    assert f"Phone call from {colleague.name}" in timeline


def test_it_refuses_on_the_ticket_page_a_caller_it_does_not_offer(
    staff_client: Client, customer: Contact, stranger: Contact
) -> None:
    ticket = make_ticket(customer)
    response = staff_client.post(
        reverse("desk:call", args=[ticket.number]),
        {"call-caller": stranger.pk, "call-summary": "Hi", "call-visibility": "internal"},
    )
    assert response.status_code == 200
    assert response.context["call_form"].errors["caller"]
    assert not ticket.messages.exists()


def test_it_is_only_for_staff(customer_client: Client, customer: Contact) -> None:
    assert customer_client.get(reverse("desk:phone")).status_code == 403
    ticket = make_ticket(customer)
    call = customer_client.post(
        reverse("desk:call", args=[ticket.number]),
        {"call-caller": customer.pk, "call-summary": "Hi", "call-visibility": "public"},
    )
    assert call.status_code == 403
