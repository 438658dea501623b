"""The desk's compliance page, its CSV download, its menu entry and the ticket page's
attribution: for team leads, service managers and administrators; not for agents."""

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import StaffRole, Supplier, User
from servicedesk.contracts.models import Contract
from servicedesk.tickets.models import Ticket
from tests.factories import ContactFactory, SupplierFactory
from tests.portal.fixtures import login
from tests.reports.conftest import Report, ams, to_supplier_and_back, workaround

pytestmark = pytest.mark.django_db
URL = reverse("desk:compliance")
CSV_URL = reverse("desk:compliance-csv")


@pytest.fixture
def late_ticket(p_contract: Contract, report: Report, agent: User, supplier: Supplier) -> Ticket:
    """A P2 incident of March 2026 whose reaction came 3 hours late, 2 of them with the
    supplier; its restore was met."""
    ticket = report(p_contract, ams(2026, 3, 2, 9), "p2")
    to_supplier_and_back(ticket, agent, supplier)
    workaround(ticket, agent, ams(2026, 3, 2, 16))
    return ticket


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (StaffRole.TEAM_LEAD, 200),
        (StaffRole.SERVICE_MANAGER, 200),
        (StaffRole.ADMINISTRATOR, 200),
        (StaffRole.AGENT, 403),
    ],
)
def test_it_opens_the_page_to_readers_of_reports_only(
    role_user: Callable[[str], User], role: str, status: int
) -> None:
    client = login(role_user(role))
    assert client.get(URL).status_code == status
    assert client.get(CSV_URL).status_code == status


def test_it_refuses_customers_and_asks_strangers_to_sign_in(p_contract: Contract) -> None:
    cpc = ContactFactory(organisation=p_contract.organisation, is_cpc=True)
    assert login(cpc.user).get(URL).status_code == 403
    response = Client().get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_shows_the_targets_the_verdicts_and_the_rules(
    late_ticket: Ticket, manager: User
) -> None:
    response = login(manager).get(URL, {"period": "2026-03"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "How compliance is counted" in page
    assert "a miss at its due time, not when the desk noticed it" in page
    assert 'data-target="first_response" data-priority="p2"' in page
    assert 'data-verdict="not_met"' in page  # reaction: 0 of 1 against 100%
    assert 'data-verdict="met"' in page  # restore: 1 of 1 against 95%
    assert "Of 3 h over target, 2 h with Supplier Acme Hosting" in page
    assert f"{CSV_URL}?period=2026-03" in page


def test_it_narrows_to_the_chosen_organisation(
    late_ticket: Ticket, manager: User, saas_contract: Contract
) -> None:
    client = login(manager)
    other = client.get(URL, {"period": "2026-03", "organisation": saas_contract.organisation_id})
    own = client.get(URL, {"period": "2026-03", "organisation": late_ticket.organisation_id})
    assert 'data-target="first_response"' not in other.content.decode()
    assert 'data-target="first_response"' in own.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "last year"}, "period"),
        ({"from": "2026-03-01"}, "to"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "from"),
        ({"organisation": "999999"}, "organisation"),
        ({"kind": "nonsense"}, "kind"),
    ],
)
def test_it_answers_a_bad_filter_with_a_field_error_not_a_crash(
    manager: User, query: dict[str, str], field: str
) -> None:
    response = login(manager).get(URL, query)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "How compliance is counted" in response.content.decode()


def test_it_downloads_the_report_as_csv(
    late_ticket: Ticket, manager: User, p_contract: Contract, report: Report
) -> None:
    report(p_contract, ams(2026, 3, 3, 9), "p3", kind="question")

    response = login(manager).get(CSV_URL, {"period": "2026-03"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="compliance-2026-03.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    reaction = next(r for r in rows if (r["target"], r["priority"]) == ("first_response", "p2"))
    assert (reaction["met"], reaction["missed"], reaction["verdict"]) == ("0", "1", "not_met")
    assert (reaction["over_target_hours"], reaction["over_supplier_hours"]) == ("3.00", "2.00")
    assert reaction["over_by_supplier"] == "Acme Hosting: 2.00"
    none = [r for r in rows if r["section"] == "no_target"]
    assert {r["target"] for r in none} == {"first_response", "restore"}
    assert all(r["tickets_without_target"] == "1" for r in none)


def test_it_keeps_a_formula_out_of_the_csv(
    p_contract: Contract, report: Report, agent: User, manager: User
) -> None:
    sneaky = SupplierFactory(name='=HYPERLINK("http://x.example")')
    ticket = report(p_contract, ams(2026, 3, 2, 9), "p2")
    to_supplier_and_back(ticket, agent, sneaky)
    workaround(ticket, agent, ams(2026, 3, 2, 16))

    text = login(manager).get(CSV_URL, {"period": "2026-03"}).content.decode("utf-8-sig")

    assert ",=HYPERLINK" not in text
    assert "'=HYPERLINK" in text


def test_it_puts_compliance_in_the_menu_of_readers_only(
    role_user: Callable[[str], User],
) -> None:
    lead = login(role_user(StaffRole.TEAM_LEAD)).get(reverse("desk:queue", args=["mine"]))
    agent = login(role_user(StaffRole.AGENT)).get(reverse("desk:queue", args=["mine"]))
    assert f'href="{URL}"' in lead.content.decode()
    assert f'href="{URL}"' not in agent.content.decode()


def test_the_ticket_page_shows_who_held_the_ticket(late_ticket: Ticket, agent: User) -> None:
    response = login(agent).get(reverse("desk:ticket", args=[late_ticket.number]))

    page = response.content.decode()
    assert 'id="sla-attribution"' in page
    assert "Of 3 h over target, 2 h with Supplier Acme Hosting." in page
    assert 'data-attribution="restore"' in page  # met after the supplier's 5 hours
    assert "Supplier Acme Hosting: 5 h" in page
