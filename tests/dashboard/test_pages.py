"""The dashboard page: who may open it, its links, its refresh (304 when nothing changed),
and a number of queries that does not grow with the tickets."""

import datetime
from collections.abc import Callable

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicedesk.accounts.models import StaffRole, User
from servicedesk.contracts.models import Contract
from servicedesk.surveys.models import Survey, SurveyAnswer
from servicedesk.tickets import services
from servicedesk.tickets.models import Status
from tests.dashboard.conftest import HOUR, MINUTE, ams, report, stored
from tests.factories import (
    BusinessCalendarFactory,
    ContactFactory,
    ContractFactory,
    TeamFactory,
)
from tests.portal.fixtures import login

pytestmark = pytest.mark.django_db
URL = reverse("desk:dashboard")
REFRESH = {"HX-Request": "true", "HX-Target": "dashboard-region"}
NOW = ams(2026, 3, 10, 11)  # Tuesday 10 March 2026, 11:00 in Amsterdam


@pytest.fixture(autouse=True)
def frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (StaffRole.TEAM_LEAD, 200),
        (StaffRole.SERVICE_MANAGER, 200),
        (StaffRole.ADMINISTRATOR, 200),
        (StaffRole.AGENT, 403),
    ],
)
def test_it_opens_to_team_leads_service_managers_and_administrators_only(
    role_user: Callable[[str], User], role: str, status: int
) -> None:
    client = login(role_user(role))
    assert client.get(URL).status_code == status
    assert client.get(URL, headers=REFRESH).status_code == status


def test_it_refuses_customers_and_asks_strangers_to_sign_in(p_contract: Contract) -> None:
    cpc = ContactFactory(organisation=p_contract.organisation, is_cpc=True)  # reads reports
    assert login(cpc.user).get(URL).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))


def test_it_is_in_the_menu_of_those_who_may_see_it_and_agents_keep_their_queues(
    lead: User, agent: User
) -> None:
    queue = reverse("desk:queue", args=["mine"])
    lead_client, agent_client = login(lead), login(agent)
    assert f'href="{URL}"' in lead_client.get(queue).content.decode()
    assert f'href="{URL}"' not in agent_client.get(queue).content.decode()
    assert agent_client.get(reverse("desk:home"))["Location"] == queue


def test_it_links_each_figure_to_the_queue_or_report_that_lists_it(
    p_contract: Contract, manager: User
) -> None:
    team = TeamFactory()
    ticket = report(p_contract, ams(2026, 3, 9, 9), "p2")
    stored(ticket, team=team)

    html = login(manager).get(f"{URL}?team={team.pk}").content.decode()

    queue = reverse("desk:queue", args=["open"])
    compliance = reverse("desk:compliance")
    for link in (
        f"{queue}?team={team.pk}",
        f"{reverse('desk:queue', args=['breaching'])}?team={team.pk}",
        f"{reverse('desk:queue', args=['breached'])}?team={team.pk}",
        f"{reverse('desk:queue', args=['unassigned'])}?team={team.pk}",
        f"{queue}?priority=p2&amp;team={team.pk}",
        f"{compliance}?from=2026-03-10&amp;to=2026-03-10&amp;team={team.pk}",
        f"{compliance}?period=2026-03&amp;team={team.pk}",
        f"{compliance}?period=2026-03&amp;priority=p2&amp;team={team.pk}",
        f"{reverse('desk:satisfaction')}?date_from=2026-03-01&amp;date_to=2026-03-31"
        f"&amp;team={team.pk}",
    ):
        assert f'href="{link}"' in html, link


def test_it_answers_a_team_that_does_not_exist_with_a_400(manager: User) -> None:
    client = login(manager)
    assert client.get(f"{URL}?team=999999").status_code == 400
    assert client.get(f"{URL}?team=x").status_code == 400


def test_it_refreshes_only_the_figures_for_htmx(p_contract: Contract, manager: User) -> None:
    report(p_contract, ams(2026, 3, 9, 9), "p2")
    client = login(manager)

    page = client.get(URL).content.decode()
    region = client.get(URL, headers=REFRESH)

    assert 'hx-trigger="every 30s"' in page and 'id="dashboard-region"' in page
    html = region.content.decode()
    assert "<html" not in html and 'data-count="open">1<' in html


def test_a_refresh_that_finds_nothing_new_is_not_modified(
    p_contract: Contract, manager: User, agent: User, frozen: time_machine.Traveller
) -> None:
    ticket = report(p_contract, ams(2026, 3, 9, 9), "p2")
    client = login(manager)

    first = client.get(URL, headers=REFRESH)
    etag = first["ETag"]
    again = client.get(URL, headers={**REFRESH, "If-None-Match": etag})
    assert (first.status_code, again.status_code) == (200, 304)
    assert again.content == b"" and again["ETag"] == etag
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    frozen.shift(datetime.timedelta(minutes=5))  # later, with nothing changed: still 304
    later = client.get(URL, headers={**REFRESH, "If-None-Match": etag})
    assert later.status_code == 304

    services.ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    changed = client.get(URL, headers={**REFRESH, "If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_full_page_is_never_answered_not_modified(manager: User) -> None:
    response = login(manager).get(URL, headers={"If-None-Match": "*"})
    assert response.status_code == 200 and "ETag" not in response


def test_it_asks_the_database_as_often_for_50_tickets_as_for_5(manager: User, agent: User) -> None:
    """Every figure has something to count: tickets in every state, over two contracts
    (one with a calendar of its own), clocks missed today, answered surveys."""
    with_calendar = ContractFactory(
        service_level="impact-urgency-nl-office-hours",
        priority_scheme="impact-urgency-p1-p5",
        starts_on=datetime.date(2025, 1, 1),
    )
    plain = ContractFactory(
        service_level="saas-high-medium-low",
        priority_scheme="high-medium-low",
        starts_on=datetime.date(2025, 1, 1),
    )
    with_calendar.calendar = BusinessCalendarFactory()
    with_calendar.save()
    team = TeamFactory()

    def grow(n: int) -> None:
        for i in range(n):
            contract = (with_calendar, plain)[i % 2]
            priority = ("p1", "p2", "p3")[i % 3] if contract == with_calendar else "high"
            ticket = report(contract, ams(2026, 3, 2 + i % 8, 9 + i % 8), priority)
            if i % 3 == 0:
                stored(ticket, assignee=agent, team=team)
            if i % 4 == 0:
                stored(ticket, sla_warn_at=NOW - MINUTE, sla_due_at=NOW + HOUR)
            if i % 5 == 0:
                stored(ticket, status=Status.CLOSED)
                survey = Survey.objects.create(
                    ticket=ticket, contact=ticket.requester, language="en", sent_at=NOW - HOUR
                )
                SurveyAnswer.objects.create(survey=survey, score=i % 11, answered_at=NOW - MINUTE)

    client = login(manager)
    grow(5)
    client.get(URL)  # the first request reads what later ones keep (service-level versions)
    cache.clear()  # count the month's compliance too, which is kept for a minute
    with CaptureQueriesContext(connection) as few:
        small = client.get(URL, headers=REFRESH)
    grow(45)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        large = client.get(URL, headers=REFRESH)

    assert large.context["figures"].open > small.context["figures"].open
    assert large.context["figures"].satisfaction.count == 10
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 16
