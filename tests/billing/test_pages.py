"""The web pages: the ticket page's time panel (timer, log form, entries, credit), the
desk's billing report and its CSV, the portal's credit page, the review pack's section."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from servicedesk.billing import services
from servicedesk.billing.models import RunningTimer, TimeEntry
from servicedesk.billing.report import billing_report
from servicedesk.reports.periods import parse_period
from servicedesk.reviewpack.access import PackReader
from servicedesk.reviewpack.pack import review_pack
from servicedesk.reviewpack.render import pack_document
from tests.billing.conftest import Desk, bundle
from tests.factories import ContactFactory, StaffFactory, make_ticket
from tests.portal.fixtures import login

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 14, tzinfo=datetime.UTC)
DAY = datetime.date(2026, 3, 10)
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "time"}


def ticket_page(client: Client, desk: Desk) -> str:
    answer = client.get(f"/desk/tickets/{desk.ticket.number}/")
    assert answer.status_code == 200
    return answer.content.decode()


def log(desk: Desk, minutes: int, **values: object) -> TimeEntry:
    values = {"worked_on": DAY, "activity": "consulting", "billable": True, "now": NOW, **values}
    return services.time_entry_create(
        actor=desk.agent,
        ticket=desk.ticket,
        minutes=minutes,
        **values,  # type: ignore[arg-type]
    )


def test_the_ticket_page_shows_the_time_panel_with_totals_and_credit(desk: Desk) -> None:
    bundle(desk.contract, 2, name="Credit 2026")
    log(desk, 90, note="Looked at the printer driver")
    log(desk, 30, billable=False)
    page = ticket_page(login(desk.agent), desk)
    assert 'id="time"' in page
    assert "Looked at the printer driver" in page
    assert "data-time-total>2:00 h<" in page
    assert "data-time-billable>1:30 h<" in page
    assert "Credit 2026" in page and "1:30 h of 2:00 h used, 0:30 h left" in page


def test_the_timer_survives_a_reload_and_fills_the_log_form(desk: Desk) -> None:
    client = login(desk.agent)
    start = f"/billing/tickets/{desk.ticket.number}/timer/start/"
    stop = f"/billing/tickets/{desk.ticket.number}/timer/stop/"
    with time_machine.travel(NOW, tick=False):
        answer = client.post(start)
    assert answer.status_code == 302
    assert 'data-timer="running"' in ticket_page(client, desk)  # a reload: still running
    with time_machine.travel(NOW + datetime.timedelta(minutes=25), tick=False):
        stopped = client.post(stop, **HTMX)  # type: ignore[arg-type]
    assert stopped.status_code == 200
    html = stopped.content.decode()
    assert html.lstrip().startswith('<section class="card panel" id="time"')
    assert 'value="0:25"' in html and 'data-timer="stopped"' in html
    assert not RunningTimer.objects.exists()
    with time_machine.travel(NOW, tick=False):
        client.post(start)
    with time_machine.travel(NOW + datetime.timedelta(minutes=61), tick=False):
        plain = client.post(stop)  # without HTMX: back to the page, the form filled
    assert plain["Location"].endswith(f"/desk/tickets/{desk.ticket.number}/?timer_minutes=61#time")
    assert 'value="1:01"' in client.get(plain["Location"]).content.decode()


def test_the_log_form_logs_time_and_shows_its_errors(desk: Desk) -> None:
    client = login(desk.agent)
    url = f"/billing/tickets/{desk.ticket.number}/time/"
    form = {
        "time-duration": "1:15",
        "time-worked_on": "2026-03-10",
        "time-activity": "testing",
        "time-billable": "covered",
        "time-note": "Reproduced",
    }
    with time_machine.travel(NOW, tick=False):
        saved = client.post(url, form, **HTMX)  # type: ignore[arg-type]
        wrong = client.post(url, {**form, "time-duration": "soon"}, **HTMX)  # type: ignore[arg-type]
    assert saved.status_code == 200
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.activity, entry.billable, entry.note) == (
        75,
        "testing",
        False,
        "Reproduced",
    )
    assert "1:15 h" in saved.content.decode()
    assert wrong.status_code == 400
    assert "Write a duration" in wrong.content.decode()
    assert TimeEntry.objects.count() == 1


def test_an_entry_is_changed_and_deleted_from_the_panel(desk: Desk) -> None:
    bundle(desk.contract, 1)
    entry = log(desk, 90)
    client = login(desk.agent)
    prefix = f"entry{entry.pk}"
    with time_machine.travel(NOW, tick=False):
        changed = client.post(
            f"/billing/time/{entry.pk}/",
            {
                f"{prefix}-duration": "45",
                f"{prefix}-worked_on": "2026-03-10",
                f"{prefix}-activity": "consulting",
                f"{prefix}-billable": "billable",
                f"{prefix}-note": "",
            },
            **HTMX,  # type: ignore[arg-type]
        )
    assert changed.status_code == 200
    entry.refresh_from_db()
    assert (entry.minutes, entry.overuse_minutes) == (45, 0)  # consumption recomputed
    assert client.post(f"/billing/time/{entry.pk}/delete/").status_code == 302
    assert not TimeEntry.objects.exists()


def test_customers_see_no_time_panel_and_may_not_post(desk: Desk) -> None:
    log(desk, 30, note="Internal remark")
    assert desk.cpc.user is not None
    customer = login(desk.cpc.user)
    portal = customer.get(f"/portal/tickets/{desk.ticket.number}/")
    assert portal.status_code == 200
    assert b"Internal remark" not in portal.content
    assert customer.post(f"/billing/tickets/{desk.ticket.number}/timer/start/").status_code == 403
    form = {"time-duration": "5", "time-activity": "other", "time-billable": "covered"}
    assert customer.post(f"/billing/tickets/{desk.ticket.number}/time/", form).status_code == 403
    entry = TimeEntry.objects.get()
    assert customer.post(f"/billing/time/{entry.pk}/delete/").status_code == 403
    assert TimeEntry.objects.count() == 1 and not RunningTimer.objects.exists()


def test_the_desk_page_takes_the_same_queries_however_many_entries(desk: Desk) -> None:
    bundle(desk.contract, 5)
    client = login(desk.agent)
    log(desk, 10)
    ticket_page(client, desk)
    with CaptureQueriesContext(connection) as few:
        ticket_page(client, desk)
    for _ in range(6):
        log(desk, 10)
    with CaptureQueriesContext(connection) as many:
        ticket_page(client, desk)
    assert len(many) == len(few)


# ----------------------------------------------------------------------------- report


def test_the_billing_report_page_and_its_csv(desk: Desk) -> None:
    bundle(desk.contract, 1, name="Credit 2026")
    log(desk, 90)
    client = login(desk.manager)
    query = f"organisation={desk.contract.organisation_id}&period=2026-03"
    page = client.get(f"/billing/report/?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-ticket="{desk.ticket.number}"' in html
    assert 'data-figure="overuse">0:30 h<' in html
    csv = client.get(f"/billing/report/csv/?{query}")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv["Content-Disposition"].endswith(
        f'billable-{desk.contract.organisation.code}-2026-03.csv"'
    )
    assert "1.50,1.00,0.50" in csv.content.decode("utf-8-sig")
    assert client.get("/billing/report/?organisation=x").status_code == 400


def test_the_billing_report_is_for_readers_of_reports(desk: Desk) -> None:
    assert login(desk.agent).get("/billing/report/").status_code == 403
    assert desk.cpc.user is not None
    assert login(desk.cpc.user).get("/billing/report/").status_code == 403
    assert login(desk.lead).get("/billing/report/").status_code == 200
    assert "data-billing-report" in ticket_page(login(desk.lead), desk)  # linked for them
    assert "data-billing-report" not in ticket_page(login(desk.agent), desk)


def test_the_billing_report_sums_in_a_fixed_number_of_queries(desk: Desk) -> None:
    bundle(desk.contract, 3)
    period = parse_period("2026-03", time_zone="Europe/Amsterdam")
    log(desk, 30)
    with CaptureQueriesContext(connection) as few:
        billing_report(organisation=desk.contract.organisation, period=period)
    for n in range(5):
        services.time_entry_create(
            actor=desk.agent,
            ticket=make_ticket(desk.requester, title=f"T{n}"),
            minutes=30,
            worked_on=DAY,
            activity="training",
            billable=True,
            now=NOW,
        )
    with CaptureQueriesContext(connection) as many:
        report = billing_report(organisation=desk.contract.organisation, period=period)
    assert len(report.work) == 6
    assert len(many) == len(few) == 2


# ----------------------------------------------------------------------------- portal


def test_the_cpc_reads_the_credit_of_their_organisation(desk: Desk) -> None:
    credit = bundle(desk.contract, 10, name="Credit 2026")
    log(desk, 120, note="Internal remark")
    assert desk.cpc.user is not None
    client = login(desk.cpc.user)
    page = client.get("/billing/credit/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-bundle="{credit.pk}"' in html
    assert "data-used>2:00 h<" in html and "data-remaining>8:00 h<" in html
    assert "Internal remark" not in html
    assert 'href="/billing/credit/"' in html  # in the portal's navigation
    assert client.get(f"/billing/credit/{desk.contract.pk}/").status_code == 200


def test_no_one_else_reads_the_credit(desk: Desk) -> None:
    bundle(desk.contract, 10)
    assert desk.requester.user is not None
    assert login(desk.requester.user).get("/billing/credit/").status_code == 403  # not the CPC
    other_cpc = ContactFactory(is_cpc=True)  # another organisation's CPC
    assert other_cpc.user is not None
    other = login(other_cpc.user)
    answer = other.get(f"/billing/credit/{desk.contract.pk}/")
    assert answer.status_code == 404
    assert (
        f'data-contract="{desk.contract.pk}"' not in other.get("/billing/credit/").content.decode()
    )


# ----------------------------------------------------------------------------- review pack


def test_the_review_pack_shows_the_credit_of_the_quarter(desk: Desk) -> None:
    credit = bundle(desk.contract, 2, name="Credit 2026")
    log(desk, 150)
    quarter = parse_period("2026-Q1", time_zone="Europe/Amsterdam")
    reader = PackReader(desk.cpc.user, desk.contract.organisation, internal=False)  # type: ignore[arg-type]
    pack = review_pack(reader, quarter=quarter, months=3, now=NOW)
    html = str(pack_document(pack))
    assert 'id="pack-credit"' in html
    assert f'data-bundle="{credit.pk}"' in html
    assert 'data-figure="overuse">0:30 h<' in html


def test_another_agent_may_not_change_or_delete_an_entry(desk: Desk) -> None:
    entry = log(desk, 30)
    other = login(StaffFactory())
    prefix = f"entry{entry.pk}"
    form = {
        f"{prefix}-duration": "5",
        f"{prefix}-worked_on": "2026-03-10",
        f"{prefix}-activity": "other",
        f"{prefix}-billable": "covered",
    }
    assert other.post(f"/billing/time/{entry.pk}/", form).status_code == 403
    assert other.post(f"/billing/time/{entry.pk}/delete/").status_code == 403
    entry.refresh_from_db()
    assert entry.minutes == 30


def test_the_panel_adds_no_element_id_the_page_has_already(desk: Desk) -> None:
    log(desk, 30)
    page = ticket_page(login(desk.lead), desk)
    start = page.index('<section class="card panel" id="time"')
    panel = page[start : page.index("</section>", start)]
    ids = re.findall(r'\bid="([^"]+)"', page)
    for name in re.findall(r'\bid="([^"]+)"', panel):
        assert ids.count(name) == 1, name
