"""The outage report: per product and period, duration, linked tickets, promises kept."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicedesk.outages import services
from servicedesk.outages.models import Outage, OutageState
from servicedesk.outages.reports import outage_report
from servicedesk.reports.periods import parse_period
from servicedesk.reviewpack.access import pack_reader
from servicedesk.reviewpack.pack import review_pack
from servicedesk.reviewpack.render import pack_document
from tests.automation.helpers import at, local
from tests.factories import make_ticket
from tests.outages.factories import World, publish, world

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
START, END = local(2026, 2, 1), local(2026, 3, 1)
NOW = local(2026, 3, 15, 12, 0)


def resolve(w: World, outage: Outage, when: datetime.datetime) -> None:
    with at(when):
        services.outage_update_post(
            actor=w.lead, outage=outage, text="Solved.", state=OutageState.RESOLVED, cause="A bug."
        )


@pytest.fixture
def w() -> World:
    return world()


@pytest.fixture
def outages(w: World) -> dict[str, Outage]:
    with at(local(2026, 2, 2, 9, 0)):
        late = publish(w, title="Late")
    with at(local(2026, 2, 2, 11, 30)):  # promised by 11:00
        services.outage_update_post(
            actor=w.lead, outage=late, text="Found it.", state=OutageState.IDENTIFIED
        )
    resolve(w, late, local(2026, 2, 2, 12, 0))
    with at(local(2026, 2, 10, 9, 0)):
        kept = publish(w, title="Kept", products=[w.payroll, w.other])
        services.outage_tickets_link(
            actor=w.agent,
            outage=kept,
            tickets=[
                make_ticket(requester=w.user_a, product=w.payroll),
                make_ticket(requester=w.user_b, product=w.payroll),
            ],
        )
    resolve(w, kept, local(2026, 2, 10, 10, 0))
    with at(local(2026, 2, 20, 9, 0)):
        open_overdue = publish(w, title="Still open")
    with at(local(2026, 4, 1, 9, 0)):
        later = publish(w, title="Another quarter")
    return {"late": late, "kept": kept, "open": open_overdue, "later": later}


def test_it_reports_per_product_in_the_database(w: World, outages: dict[str, Outage]) -> None:
    report = outage_report(user=w.lead, start=START, end=END, now=NOW)
    rows = {row.product: row for row in report.rows}
    assert set(rows) == {"Payroll", "Time registration"}
    payroll, other = rows["Payroll"], rows["Time registration"]
    assert payroll.outages == 3 and other.outages == 1
    open_for = NOW - local(2026, 2, 20, 9, 0)
    assert payroll.duration == 3 * HOUR + HOUR + open_for
    assert other.duration == HOUR
    assert payroll.linked_tickets == 2 and other.linked_tickets == 2
    assert payroll.on_time == 1 and payroll.late == 2  # one update late, one overdue now
    assert other.on_time == 1
    lines = {line.title: line for line in report.outages}
    assert set(lines) == {"Late", "Kept", "Still open"}
    assert lines["Late"].late_updates == 1 and not lines["Late"].on_time
    assert lines["Late"].updates == 3
    assert lines["Kept"].on_time and lines["Kept"].linked_tickets == 2
    assert not lines["Still open"].on_time and lines["Still open"].resolved_at is None


def test_it_counts_only_what_a_customer_may_see(w: World, outages: dict[str, Outage]) -> None:
    report = outage_report(user=w.user_a.user, start=START, end=END, now=NOW)
    assert {row.product for row in report.rows} == {"Payroll"}
    assert {line.title: line.linked_tickets for line in report.outages}["Kept"] == 1
    # C has only time registration: the one outage about it, none of A's or B's tickets.
    (row,) = outage_report(user=w.cpc_c.user, start=START, end=END, now=NOW).rows
    assert (row.product, row.outages, row.linked_tickets) == ("Time registration", 1, 0)


def test_it_reports_one_organisation_for_its_review_pack(
    w: World, outages: dict[str, Outage]
) -> None:
    report = outage_report(
        user=w.lead, start=START, end=END, now=NOW, organisation_id=w.cpc_a.organisation_id
    )
    assert [row.product for row in report.rows] == ["Payroll"]  # A has no time registration
    assert {line.title: line.linked_tickets for line in report.outages}["Kept"] == 1


def test_it_reads_in_a_constant_number_of_queries(w: World) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            outage_report(user=w.lead, start=START, end=END, now=NOW)
        return len(queries)

    with at(local(2026, 2, 3, 9, 0)):
        publish(w)
    few = count()
    with at(local(2026, 2, 4, 9, 0)):
        for n in range(5):
            publish(w, title=f"Outage {n}", products=[w.payroll, w.other])
    assert count() == few


def test_it_has_a_section_in_the_service_review_pack(w: World, outages: dict[str, Outage]) -> None:
    manager = w.service_manager
    quarter = parse_period("2026-Q1", time_zone="Europe/Amsterdam")
    reader = pack_reader(manager, organisation_id=w.cpc_a.organisation_id)
    html = pack_document(review_pack(reader, quarter=quarter, months=3, now=NOW))
    section = html[html.index('id="pack-outages"') : html.index('id="pack-rules"')]
    row = re.search(rf'data-product="{w.payroll.pk}">(.*?)</tr>', section)
    assert row is not None
    cells = dict(re.findall(r'data-cell="([a-z-]+)">([^<]*)<', row.group(1)))
    assert cells == {"outages": "3", "linked": "1", "on-time": "1 / 3"}
    assert "Time registration" not in section  # not a product of A's
