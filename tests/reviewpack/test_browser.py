"""The pack in a real browser (Debian's Chromium, see tests/e2e): the service manager's page
with its charts and no policy violation, and the CPC's download in the portal."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from servicedesk.accounts.models import StaffRole, User
from tests.e2e.conftest import (  # noqa: F401 -- the browser fixtures
    Pages,
    e2e_settings,
    pages,
    screenshot,
    sign_in,
    with_password,
)
from tests.factories import StaffFactory
from tests.reviewpack.conftest import QUARTER, Customer, tell_a_quarter

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_manager_sees_the_pack_and_the_cpc_downloads_it(
    pages: Pages,  # noqa: F811 -- the fixture imported above
    live_server: LiveServer,
    customer: Customer,
    agent: User,
) -> None:
    tell_a_quarter(customer, agent)
    manager = with_password(StaffFactory(username="sam", role=StaffRole.SERVICE_MANAGER))
    base = live_server.url

    desk = pages.new()
    sign_in(desk, base, manager.username)
    desk.click("text=Review pack")
    desk.select_option("#id_organisation", str(customer.organisation.pk))
    desk.fill("#id_quarter", QUARTER)
    desk.click("#pack-choice button[type=submit]")
    pack = desk.locator("article.review-pack")
    expect(pack.locator("h1")).to_have_text("Kestrel Logistics BV")
    expect(pack.locator('svg[data-target="workaround:high"] rect')).to_have_count(3)
    expect(pack.locator('#customer-targets tr[data-target="workaround"] .verdict')).to_have_text(
        "Not met"
    )
    expect(desk.locator("a", has_text="Download PDF")).to_be_visible()
    screenshot(desk, "desk-review-pack.png", full_page=True)

    portal = pages.new()
    assert customer.cpc.user is not None
    sign_in(portal, base, with_password(customer.cpc.user).username)
    portal.goto(f"{base}{reverse('portal:tickets')}")
    portal.click("text=Service review")
    link = portal.locator(f'a[href$="/{QUARTER}.pdf"]')
    with portal.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "service-review-kestrel-2026-Q1.pdf"
    assert pages.errors == []
