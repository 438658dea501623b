"""Whole journeys in a real browser: a customer reports, an agent works the ticket, the
customer confirms; queues and SLA badges follow every step. Also Dutch and French."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.tickets.models import Status, Ticket
from tests.e2e.conftest import Pages, make_agent, make_contact, screenshot, sign_in
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def drop_file(page: Page, name: str) -> None:
    """Drag a file from the desktop onto the attachments drop zone."""
    transfer = page.evaluate_handle(
        """name => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["fake image"], name, {type: "image/png"}));
            return transfer;
        }""",
        name,
    )
    page.dispatch_event(".dropzone", "drop", {"dataTransfer": transfer})


def sla_state(page: Page, key: str) -> str:
    return page.locator(f'[data-sla="{key}"] [data-state]').get_attribute("data-state") or ""


def queue_numbers(page: Page) -> list[str]:
    return page.locator("tr[data-row]").evaluate_all("rows => rows.map(r => r.dataset.number)")


def test_it_runs_an_incident_from_report_to_confirmed_solution(
    pages: Pages, live_server: LiveServer, contract: Contract, product: Product
) -> None:
    base = live_server.url
    make_contact(contract, "Marloes van den Berg", "marloes@vandenberg.example")
    make_agent("sanne", "Sanne de Vries")

    # The customer reports an incident and forgets the expected result.
    customer = pages.new()
    sign_in(customer, base, "marloes@vandenberg.example")
    expect(customer.locator("h1")).to_have_text("My tickets")
    customer.get_by_role("link", name="Report", exact=True).click()
    customer.get_by_role("link", name=re.compile("^Incident")).click()
    customer.fill("#id_title", "Invoices do not print")
    customer.select_option("#id_product", label="Kestrel Invoicing")
    customer.fill("#id_steps_taken", "Open an invoice and press Print.")
    customer.fill("#id_actual_result", "Error 500: printer service unavailable.")
    customer.check("input[name=reproducible][value=yes]")
    customer.fill("#id_administration", "Van den Berg Groothandel B.V.")
    customer.fill("#id_affected_users", "All of accounts receivable")
    customer.fill("#id_business_impact", "We cannot send invoices today.")
    customer.check("input[name=impact][value=high]")
    customer.check("input[name=urgency][value=high]")
    check = customer.locator("#check")
    expect(check).to_contain_text("Tell us what you expected to happen.")
    expect(check).not_to_contain_text("Tell us what you did")
    expect(check.locator("#resulting-priority")).to_have_text("P1 Critical")
    screenshot(customer, "portal-report.png", full_page=True)
    customer.get_by_role("button", name="Send report").click()
    expect(customer.locator("#field-expected_result .errorlist")).to_have_text(
        "Tell us what you expected to happen."
    )
    customer.fill("#id_expected_result", "A PDF of the invoice.")
    drop_file(customer, "error-500.png")
    expect(customer.locator(".dropzone-files")).to_contain_text("error-500.png")
    customer.get_by_role("button", name="Send report").click()
    expect(customer.locator("h1")).to_have_text("Thank you, your report is registered")
    number = customer.locator(".ticket-number").inner_text()
    ticket = Ticket.objects.get(number=number)
    assert ticket.priority == "p1"
    assert ticket.attachments.get().filename == "error-500.png"

    # The agent finds it unassigned, takes it by keyboard and asks for information.
    agent = pages.new()
    sign_in(agent, base, "sanne")
    expect(agent.locator("h1")).to_have_text("My open tickets")
    agent.keyboard.press("g")
    agent.keyboard.press("u")
    expect(agent.locator("h1")).to_have_text("Unassigned")
    assert queue_numbers(agent) == [number]
    expect(agent.locator('[data-count="unassigned"]')).to_have_text("1")
    screenshot(agent, "desk-queue.png")
    agent.get_by_role("link", name=number).click()
    assert sla_state(agent, "first_response") == "running"
    agent.keyboard.press("?")
    expect(agent.locator("#shortcuts")).to_be_visible()
    agent.keyboard.press("Escape")
    expect(agent.locator("#shortcuts")).to_be_hidden()
    agent.keyboard.press("t")
    expect(agent.locator(".messages")).to_contain_text("You took this ticket.")
    expect(agent.locator(".page-head .status-in_progress")).to_be_visible()
    agent.select_option("#id_team", label="Finance support")
    agent.get_by_role("button", name="Assign", exact=True).click()
    expect(agent.locator(".messages")).to_contain_text("Assignment saved.")
    agent.select_option("#id_canned", "more_info")
    expect(agent.locator("#id_body")).to_have_value(re.compile("we need some more information"))
    agent.get_by_role("button", name="Send", exact=True).click()
    expect(agent.locator(".messages")).to_contain_text("Reply sent.")
    assert sla_state(agent, "first_response") == "met"
    agent.select_option("#id_status", "waiting_on_customer")
    agent.get_by_role("button", name="Change status").click()
    assert sla_state(agent, "restore") == "paused"
    agent.keyboard.press("g")
    agent.keyboard.press("c")
    expect(agent.locator("h1")).to_have_text("Waiting on customer")
    assert queue_numbers(agent) == [number]

    # The customer answers; the desk is no longer waiting.
    customer.goto(base + reverse("portal:ticket", args=[number]))
    conversation = customer.get_by_role("region", name="Conversation")
    expect(conversation).to_contain_text("we need some more information")
    customer.fill("#id_body", "I expected a PDF of the invoice; I get error 500.")
    customer.get_by_role("button", name="Send reply").click()
    expect(customer.locator(".messages")).to_contain_text("Your reply was added.")
    expect(customer.locator(".page-head .status-in_progress")).to_be_visible()

    # The agent offers a solution.
    agent.reload()
    assert queue_numbers(agent) == []
    agent.goto(base + reverse("desk:ticket", args=[number]))
    expect(agent.locator("#timeline")).to_contain_text("I expected a PDF of the invoice")
    assert sla_state(agent, "restore") == "running"
    agent.select_option("#id_status", "solution_offered")
    agent.fill("#id_note", "We installed the new printer driver on your server.")
    agent.get_by_role("button", name="Change status").click()
    expect(agent.locator(".page-head .status-solution_offered")).to_be_visible()
    assert sla_state(agent, "restore") == "met"
    screenshot(agent, "desk-ticket.png", full_page=True)

    # The customer confirms; the ticket leaves the open queue.
    customer.reload()
    solution = customer.get_by_role("region", name="We offered a solution")
    expect(solution).to_contain_text("We installed the new printer driver")
    screenshot(customer, "portal-ticket.png", full_page=True)
    customer.get_by_role("button", name="Yes, it is solved").click()
    expect(customer.locator(".messages")).to_contain_text("Thank you. The ticket is closed.")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    agent.goto(base + reverse("desk:queue", args=["open"]))
    assert number not in queue_numbers(agent)
    assert pages.errors == []


def test_it_lets_a_dutch_customer_ask_a_question(
    pages: Pages, live_server: LiveServer, contract: Contract, product: Product
) -> None:
    base = live_server.url
    make_contact(contract, "Joost Hendriks", "joost@vandenberg.example", language="nl")
    page = pages.new()
    sign_in(page, base, "joost@vandenberg.example")
    expect(page.locator("h1")).to_have_text("Mijn meldingen")
    page.get_by_role("link", name="Melden", exact=True).click()
    expect(page.locator("h1")).to_have_text("Wat wilt u melden?")
    page.get_by_role("link", name=re.compile("^Vraag")).click()
    expect(page.locator("#check")).to_contain_text("Beschrijf uw verzoek.")
    page.fill("#id_title", "Hoe exporteer ik de btw-aangifte?")
    page.select_option("#id_product", label="Kestrel Invoicing")
    page.fill("#id_description", "Waar vind ik de export van de btw-aangifte per kwartaal?")
    expect(page.locator("#check")).to_contain_text("Alles wat we nodig hebben is er.")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.locator("h1")).to_have_text("Bedankt, uw melding is geregistreerd")
    number = page.locator(".ticket-number").inner_text()
    page.get_by_role("link", name="Mijn meldingen").first.click()
    row = page.locator("tr", has_text=number)
    expect(row).to_contain_text("Nieuw")
    expect(row).to_contain_text("Vraag")
    assert pages.errors == []


def test_it_lets_a_french_agent_take_a_ticket_and_explains_refusals(
    pages: Pages, live_server: LiveServer, contract: Contract, product: Product
) -> None:
    base = live_server.url
    requester = make_contact(contract, "Claire Martin", "claire@vandenberg.example", "fr")
    ticket = make_ticket(
        requester,
        title="Le calcul de la paie échoue",
        product=product,
        impact="high",
        urgency="high",
        requested_priority="p1",
    )
    make_agent("camille", "Camille Dubois", language="fr")
    page = pages.new()
    sign_in(page, base, "camille")
    expect(page.locator("h1")).to_have_text("Mes tickets ouverts")
    page.get_by_role("link", name=re.compile("^Non attribués")).click()
    page.get_by_role("link", name=ticket.number).click()
    expect(page.get_by_role("heading", name="Niveaux de service")).to_be_visible()
    expect(page.locator('[data-sla="first_response"]')).to_contain_text("Première réponse")
    page.get_by_role("button", name="Prendre en charge").click()
    expect(page.locator(".messages")).to_contain_text("Vous avez pris ce ticket.")
    expect(page.locator(".page-head")).to_contain_text("En cours")
    page.select_option("#id_priority", "p3")
    page.get_by_role("button", name="Changer la priorité").click()
    expect(page.locator("#field-justification .errorlist")).to_have_text(
        "Expliquez pourquoi la priorité diffère de la demande du client."
    )
    assert pages.errors == []
