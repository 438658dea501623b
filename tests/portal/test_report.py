"""The report pages: choose a kind, fill in what the seeds require, see what is missing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import Contact
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract, Reporters
from servicedesk.tickets.models import Attachment, Channel, Ticket
from tests.factories import ContactFactory
from tests.portal.fixtures import login

pytestmark = pytest.mark.django_db

COMPLETE_INCIDENT = {
    "title": "Invoices do not print",
    "steps_taken": "Opened an invoice, pressed Print.",
    "expected_result": "A PDF.",
    "actual_result": "Error 500.",
    "reproducible": "yes",
    "administration": "Main company",
    "affected_users": "All of finance",
    "business_impact": "We cannot send invoices.",
    "impact": "high",
    "urgency": "high",
}


def report_url(kind: str = "incident") -> str:
    return reverse("portal:report", args=[kind])


def test_it_offers_the_four_kinds(customer_client: Client) -> None:
    response = customer_client.get(reverse("portal:report-start"))
    assert response.status_code == 200
    for kind in ("incident", "question", "change_request", "application_service"):
        assert report_url(kind) in response.content.decode()


def test_it_asks_an_incident_for_what_seed_002_requires(
    customer_client: Client, product: Product
) -> None:
    response = customer_client.get(report_url())
    html = response.content.decode()
    for field in (
        "steps_taken",
        "expected_result",
        "actual_result",
        "reproducible",
        "administration",
        "affected_users",
        "business_impact",
        "recent_changes",
        "impact",
        "urgency",
        "attachments",
    ):
        assert f'name="{field}"' in html, field
    assert product.name in html


def test_it_asks_a_question_only_for_a_description(customer_client: Client) -> None:
    html = customer_client.get(report_url("question")).content.decode()
    assert 'name="description"' in html
    assert 'name="steps_taken"' not in html
    assert 'name="impact"' not in html


def test_it_refuses_an_unknown_kind(customer_client: Client) -> None:
    assert customer_client.get(report_url("complaint")).status_code == 404


def test_it_says_what_is_missing_on_submit(customer_client: Client, product: Product) -> None:
    data = {**COMPLETE_INCIDENT, "product": product.pk, "expected_result": "", "reproducible": ""}
    response = customer_client.post(report_url(), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["expected_result"] == ["Tell us what you expected to happen."]
    assert form.errors["reproducible"] == ["Say whether the problem can be reproduced."]
    assert not Ticket.objects.exists()


def test_it_checks_completeness_live_for_htmx(customer_client: Client, product: Product) -> None:
    data = {"title": "Printing", "product": product.pk, "steps_taken": "Pressed print"}
    response = customer_client.post(report_url(), data, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="check"' in html
    assert "Tell us what you expected to happen." in html
    assert "Tell us what you did" not in html


def test_it_shows_the_resulting_priority_of_the_contract(
    customer_client: Client, product: Product
) -> None:
    data = {"product": product.pk, "impact": "medium", "urgency": "high"}
    response = customer_client.post(report_url(), data, headers={"HX-Request": "true"})
    assert response.context["check"].priority == "p2"
    assert "P2 High" in response.content.decode()


def test_it_creates_the_ticket_and_confirms_its_number(
    customer_client: Client, customer: Contact, product: Product
) -> None:
    upload = SimpleUploadedFile("error.png", b"\x89PNG data", content_type="image/png")
    data = {**COMPLETE_INCIDENT, "product": product.pk, "attachments": [upload]}
    response = customer_client.post(report_url(), data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:report-done", args=[ticket.number])
    assert ticket.requester == customer
    assert ticket.channel == Channel.PORTAL
    assert ticket.priority == "p1"
    assert ticket.requested_priority == "p1"
    assert ticket.business_impact == "We cannot send invoices."
    assert Attachment.objects.get().filename == "error.png"
    done = customer_client.get(response["Location"])
    assert ticket.number in done.content.decode()


def test_it_keeps_nothing_when_an_attachment_is_refused(
    customer_client: Client, product: Product
) -> None:
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    data = {**COMPLETE_INCIDENT, "product": product.pk, "attachments": [upload]}
    response = customer_client.post(report_url(), data)
    assert response.status_code == 200
    assert "Files of type .exe are not accepted." in response.context["form"].errors["attachments"]
    assert not Ticket.objects.exists()


def test_it_is_only_for_contacts(staff_client: Client, client: Client) -> None:
    assert staff_client.get(report_url()).status_code == 403
    response = client.get(report_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_a_refusal_of_the_contract_above_the_form(
    contract: Contract, product: Product
) -> None:
    contract.reporters = Reporters.CPC_AND_KEY_USERS
    contract.save()
    reporter = ContactFactory(organisation=contract.organisation)
    response = login(reporter.user).post(report_url(), {**COMPLETE_INCIDENT, "product": product.pk})
    assert response.status_code == 200
    assert "only the central point of contact" in str(response.context["form"].non_field_errors())
