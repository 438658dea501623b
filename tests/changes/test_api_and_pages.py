"""The API's proposal endpoints and the pages: create, decide, plan, release; list query
counts; the desk's Change panel."""

from decimal import Decimal
from typing import Any

import pytest

from servicedesk.automation.models import RaciEntry
from servicedesk.changes import services
from servicedesk.changes.models import ProposalState
from servicedesk.tickets.models import Status
from tests.automation.helpers import at, local
from tests.changes.conftest import MONDAY, World, change_request, signed_in
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_it_runs_a_proposal_through_the_api(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world)
    desk, cpc = client_for(world.agent), client_for(world.cpc.user)
    with at(MONDAY):
        created = desk.post(
            "/api/v1/proposals/",
            {"ticket": ticket.number, "scope": "CSV export", "estimate_hours": "2.5"},
            format="json",
        )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["price"], body["state"], body["ticket"]) == ("300.00", "pending", ticket.number)
    pk = body["id"]
    refused = cpc.post(
        "/api/v1/proposals/",
        {"ticket": ticket.number, "scope": "x", "estimate_hours": "1"},
        format="json",
    )
    assert refused.status_code == 400 and "actor" in refused.json()
    bad = desk.post(
        "/api/v1/proposals/",
        {"ticket": ticket.number, "scope": "", "estimate_hours": "1"},
        format="json",
    )
    assert bad.status_code == 400 and "scope" in bad.json()
    with at(local(2026, 3, 3, 9)):
        decided = cpc.post(
            f"/api/v1/proposals/{pk}/decide/",
            {"decision": "accept", "comment": "OK"},
            format="json",
        )
    assert decided.status_code == 200 and decided.json()["state"] == "accepted"
    again = cpc.post(
        f"/api/v1/proposals/{pk}/decide/", {"decision": "reject", "comment": "no"}, format="json"
    )
    assert again.status_code == 400 and "proposal" in again.json()
    planned = desk.post(
        f"/api/v1/proposals/{pk}/plan/",
        {"planned_start": "2026-04-06", "planned_end": "2026-04-07", "consultant": world.agent.pk},
        format="json",
    )
    assert planned.status_code == 200 and planned.json()["planned_start"] == "2026-04-06"
    assert cpc.post(f"/api/v1/proposals/{pk}/plan/", {}, format="json").status_code == 400
    released = desk.post(f"/api/v1/proposals/{pk}/release/", {"note": "Live."}, format="json")
    assert released.status_code == 200 and released.json()["state"] == "released"
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_it_decides_on_a_change_request_through_the_api(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world, kind="incident")
    desk = client_for(world.agent)
    parked = desk.post(
        "/api/v1/change-decisions/", {"ticket": ticket.number, "decision": "park"}, format="json"
    )
    assert parked.json() == {"ticket": ticket.number, "kind": "change_request", "status": "parked"}
    no_reason = desk.post(
        "/api/v1/change-decisions/",
        {"ticket": ticket.number, "decision": "rejected"},
        format="json",
    )
    assert no_reason.status_code == 400 and "note" in no_reason.json()
    # Another organisation's ticket named in the body is as unknown as a number never
    # given out: the same field error, nothing about the ticket.
    stranger = client_for(world.stranger.user)
    theirs = stranger.post(
        "/api/v1/change-decisions/", {"ticket": ticket.number, "decision": "park"}, format="json"
    )
    unknown = desk.post(
        "/api/v1/change-decisions/", {"ticket": "SD-999999", "decision": "park"}, format="json"
    )
    assert theirs.status_code == unknown.status_code == 400
    assert theirs.json() == unknown.json() and "ticket" in theirs.json()


def make_proposals(world: World, count: int) -> None:
    with at(MONDAY):
        for n in range(count):
            ticket = change_request(world, title=f"Change {n}")
            services.proposal_create(
                ticket=ticket, actor=world.agent, scope=f"Scope {n}", estimate_hours=Decimal("1")
            )


def test_it_lists_proposals_in_a_constant_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    make_proposals(world, 2)
    api, page = client_for(world.cpc.user), signed_in(world.cpc.user)
    counts = []
    for grow in (0, 3):
        make_proposals(world, grow)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as api_queries:
            assert len(api.get("/api/v1/proposals/").json()["results"]) == 2 + grow
        with CaptureQueriesContext(connection) as page_queries:
            assert (
                page.get("/changes/proposals/").content.decode().count("data-proposal=") == 2 + grow
            )
        counts.append((len(api_queries), len(page_queries)))
    assert counts[0] == counts[1]


def test_it_shows_the_change_panel_to_staff(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world)
    desk = signed_in(world.agent)
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'id="change"' in page and "Write a proposal" in page
    with at(MONDAY):
        response = desk.post(
            f"/changes/desk/{ticket.number}/propose/",
            {"scope": "Export", "estimate_hours": "3", "pricing": "hourly", "internal_note": "n"},
        )
    assert response.status_code == 302
    assert ticket.proposals.get().state == ProposalState.PENDING
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Revise the proposal" in page and "360.00" in page


def test_it_seeds_the_change_proposal_step_of_the_raci_matrix(world: World) -> None:
    rows = set(
        RaciEntry.objects.filter(step="change_proposal").values_list("kind", "role", "letter")
    )
    assert rows == {
        ("change_request", "customer", "R"),
        ("change_request", "agent", "R"),
        ("change_request", "team_lead", "A"),
    }
    from servicedesk.automation.raci import default_entries

    assert {(k, r, le) for s, k, r, le in default_entries() if s == "change_proposal"} == rows
