"""Who makes and who downloads the pack, tried from every side; the PDF read back with
pdftotext; the pack in the customer's language."""

import re
import shutil
import subprocess
from collections.abc import Callable

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from servicedesk.accounts.models import StaffRole, User
from servicedesk.reports.access import ReportReader
from servicedesk.reports.compliance import VERDICT_LABELS, Scope, compliance_report
from servicedesk.reports.periods import parse_period
from servicedesk.reviewpack.access import (
    PackNotFound,
    customer_pack_reader,
    pack_reader,
    pack_recipient,
)
from servicedesk.ui import display
from tests.factories import ContactFactory, StaffFactory
from tests.portal.fixtures import login
from tests.reviewpack.conftest import (
    AFTER_QUARTER,
    QUARTER,
    Customer,
    make_customer,
    tell_a_quarter,
)

pytestmark = pytest.mark.django_db
URL = reverse("desk:review-pack")
PDF_URL = reverse("desk:review-pack-pdf")
PORTAL_URL = reverse("portal:review-packs")
TZ = "Europe/Amsterdam"


def portal_pdf_url(code: str, quarter: str = QUARTER) -> str:
    return reverse("portal:review-pack-pdf", args=[code, quarter])


def choice(customer: Customer, **changes: object) -> dict[str, object]:
    values = {
        "organisation": customer.organisation.pk,
        "quarter": QUARTER,
        "months": 3,
        "edition": "customer",
    }
    return values | changes


def pdf_text(pdf: bytes) -> str:
    """Return the PDF's text as pdftotext reads it, one table row a line."""
    assert pdf.startswith(b"%PDF-")
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: apt-get install poppler-utils"
    result = subprocess.run(  # noqa: S603 -- a fixed program on our own PDF
        [pdftotext, "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode()


def cpc_client(customer: Customer) -> Client:
    return login(customer.cpc.user)


# -- the desk -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (StaffRole.SERVICE_MANAGER, 200),
        (StaffRole.ADMINISTRATOR, 200),
        (StaffRole.TEAM_LEAD, 403),
        (StaffRole.AGENT, 403),
    ],
)
def test_service_managers_and_administrators_make_packs_agents_and_team_leads_do_not(
    role_client: Callable[[str], Client], customer: Customer, role: str, status: int
) -> None:
    client = role_client(role)

    assert client.get(URL).status_code == status
    assert client.get(URL, choice(customer)).status_code == status
    assert client.get(PDF_URL, choice(customer)).status_code == status


def test_customers_are_refused_the_desk_and_strangers_asked_to_sign_in(
    customer: Customer,
) -> None:
    assert cpc_client(customer).get(URL, choice(customer)).status_code == 403
    assert cpc_client(customer).get(PDF_URL, choice(customer)).status_code == 403
    response = Client().get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_customer_may_not_read_the_internal_edition_by_any_door(customer: Customer) -> None:
    assert customer.cpc.user is not None
    with pytest.raises(PermissionDenied):
        pack_reader(customer.cpc.user, organisation_id=customer.organisation.pk, internal=True)
    reader = customer_pack_reader(customer.cpc.user, organisation_code="kestrel")
    assert not reader.internal


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("organisation", 987654),
        ("organisation", "x"),
        ("quarter", "2026-Q5"),
        ("quarter", "2026-03"),
        ("quarter", "2099-Q1"),
        ("quarter", "next"),
        ("months", 7),
        ("edition", "everything"),
    ],
)
def test_a_choice_that_is_not_valid_gets_a_field_error(
    manager_client: Client, customer: Customer, field: str, value: object
) -> None:
    response = manager_client.get(URL, choice(customer, **{field: value}))

    assert response.status_code == 400
    assert re.search(rf'has-error"><label for="id_{field}"', response.content.decode())
    pdf = manager_client.get(PDF_URL, choice(customer, **{field: value}))
    assert pdf.status_code == 400
    assert pdf["Content-Type"].startswith("text/html")


def test_the_desk_menu_shows_the_entry_to_those_who_make_packs(
    role_client: Callable[[str], Client],
) -> None:
    queue = reverse("desk:queue", args=["open"])
    assert f'href="{URL}"' in role_client(StaffRole.SERVICE_MANAGER).get(queue).content.decode()
    assert f'href="{URL}"' not in role_client(StaffRole.AGENT).get(queue).content.decode()


