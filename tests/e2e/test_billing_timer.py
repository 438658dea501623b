"""The time panel's timer in a real browser: an agent starts it on a ticket, reloads the
page (it still runs: the server keeps it), stops it (the log form is filled with the time
it ran), saves, and the entry appears with the ticket's total."""

import pytest
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from servicedesk.billing.models import RunningTimer, TimeEntry
from servicedesk.contracts.models import Contract
from tests.e2e.conftest import Pages, make_agent, make_contact, sign_in
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_agent_times_work_on_a_ticket(
    pages: Pages, live_server: LiveServer, contract: Contract
) -> None:
    customer = make_contact(contract, "Carla Klant", "carla@klant.example")
    ticket = make_ticket(customer, title="Invoices do not print")
    agent = make_agent("tim", "Tim Timer")

    page = pages.new()
    sign_in(page, live_server.url, agent.username)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.number}/")
    panel = page.locator("#time")
    expect(panel.locator("[data-time-total]")).to_have_text("No time logged yet.")

    panel.locator("[data-timer-start]").click()
    expect(panel.locator('[data-timer="running"]')).to_be_visible()
    page.reload()
    expect(page.locator('#time [data-timer="running"]')).to_be_visible()  # still running
    assert RunningTimer.objects.filter(user=agent, ticket=ticket).exists()

    page.locator("#time [data-timer-stop]").click()
    expect(page.locator('#time [data-timer="stopped"]')).to_be_visible()
    expect(page.locator("#time [data-timer-stopped]")).to_be_visible()
    duration = page.locator("#time #id_time-duration")
    expect(duration).to_have_value("0:01")  # under a minute runs as one
    page.locator("#time #id_time-note").fill("Reproduced the print error")
    page.locator("#time [data-time-save]").click()

    expect(page.locator("#time [data-time-entries] tbody tr")).to_have_count(1)
    expect(page.locator("#time [data-time-total]")).to_have_text("0:01 h")
    expect(page.locator("#time [data-time-entries]")).to_contain_text("Reproduced the print error")
    entry = TimeEntry.objects.get(ticket=ticket)
    assert (entry.minutes, entry.user_id) == (1, agent.pk)
    assert not RunningTimer.objects.exists()
    assert pages.errors == []
