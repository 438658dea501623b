"""Billable work in a real browser: a Dutch customer reads that the work is billable and
agrees in the portal; the agent sees the agreement on the desk's coverage panel."""

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from servicedesk.contracts.models import Contract, RequestType
from servicedesk.coverage.models import Agreement, CoverageDecision, Decision
from servicedesk.coverage.services import coverage_decide
from tests.e2e.conftest import Pages, make_agent, make_contact, sign_in
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REASON = "Intern: adressen zelf fout ingevoerd"


def test_the_customer_agrees_to_billable_work_in_the_portal(
    pages: Pages, live_server: LiveServer, contract: Contract
) -> None:
    contract.billable_needs_agreement = True
    contract.save(update_fields=["billable_needs_agreement"])
    customer = make_contact(contract, "Carla Klant", "carla@klant.example", language="nl")
    customer.language = "nl"
    customer.save(update_fields=["language"])
    agent = make_agent("sanne", "Sanne de Vries")
    ticket = make_ticket(customer, kind="application_service", title="Adressen corrigeren")
    coverage_decide(
        ticket=ticket,
        actor=agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.DATA_MODIFICATION,
        reason=REASON,
    )

    page = pages.new()
    sign_in(page, live_server.url, customer.email)
    page.goto(f"{live_server.url}/portal/tickets/{ticket.number}/")
    block = page.locator("#billable")
    expect(block).to_be_visible()
    expect(block).to_have_attribute("data-billable", "awaiting")
    assert REASON not in page.content()
    block.locator("textarea[name=comment]").fill("Akkoord, graag deze week.")
    block.locator("button[name=answer][value=agree]").click()
    expect(page.locator("#billable")).to_have_attribute("data-billable", "agreed")
    expect(page.locator("#billable")).to_contain_text("Akkoord, graag deze week.")
    decision = CoverageDecision.objects.get(ticket=ticket)
    assert decision.agreement == Agreement.AGREED

    desk = pages.new()
    sign_in(desk, live_server.url, agent.username)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")
    panel = desk.locator("#coverage")
    expect(panel.locator("[data-agreement]")).to_have_attribute("data-agreement", "agreed")
    expect(panel).to_contain_text("Akkoord, graag deze week.")
    assert pages.errors == []