def test_the_pdf_holds_the_figures_of_the_compliance_report(
    customer: Customer, agent: User, manager_client: Client
) -> None:
    tell_a_quarter(customer, agent)

    with time_machine.travel(AFTER_QUARTER, tick=False):
        response = manager_client.get(PDF_URL, choice(customer))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="service-review-kestrel-2026-Q1.pdf"' in response["Content-Disposition"]
    lines = [" ".join(line.split()) for line in pdf_text(response.content).splitlines()]
    assert "Kestrel Logistics BV" in lines
    report = compliance_report(
        ReportReader(organisation_id=customer.organisation.pk, internal=False, time_zone=TZ),
        period=parse_period(QUARTER, time_zone=TZ),
        scope=Scope(organisation_id=customer.organisation.pk),
        now=AFTER_QUARTER,
    )
    assert report.customer_facing
    for row in report.customer_facing:
        expected = " ".join(
            [
                display.clock_label(row.key),
                display.priority_short(row.priority),
                f"{row.target_seconds // 3600} h",
                f"{row.objective_percent:g}%",
                str(row.measured),
                str(row.met),
                str(row.missed),
                str(row.running),
                f"{row.share_percent:g}%",
                str(VERDICT_LABELS[row.verdict]),
            ]
        )
        assert expected in lines, expected
    assert "Workaround High 24 h 90% 29 26 3 0 89.7% Not met" in lines


# -- the portal -----------------------------------------------------------------------------


def test_the_cpc_downloads_their_organisations_pack_in_the_portal(
    customer: Customer, other_customer: Customer, agent: User
) -> None:
    tell_a_quarter(customer, agent)
    theirs = other_customer.report(AFTER_QUARTER.replace(month=2))
    client = cpc_client(customer)

    with time_machine.travel(AFTER_QUARTER, tick=False):
        page = client.get(PORTAL_URL)
        listed = re.findall(r'href="([^"]+\.pdf)"', page.content.decode())
        response = client.get(portal_pdf_url("kestrel"))

    assert page.status_code == 200
    assert portal_pdf_url("kestrel", "2026-Q2") == listed[0]  # the running quarter first
    assert portal_pdf_url("kestrel", "2026-Q1") in listed
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Kestrel Logistics BV" in text
    assert "89.7%" in text
    assert theirs.number not in text
    assert "Bravo" not in text


def test_the_cpc_of_another_organisation_is_told_there_is_no_such_pack(
    customer: Customer, other_customer: Customer
) -> None:
    response = cpc_client(other_customer).get(portal_pdf_url("kestrel"))

    assert response.status_code == 404
    assert cpc_client(other_customer).get(portal_pdf_url("no-such-org")).status_code == 404
    with pytest.raises(PackNotFound):
        customer_pack_reader(other_customer.cpc.user, organisation_code="kestrel")


def test_a_contact_who_is_not_the_cpc_is_refused(customer: Customer) -> None:
    client = login(customer.reporter.user)
    colleague = ContactFactory(organisation=customer.organisation)

    assert client.get(PORTAL_URL).status_code == 403
    assert client.get(portal_pdf_url("kestrel")).status_code == 403
    assert login(colleague.user).get(portal_pdf_url("kestrel")).status_code == 403
    tickets = client.get(reverse("portal:tickets")).content.decode()
    assert PORTAL_URL not in tickets
    assert PORTAL_URL in cpc_client(customer).get(reverse("portal:tickets")).content.decode()


def test_staff_use_the_desk_not_the_portal(customer: Customer) -> None:
    manager = StaffFactory(role=StaffRole.SERVICE_MANAGER)
    client = login(manager)

    assert client.get(PORTAL_URL).status_code == 403
    assert client.get(portal_pdf_url("kestrel")).status_code == 403
    with pytest.raises(PermissionDenied):
        pack_recipient(manager)
    assert Client().get(portal_pdf_url("kestrel")).status_code == 302


@pytest.mark.parametrize("quarter", ["2026-Q5", "2026-03", "2026", "2099-Q1", "Q1-2026"])
def test_a_quarter_that_is_not_one_is_not_found(customer: Customer, quarter: str) -> None:
    with time_machine.travel(AFTER_QUARTER, tick=False):
        response = cpc_client(customer).get(portal_pdf_url("kestrel", quarter))

    assert response.status_code == 404


# -- the customer's language ----------------------------------------------------------------


def test_the_pack_is_in_dutch_for_a_dutch_customer(agent: User, manager_client: Client) -> None:
    dutch = make_customer("Gemeente Hollands Kroon", "hollands-kroon", language="nl")
    tell_a_quarter(dutch, agent)

    with time_machine.travel(AFTER_QUARTER, tick=False):
        page = manager_client.get(URL, choice(dutch)).content.decode()
        pdf = cpc_client(dutch).get(portal_pdf_url("hollands-kroon"))

    assert '<article class="review-pack" lang="nl"' in page
    assert '<html lang="en"' in page  # the desk around it stays in the manager's language
    # Django's own Dutch: month names, and a decimal comma.
    text = " ".join(pdf_text(pdf.content).split())
    assert "1 januari 2026" in text
    assert "31 maart 2026" in text
    assert "89,7%" in text
    assert "89.7%" not in text
    assert re.search(r"\bJan\b.*\bFeb\b.*\bMrt\b", text)  # the charts' months
