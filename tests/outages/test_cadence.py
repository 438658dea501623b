"""The worker keeps the cadence: warnings, escalations and the close, each once."""

import datetime

import pytest

from servicedesk.accounts.models import StaffRole
from servicedesk.automation.models import RaciEntry, RaciStep
from servicedesk.outages import services
from servicedesk.outages.fanout import outages_run
from servicedesk.outages.models import OutageState
from servicedesk.tickets.models import Kind
from tests.automation.helpers import at, local
from tests.factories import StaffFactory
from tests.outages.factories import addresses, outage_mails, publish, world

pytestmark = pytest.mark.django_db
T0 = local(2026, 3, 2, 10, 0)
HOUR = datetime.timedelta(hours=1)
MIN = datetime.timedelta(minutes=1)


def alerts(prefix: str) -> list[str]:
    return addresses(outage_mails(kind="outage_alert", dedupe_key__startswith=prefix))


def test_it_warns_and_escalates_once_each() -> None:
    w = world()
    with at(T0):
        publish(w)
    for minute in (104, 105, 106):  # warn at 11:45
        report = outages_run(now=T0 + minute * MIN)
    assert alerts("outage_warn:") == [w.lead.email]
    assert report.warned == 0  # the last run had nothing left
    outages_run(now=T0 + 2 * HOUR)
    outages_run(now=T0 + 2 * HOUR + MIN)
    assert alerts("outage_late:") == sorted([w.lead.email, w.service_manager.email])


def test_it_follows_the_raci_matrix_for_escalations() -> None:
    w = world()
    admin = StaffFactory(role=StaffRole.ADMINISTRATOR)
    RaciEntry.objects.create(
        step=RaciStep.OUTAGE, kind=Kind.INCIDENT, role=StaffRole.ADMINISTRATOR, letter="A"
    )
    with at(T0):
        publish(w)
    outages_run(now=T0 + 2 * HOUR)
    assert alerts("outage_late:") == sorted([w.lead.email, w.service_manager.email, admin.email])


def test_it_moves_its_looks_with_the_promise() -> None:
    w = world()
    with at(T0):
        outage = publish(w)
    with at(T0 + HOUR):
        services.outage_edit(actor=w.lead, outage=outage, cadence=datetime.timedelta(hours=24))
    outages_run(now=T0 + 3 * HOUR)  # the old 2-hour promise: no longer due
    assert outage_mails(kind="outage_alert") == []
    outages_run(now=T0 + 24 * HOUR)
    assert alerts("outage_late:") == sorted([w.lead.email, w.service_manager.email])


def test_it_neither_warns_nor_escalates_a_resolved_notice() -> None:
    w = world()
    with at(T0):
        outage = publish(w)
    with at(T0 + HOUR):
        services.outage_update_post(
            actor=w.lead, outage=outage, text="Solved.", state=OutageState.RESOLVED, cause="A bug."
        )
    report = outages_run(now=T0 + 3 * HOUR)
    assert outage_mails(kind="outage_alert") == []
    assert report.closed == 0
    report = outages_run(now=T0 + 5 * HOUR)
    outage.refresh_from_db()
    assert report.closed == 1 and outage.state == OutageState.CLOSED
    assert outage.closed_at == T0 + 5 * HOUR
    assert outages_run(now=T0 + 6 * HOUR).closed == 0
