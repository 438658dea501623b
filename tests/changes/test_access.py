"""Who may answer a proposal (the contract's rule), who sees proposals at all (another
organisation's contact: 404, in the portal and the API), and what customers never see."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from servicedesk.changes import services
from servicedesk.changes.models import Proposal, ProposalState
from servicedesk.contracts.models import ProposalDeciders
from tests.automation.helpers import at
from tests.changes.conftest import MONDAY, World, build_world, change_request, signed_in
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def proposal_for(world: World) -> Proposal:
    with at(MONDAY):
        ticket = change_request(world)
        return services.proposal_create(
            ticket=ticket,
            actor=world.agent,
            scope="A new export.",
            estimate_hours=Decimal("4"),
            internal_note="Margin is thin: SECRET-MARGIN",
        )


def refused(proposal: Proposal, contact: Any) -> ValidationError:
    with at(MONDAY), pytest.raises(ValidationError) as error:
        services.proposal_answer(proposal=proposal, actor=contact.user, accept=True)
    return error.value


def test_it_lets_only_the_cpc_decide_under_a_cpc_only_contract(db: None) -> None:
    world = build_world(proposal_deciders=ProposalDeciders.CPC)
    proposal = proposal_for(world)
    error = refused(proposal, world.key_user)
    assert "decision" in error.message_dict
    assert "central point of contact" in error.message_dict["decision"][0]
    with at(MONDAY):
        services.proposal_answer(proposal=proposal, actor=world.cpc.user, accept=True)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED


def test_it_refuses_the_key_user_of_another_product(world: World) -> None:
    proposal = proposal_for(world)  # cpc_key_users by default
    # Neither sees the ticket: for them the proposal does not exist.
    assert refused(proposal, world.other_key_user).message_dict == {
        "proposal": ["No such proposal."]
    }
    assert refused(proposal, world.plain).message_dict == {"proposal": ["No such proposal."]}
    # The requester sees it, but is neither the CPC nor the product's key user.
    assert "decision" in refused(proposal, world.requester).message_dict
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING
    with at(MONDAY):
        services.proposal_answer(proposal=proposal, actor=world.key_user.user, accept=True)


def test_it_lets_any_contact_decide_when_the_contract_says_so(db: None) -> None:
    world = build_world(proposal_deciders=ProposalDeciders.ANY_CONTACT)
    proposal = proposal_for(world)
    with at(MONDAY):
        services.proposal_answer(proposal=proposal, actor=world.plain.user, accept=True)
    assert refused(proposal_for_other(world), world.stranger).message_dict == {
        "proposal": ["No such proposal."]
    }


def proposal_for_other(world: World) -> Proposal:
    with at(MONDAY):
        ticket = change_request(world, title="Second change")
        return services.proposal_create(
            ticket=ticket, actor=world.agent, scope="More.", estimate_hours=Decimal("1")
        )


def test_it_refuses_staff_answering_for_the_customer(world: World) -> None:
    proposal = proposal_for(world)
    with at(MONDAY), pytest.raises(ValidationError):
        services.proposal_answer(proposal=proposal, actor=world.agent, accept=True)


def test_it_refuses_customers_writing_proposals(world: World) -> None:
    with at(MONDAY):
        ticket = change_request(world)
        with pytest.raises(ValidationError) as error:
            services.proposal_create(
                ticket=ticket, actor=world.cpc.user, scope="x", estimate_hours=Decimal("1")
            )
    assert "actor" in error.value.message_dict


def test_it_answers_404_to_another_organisations_contact_in_the_portal(world: World) -> None:
    proposal = proposal_for(world)
    client = signed_in(world.stranger.user)
    assert client.get(f"/changes/proposals/{proposal.pk}/").status_code == 404
    answer = client.post(f"/changes/proposals/{proposal.pk}/answer/", {"answer": "accept"})
    assert answer.status_code == 404
    listing = client.get("/changes/proposals/")
    assert listing.status_code == 200 and proposal.ticket.number not in listing.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING


def test_it_answers_404_to_another_organisations_contact_in_the_api(world: World) -> None:
    proposal = proposal_for(world)
    api = client_for(world.stranger.user)
    assert api.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    assert (
        api.post(
            f"/api/v1/proposals/{proposal.pk}/decide/", {"decision": "accept"}, format="json"
        ).status_code
        == 404
    )
    assert api.get("/api/v1/proposals/").json()["results"] == []


def test_it_never_shows_customers_internal_fields(world: World) -> None:
    proposal = proposal_for(world)
    api = client_for(world.cpc.user)
    body = api.get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert body["scope"] == "A new export."
    for field in ("internal_note", "author", "consultant", "next_look_at", "reminded_at"):
        assert field not in body
    assert "SECRET-MARGIN" not in api.get("/api/v1/proposals/").content.decode()
    for url in (f"/changes/proposals/{proposal.pk}/", f"/portal/tickets/{proposal.ticket.number}/"):
        page = signed_in(world.cpc.user).get(url).content.decode()
        assert "A new export." in page and "SECRET-MARGIN" not in page
    staff = client_for(world.agent).get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert staff["internal_note"] == "Margin is thin: SECRET-MARGIN"


def test_it_shows_the_answer_buttons_only_to_who_may_decide(world: World) -> None:
    proposal = proposal_for(world)
    url = f"/portal/tickets/{proposal.ticket.number}/"
    requester_page = signed_in(world.requester.user).get(url).content.decode()
    assert "Accept the proposal" not in requester_page
    assert "Your central point of contact or a key user decides" in requester_page
    key_user_page = signed_in(world.key_user.user).get(url).content.decode()
    assert "Accept the proposal" in key_user_page


def test_it_keeps_the_desk_pages_from_customers(world: World) -> None:
    proposal = proposal_for(world)
    client = signed_in(world.cpc.user)
    number = proposal.ticket.number
    assert client.post(f"/changes/desk/{number}/release/").status_code == 403
    assert (
        client.post(f"/changes/desk/{number}/decide/", {"decision": "rejected"}).status_code == 403
    )
