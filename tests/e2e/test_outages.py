"""Outage communication in a real browser: a Dutch and a French customer see the banner and
the status page in their own language and time zone, subscribe to the notices by e-mail,
and attach a new report to the current notice; a team lead publishes a notice in the desk.

The labels checked here are msgids the nl and fr catalogues already translate ("Product",
"History") and Django's own month names; the dates are Django's nl and fr formats.
"""

import datetime

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from servicedesk.accounts.models import StaffRole
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.outages.models import Outage, OutageSubscription, OutageTicket
from servicedesk.outages.services import outage_create, outage_update_post
from servicedesk.tickets.models import Ticket
from tests.e2e.conftest import Pages, make_agent, make_contact, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# 08:00 UTC is 09:00 in Amsterdam (the contacts' time zone) in November.
STARTED = datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC)


def publish(product: Product) -> Outage:
    lead = make_agent("tara", "Tara Lead")
    lead.role = StaffRole.TEAM_LEAD
    lead.save(update_fields=["role"])
    outage = outage_create(
        actor=lead,
        title="Facturen versturen mislukt",
        products=[product],
        started_at=STARTED,
        symptoms="Bij het versturen verschijnt “server niet bereikbaar”.",
        impact="high",
        manager=lead,
    )
    outage_update_post(
        actor=lead, outage=outage, text="De oorzaak is gevonden.", state="identified"
    )
    return outage


@pytest.mark.parametrize(
    ("language", "product_label", "history", "long_date", "short_date"),
    [
        ("nl", "Product", "Geschiedenis", "2 november 2026 09:00", "2-11-2026 09:00"),
        ("fr", "Produit", "Historique", "2 novembre 2026 09:00", "02/11/2026 09:00"),
    ],
)
def test_a_customer_reads_the_banner_and_the_status_page_in_their_language(
    pages: Pages,
    live_server: LiveServer,
    contract: Contract,
    product: Product,
    language: str,
    product_label: str,
    history: str,
    long_date: str,
    short_date: str,
) -> None:
    outage = publish(product)
    contact = make_contact(contract, "Joost Hendriks", f"joost-{language}@klant.example", language)
    page = pages.new()
    sign_in(page, live_server.url, contact.email)

    expect(page.locator("html")).to_have_attribute("lang", language)
    banner = page.locator("#outage-banner")
    expect(banner).to_contain_text("Facturen versturen mislukt")
    expect(banner.locator("dt").first).to_have_text(product_label)
    expect(banner.locator("[data-products]")).to_have_text("Kestrel Invoicing")
    since = banner.locator("[data-since] time")
    expect(since).to_have_text(short_date)
    expect(since).to_have_attribute("title", long_date)
    expect(banner.locator("[data-next-update] time")).to_be_visible()

    # The banner's control subscribes the contact to every product's notices.
    banner.locator("[data-subscription-control] button").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator('#outage-banner input[name="action"]')).to_have_value("unsubscribe")
    assert OutageSubscription.objects.filter(contact=contact, product=None).exists()

    page.locator("#outage-banner").get_by_role("link", name="Facturen versturen mislukt").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_have_text("Facturen versturen mislukt")
    expect(page.get_by_role("heading", name=history)).to_be_visible()
    expect(page.locator("[data-updates]")).to_contain_text("De oorzaak is gevonden.")
    expect(page.locator("[data-since] time")).to_have_attribute("title", long_date)

    page.goto(f"{live_server.url}/status/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    notice = page.locator(f'[data-outage="{outage.pk}"]')
    expect(notice.locator("dt").first).to_have_text(product_label)
    expect(notice.locator("[data-since] time")).to_have_text(short_date)
    expect(notice.get_by_role("heading", name=history)).to_be_visible()
    expect(page.locator("#outage-banner")).to_have_count(0)  # the page lists it itself
    assert pages.errors == []


def test_a_customer_attaches_a_report_to_the_current_notice(
    pages: Pages, live_server: LiveServer, contract: Contract, product: Product
) -> None:
    outage = publish(product)
    contact = make_contact(contract, "Carla Klant", "carla@klant.example")
    page = pages.new()
    sign_in(page, live_server.url, contact.email)
    page.goto(f"{live_server.url}/portal/report/incident/")
    page.fill("#id_title", "Invoices are not sent")
    with page.expect_response(lambda response: "/portal/outages/hint/" in response.url):
        page.select_option("#id_product", label="Kestrel Invoicing")
    hint = page.locator("#outage-hint")
    expect(hint).to_contain_text("Facturen versturen mislukt")
    hint.get_by_label("My report is about this disruption").check()
    page.fill("#id_steps_taken", "Opened an invoice and pressed Send.")
    page.fill("#id_expected_result", "The invoice is sent.")
    page.fill("#id_actual_result", "Server unavailable.")
    page.check("input[name=reproducible][value=yes]")
    page.fill("#id_administration", "Main company")
    page.fill("#id_affected_users", "Everyone")
    page.fill("#id_business_impact", "No invoices go out.")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".ticket-number")).to_be_visible()
    ticket = Ticket.objects.get(number=page.locator(".ticket-number").inner_text().strip())
    assert OutageTicket.objects.filter(outage=outage, ticket=ticket).exists()
    assert pages.errors == []


def test_a_team_lead_publishes_a_notice_and_links_tickets(
    pages: Pages, live_server: LiveServer, contract: Contract, product: Product
) -> None:
    lead = make_agent("tara", "Tara Lead")
    lead.role = StaffRole.TEAM_LEAD
    lead.save(update_fields=["role"])
    page = pages.new()
    sign_in(page, live_server.url, lead.username)
    page.get_by_role("link", name="Outages").click()
    page.get_by_role("link", name="New notice").click()
    page.fill("#id_title", "Login fails for everyone")
    page.select_option("#id_products", label="ERP & Finance · Kestrel Invoicing")
    page.fill("#id_started_at", "2026-11-02T09:00")
    page.fill("#id_symptoms", "The sign-in page answers “try again later”.")
    page.get_by_role("button", name="Publish the notice").click()
    expect(page.locator("h1")).to_have_text("Login fails for everyone")
    outage = Outage.objects.get(title="Login fails for everyone")
    assert outage.started_at == STARTED

    page.fill("#id_text", "We restarted the sign-in service.")
    page.select_option("#id_state", "monitoring")
    page.get_by_role("button", name="Publish the update").click()
    expect(page.locator("#history")).to_contain_text("We restarted the sign-in service.")
    expect(page.locator(".page-head [data-state]")).to_have_attribute("data-state", "monitoring")
    assert pages.errors == []
