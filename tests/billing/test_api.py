"""The API: a ticket's time entries (staff only; another organisation's contact gets a 404,
a customer of the ticket a 403, never an entry or a note), and the billable report."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from servicedesk.billing import services
from servicedesk.billing.models import TimeEntry
from tests.billing.conftest import Desk, bundle
from tests.conftest import client_for
from tests.factories import ContactFactory, StaffFactory, make_ticket

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)
NOW = datetime.datetime(2026, 3, 10, 14, tzinfo=datetime.UTC)


def url(desk: Desk) -> str:
    return f"/api/v1/tickets/{desk.ticket.number}/time-entries/"


def log(desk: Desk, minutes: int = 30, **values: object) -> TimeEntry:
    values = {"worked_on": DAY, "activity": "consulting", "billable": True, "now": NOW, **values}
    return services.time_entry_create(
        actor=desk.agent,
        ticket=desk.ticket,
        minutes=minutes,
        **values,  # type: ignore[arg-type]
    )


def test_staff_log_and_list_time(desk: Desk) -> None:
    bundle(desk.contract, 1)
    api = client_for(desk.agent)
    answer = api.post(
        url(desk),
        {
            "minutes": 90,
            "activity": "consulting",
            "billable": True,
            "note": "Internal remark",
            "worked_on": "2026-03-09",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["credit_minutes"] == 60
    assert answer.json()["overuse_minutes"] == 30
    listed = api.get(url(desk)).json()
    assert listed["totals"] == {
        "minutes": 90,
        "billable": 90,
        "covered": 0,
        "credit": 60,
        "overuse": 30,
    }
    assert listed["entries"][0]["note"] == "Internal remark"
    assert listed["entries"][0]["user"] == desk.agent.username


def test_it_names_the_field_at_fault(desk: Desk) -> None:
    api = client_for(desk.agent)
    answer = api.post(url(desk), {"minutes": 0, "activity": "golf"}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"minutes", "activity"}
    future = api.post(
        url(desk), {"minutes": 5, "activity": "other", "worked_on": "2099-01-01"}, format="json"
    )
    assert future.status_code == 400 and "worked_on" in future.json()


def test_customers_get_no_time_entries(desk: Desk) -> None:
    log(desk, note="Secret internal remark")
    assert desk.cpc.user is not None
    own = client_for(desk.cpc.user)  # sees the ticket, not its time
    for answer in (own.get(url(desk)), own.post(url(desk), {"minutes": 5, "activity": "other"})):
        assert answer.status_code == 403
        assert b"Secret" not in answer.content
    stranger = ContactFactory()  # another organisation: the ticket does not exist for them
    assert stranger.user is not None
    other = client_for(stranger.user)
    for answer in (
        other.get(url(desk)),
        other.post(url(desk), {"minutes": 5, "activity": "other"}),
    ):
        assert answer.status_code == 404
        assert b"Secret" not in answer.content
    assert TimeEntry.objects.count() == 1
    assert APIClient().get(url(desk)).status_code in (401, 403)


def test_the_list_takes_the_same_queries_however_many_entries(desk: Desk) -> None:
    api = client_for(desk.agent)
    log(desk)
    api.get(url(desk))  # the token is cached after the first use
    with CaptureQueriesContext(connection) as one:
        assert api.get(url(desk)).status_code == 200
    for _ in range(8):
        services.time_entry_create(
            actor=StaffFactory(),
            ticket=desk.ticket,
            minutes=15,
            worked_on=DAY,
            activity="testing",
            billable=False,
            now=NOW,
        )
    with CaptureQueriesContext(connection) as nine:
        assert len(api.get(url(desk)).json()["entries"]) == 9
    assert len(nine) == len(one)


# ----------------------------------------------------------------------------- report


def report_url(**query: object) -> str:
    pairs = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/api/v1/reports/billable?{pairs}"


def test_the_billable_report_in_json_and_csv(desk: Desk) -> None:
    bundle(desk.contract, 1, name="Credit 2026")
    log(desk, 45)
    log(desk, 45, activity="training")
    log(desk, 30, billable=False)
    manager = client_for(desk.manager)
    body = manager.get(report_url(organisation=desk.contract.organisation_id, period="2026-03"))
    assert body.status_code == 200, body.content
    data = body.json()
    assert (data["billable_minutes"], data["consumed_minutes"], data["overuse_minutes"]) == (
        90,
        60,
        30,
    )
    assert data["remaining_minutes"] == 0
    assert [(w["activity"], w["billable_minutes"], w["overuse_minutes"]) for w in data["work"]] == [
        ("consulting", 45, 0),
        ("training", 45, 30),
    ]
    assert data["credit"][0]["name"] == "Credit 2026"
    csv = manager.get(
        report_url(organisation=desk.contract.organisation_id, period="2026-03", format="csv")
    )
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("section,organisation,period,ticket")
    assert f"work,{desk.contract.organisation.code},2026-03,{desk.ticket.number}" in text
    assert "0.75,0.25,0.50" in text  # training: 45 min, 15 from credit, 30 beyond


def test_the_report_is_for_readers_of_reports_and_the_own_cpc(desk: Desk) -> None:
    log(desk, 45)
    organisation = desk.contract.organisation_id
    assert client_for(desk.agent).get(report_url(organisation=organisation)).status_code == 403
    assert desk.cpc.user is not None and desk.requester.user is not None
    cpc = client_for(desk.cpc.user)
    own = cpc.get(report_url(period="2026-03"))
    assert own.status_code == 200 and own.json()["billable_minutes"] == 45
    other = ContactFactory(is_cpc=True)
    assert cpc.get(report_url(organisation=other.organisation_id)).status_code == 404
    assert client_for(desk.requester.user).get(report_url()).status_code == 403
    assert client_for(desk.lead).get(report_url()).status_code == 400  # name the customer
    assert (
        client_for(desk.lead)
        .get(report_url(organisation=organisation, period="2026-13"))
        .status_code
        == 400
    )


def test_the_report_takes_the_same_queries_however_many_tickets(desk: Desk) -> None:
    bundle(desk.contract, 2)
    api = client_for(desk.manager)
    query = report_url(organisation=desk.contract.organisation_id, period="2026-03")
    log(desk)
    api.get(query)
    with CaptureQueriesContext(connection) as few:
        api.get(query)
    for n in range(6):
        ticket = make_ticket(desk.requester, title=f"Question {n}")
        services.time_entry_create(
            actor=desk.agent,
            ticket=ticket,
            minutes=20,
            worked_on=DAY,
            activity="consulting",
            billable=True,
            now=NOW,
        )
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(query).json()["work"]) == 7
    assert len(many) == len(few)
