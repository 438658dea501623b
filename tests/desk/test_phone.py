"""A phone call recorded as a new ticket or as a message on an existing one."""

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import Contact
from servicedesk.catalog.models import Product
from servicedesk.tickets.models import Channel, Ticket
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_it_creates_a_ticket_from_a_call(
    staff_client: Client, customer: Contact, product: Product
) -> None:
    response = staff_client.post(
        reverse("desk:phone"),
        {
            "contact": customer.pk,
            "kind": "incident",
            "product": product.pk,
            "title": "Payroll run fails",
            "body": "Caller says the payroll run stops at 50%.",
            "impact": "high",
            "urgency": "high",
        },
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("desk:ticket", args=[ticket.number])
    assert ticket.channel == Channel.PHONE
    assert ticket.requester == customer
    assert ticket.priority == "p1"
    assert ticket.description == "Caller says the payroll run stops at 50%."


def test_it_adds_a_call_to_an_existing_ticket(staff_client: Client, customer: Contact) -> None:
    ticket = make_ticket(customer)
    staff_client.post(reverse("desk:phone"), {"ticket": ticket.number, "body": "Called back."})
    message = ticket.messages.get()
    assert message.channel == Channel.PHONE
    assert message.body == "Called back."


def test_it_says_what_a_new_ticket_needs(staff_client: Client) -> None:
    response = staff_client.post(reverse("desk:phone"), {"kind": "incident", "body": "Hello"})
    errors = response.context["form"].errors
    assert errors["contact"] == ["Choose the caller."]
    assert errors["title"] == ["Give a one-line summary."]
    unknown = staff_client.post(reverse("desk:phone"), {"ticket": "SD-999", "body": "x"})
    assert unknown.context["form"].errors["ticket"] == ["No ticket with this number."]


def test_it_is_only_for_staff(customer_client: Client) -> None:
    assert customer_client.get(reverse("desk:phone")).status_code == 403
