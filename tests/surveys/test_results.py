"""Satisfaction per period: the bands and the tNPS add up, per organisation; each reader
sees what their scope allows (a customer's central point of contact only their own)."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from servicedesk.accounts.models import StaffRole
from servicedesk.opsreports.scope import report_scope
from servicedesk.surveys.models import Survey
from servicedesk.surveys.selectors import satisfaction, tnps
from servicedesk.surveys.services import survey_answer
from servicedesk.tickets import services
from servicedesk.tickets.models import Status
from tests.automation.helpers import at, committed, local
from tests.conftest import client_for
from tests.factories import ContactFactory, ContractFactory, StaffFactory
from tests.portal.fixtures import login
from tests.surveys.conftest import Desk, close, closed_ticket

pytestmark = pytest.mark.django_db

JANUARY = local(2026, 1, 15, 11, 0)
FEBRUARY = local(2026, 2, 10, 11, 0)


def answered(desk: Desk, scores: list[int], *, when: datetime.datetime, comment: str = "") -> None:
    """Close a ticket per score and answer its survey with it at `when`."""
    for score in scores:
        with at(when):
            ticket = closed_ticket(desk, title=f"Scored {score}")
            survey = Survey.objects.get(ticket=ticket)
            survey_answer(survey=survey, score=score, comment=comment and f"{comment} {score}")


@pytest.fixture
def manager(db: None) -> Any:
    return StaffFactory(role=StaffRole.SERVICE_MANAGER)


def test_it_counts_the_bands_and_the_tnps_of_a_period(desk: Desk, manager: Any) -> None:
    answered(desk, [10, 9, 8, 7, 6, 0, 3], when=JANUARY, comment="Because")
    answered(desk, [10, 10], when=FEBRUARY)  # another period

    result = satisfaction(local(2026, 1, 1, 0, 0), local(2026, 2, 1, 0, 0), report_scope(manager))

    assert (result.count, result.promoters, result.passives, result.detractors) == (7, 2, 2, 3)
    assert result.tnps == round(100 * (2 - 3) / 7) == -14
    assert result.sent == 7
    assert result.response_rate == 100
    assert sorted(c.score for c in result.comments) == [0, 3, 6, 7, 8, 9, 10]
    assert {c.comment for c in result.comments} >= {"Because 3", "Because 10"}


def test_it_has_no_tnps_without_answers(desk: Desk, manager: Any) -> None:
    with at(JANUARY):
        closed_ticket(desk)  # asked, not answered

    result = satisfaction(local(2026, 1, 1, 0, 0), local(2026, 2, 1, 0, 0), report_scope(manager))

    assert (result.sent, result.count, result.tnps, result.response_rate) == (1, 0, None, 0)


@pytest.mark.parametrize(
    ("promoters", "detractors", "count", "expected"),
    [(0, 0, 0, None), (5, 0, 5, 100), (0, 4, 4, -100), (1, 1, 3, 0), (2, 1, 3, 33)],
)
def test_tnps_is_promoters_minus_detractors_in_percent(
    promoters: int, detractors: int, count: int, expected: int | None
) -> None:
    assert tnps(promoters=promoters, detractors=detractors, count=count) == expected


@pytest.fixture
def other(desk: Desk) -> Desk:
    """Another customer organisation under contract, with its own answers."""
    contract = ContractFactory(starts_on=datetime.date(2026, 1, 1))
    requester = ContactFactory(organisation=contract.organisation, name="Olga Outsider")
    return Desk(desk.lead, desk.agent, desk.team, contract, requester)


def api_get(client: APIClient, **query: str) -> Any:
    return client.get(
        "/api/v1/reports/satisfaction", {"from": "2026-01-01", "to": "2026-01-31", **query}
    )


def test_a_central_point_of_contact_reads_only_their_organisation(
    desk: Desk, other: Desk, manager: Any
) -> None:
    answered(desk, [10, 2], when=JANUARY, comment="Ours")
    answered(other, [0, 0, 0], when=JANUARY, comment="Theirs")
    cpc = ContactFactory(organisation=desk.contract.organisation, is_cpc=True)

    mine = api_get(client_for(cpc.user))
    everyone = api_get(client_for(manager))
    theirs = api_get(client_for(cpc.user), organisation=str(other.contract.organisation_id))

    assert mine.status_code == 200, mine.content
    body = mine.json()
    assert (body["count"], body["promoters"], body["detractors"], body["tnps"]) == (2, 1, 1, 0)
    assert {c["comment"] for c in body["comments"]} == {"Ours 10", "Ours 2"}
    assert "Theirs" not in mine.content.decode()
    assert everyone.json()["count"] == 5
    assert theirs.status_code == 400
    assert "Theirs" not in theirs.content.decode()


@pytest.mark.parametrize("who", ["other_org_cpc", "plain_contact", "agent"])
def test_others_may_not_read_the_results(desk: Desk, other: Desk, who: str) -> None:
    answered(desk, [1], when=JANUARY, comment="Ours")
    user = {
        "other_org_cpc": lambda: (
            ContactFactory(organisation=other.contract.organisation, is_cpc=True).user
        ),
        "plain_contact": lambda: desk.requester.user,
        "agent": lambda: desk.agent,
    }[who]()

    response = api_get(client_for(user), organisation=str(desk.contract.organisation_id))

    assert response.status_code in (400, 403)
    assert "Ours" not in response.content.decode()
    if who == "other_org_cpc":
        assert api_get(client_for(user)).json()["count"] == 0
    else:
        assert api_get(client_for(user)).status_code == 403


def test_the_api_needs_a_sign_in_and_valid_dates(desk: Desk, manager: Any) -> None:
    assert APIClient().get("/api/v1/reports/satisfaction").status_code == 401
    bad = api_get(client_for(manager), to="2025-12-31")
    assert bad.status_code == 400 and "to" in bad.json()
    assert api_get(client_for(manager), **{"from": "yesterday"}).status_code == 400


def test_the_desk_page_lists_the_answers_for_readers_of_reports(
    desk: Desk, other: Desk, manager: Any
) -> None:
    answered(desk, [9, 4], when=JANUARY, comment="Ours")
    answered(other, [10], when=FEBRUARY, comment="=HYPERLINK(evil)")
    url = reverse("desk:satisfaction")
    period = {"date_from": "2026-01-01", "date_to": "2026-02-28"}

    page = login(desk.lead).get(url, period)
    csv = login(manager).get(url, {**period, "format": "csv"})
    agent = login(desk.agent).get(url, period)
    customer = login(desk.requester.user).get(url, period)

    assert page.status_code == 200
    text = page.content.decode()
    assert "Ours 9" in text and "Ours 4" in text and "=HYPERLINK(evil) 10" in text
    assert 'data-figure="tnps">33<' in text  # 2 promoters, 1 detractor of 3
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    content = csv.content.decode("utf-8-sig")
    assert content.splitlines()[0].startswith("Answered,Ticket,Customer")
    assert "'=HYPERLINK(evil) 10" in content  # never run as a formula
    assert agent.status_code == 403
    assert customer.status_code == 403


def test_the_desk_page_refuses_a_backwards_period(desk: Desk, manager: Any) -> None:
    response = login(manager).get(
        reverse("desk:satisfaction"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "The period ends before it starts." in response.content.decode()


def test_the_answers_of_a_reopened_and_closed_ticket_count_once(desk: Desk, manager: Any) -> None:
    with at(JANUARY):
        ticket = closed_ticket(desk)
        survey_answer(survey=Survey.objects.get(ticket=ticket), score=10)
        with committed():
            services.ticket_transition(
                ticket=ticket, actor=desk.agent, status=Status.REOPENED, note="Again"
            )
        close(ticket, desk.agent)

    result = satisfaction(local(2026, 1, 1, 0, 0), local(2026, 2, 1, 0, 0), report_scope(manager))
    assert (result.sent, result.count) == (1, 1)
