"""The dashboard in a real browser: a service manager sees the live counts and this month's
compliance, and follows a count to the queue that lists its tickets."""

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from servicedesk.accounts.models import StaffRole
from servicedesk.contracts.models import Contract
from tests.e2e.conftest import Pages, make_agent, make_contact, screenshot, sign_in
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_service_manager_reads_the_dashboard(
    pages: Pages, live_server: LiveServer, contract: Contract
) -> None:
    customer = make_contact(contract, "Carla Klant", "carla@klant.example")
    for title in ("Invoices do not print", "Login fails", "Report is slow"):
        make_ticket(customer, title=title)
    manager = make_agent("sam", "Sam Manager")
    manager.role = StaffRole.SERVICE_MANAGER
    manager.save(update_fields=["role"])

    page = pages.new()
    sign_in(page, live_server.url, manager.username)
    page.click("nav >> text=Dashboard")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator('[data-count="open"]')).to_have_text("3")
    expect(page.locator('[data-count="unassigned_late"]')).to_have_text("0")
    expect(page.locator("#compliance-heading")).to_be_visible()
    screenshot(page, "desk-dashboard.png", full_page=True)

    page.click('[data-figure="open"]')
    expect(page.locator("table tbody tr")).to_have_count(3)
    assert pages.errors == []
