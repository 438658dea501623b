"""The coverage panel on the desk's ticket page and the billable-work block in the portal."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servicedesk.contracts.models import RequestType
from servicedesk.coverage.models import Agreement, CoverageDecision, Decision
from servicedesk.coverage.services import coverage_decide
from servicedesk.tickets.models import EventAction, Ticket
from tests.coverage.conftest import SECRET_REASON, Desk
from tests.portal.fixtures import login


def desk_page(client: Client, ticket: Ticket) -> str:
    response = client.get(reverse("desk:ticket", args=[ticket.number]))
    assert response.status_code == 200
    return response.content.decode()


def portal_page(client: Client, ticket: Ticket) -> str:
    response = client.get(reverse("portal:ticket", args=[ticket.number]))
    assert response.status_code == 200
    return response.content.decode()


def needs_agreement(desk: Desk, ticket: Ticket) -> Ticket:
    desk.contract.billable_needs_agreement = True
    desk.contract.save(update_fields=["billable_needs_agreement"])
    return Ticket.objects.get(pk=ticket.pk)


def billable(desk: Desk, ticket: Ticket) -> CoverageDecision:
    return coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.DATA_MODIFICATION,
        reason=SECRET_REASON,
    )


# ---------------------------------------------------------------- desk


def test_the_desk_panel_shows_the_suggestion_with_its_reason(desk: Desk, ticket: Ticket) -> None:
    html = desk_page(login(desk.agent), ticket)
    assert 'id="coverage"' in html
    assert 'data-suggestion="billable"' in html
    assert "Data modification is outside maintenance in this contract." in html
    assert "Not decided yet." in html


def test_the_desk_suggests_again_for_the_chosen_request_type(desk: Desk, ticket: Ticket) -> None:
    response = login(desk.agent).get(
        reverse("coverage:suggest", args=[ticket.number]),
        {"request_type": RequestType.DEFECT},
        headers={"HX-Request": "true", "HX-Target": "coverage"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'data-suggestion="covered"' in html
    assert '<option value="covered" selected>' in html


def test_an_agent_records_a_decision_from_the_panel(desk: Desk, ticket: Ticket) -> None:
    client = login(desk.agent)
    response = client.post(
        reverse("coverage:decide", args=[ticket.number]),
        {"request_type": RequestType.DATA_MODIFICATION, "decision": "billable", "reason": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket", args=[ticket.number]) + "#coverage"
    decision = CoverageDecision.objects.get(ticket=ticket)
    assert (decision.decision, decision.decided_by) == (Decision.BILLABLE, desk.agent)
    html = desk_page(client, ticket)
    assert "data-history-row" in html
    assert "Data modification is outside maintenance" in html


def test_the_panel_shows_why_a_decision_was_refused(desk: Desk, ticket: Ticket) -> None:
    response = login(desk.agent).post(
        reverse("coverage:decide", args=[ticket.number]),
        {"request_type": RequestType.DATA_MODIFICATION, "decision": "covered"},
        headers={"HX-Request": "true", "HX-Target": "coverage"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Say why you decide otherwise than the desk suggests." in html
    assert not CoverageDecision.objects.exists()


def test_a_customer_cannot_decide(desk: Desk, ticket: Ticket) -> None:
    response = login(desk.requester.user).post(
        reverse("coverage:decide", args=[ticket.number]),
        {"request_type": RequestType.QUESTION, "decision": "covered", "reason": "Mine"},
    )
    assert response.status_code == 403
    assert not CoverageDecision.objects.exists()


def test_the_desk_shows_it_awaits_the_customers_agreement_and_then_their_answer(
    desk: Desk, ticket: Ticket
) -> None:
    ticket = needs_agreement(desk, ticket)
    billable(desk, ticket)
    agent = login(desk.agent)
    assert 'data-agreement="awaiting"' in desk_page(agent, ticket)
    login(desk.requester.user).post(
        reverse("coverage:answer", args=[ticket.number]),
        {"answer": "agree", "comment": "Please go ahead"},
    )
    html = desk_page(agent, ticket)
    assert 'data-agreement="agreed"' in html
    assert "The customer agreed" in html
    assert "Please go ahead" in html
    assert 'data-agreement="awaiting"' not in html


def test_the_desk_ticket_page_reads_the_panel_in_a_fixed_number_of_queries(
    desk: Desk, ticket: Ticket
) -> None:
    client = login(desk.agent)
    billable(desk, ticket)
    desk_page(client, ticket)
    with CaptureQueriesContext(connection) as few:
        desk_page(client, ticket)
    for request_type in (RequestType.CONSULTING, RequestType.TRAINING, RequestType.DEFECT):
        coverage_decide(
            ticket=ticket,
            actor=desk.agent,
            decision=Decision.BILLABLE,
            request_type=request_type,
            reason="More history",
        )
    with CaptureQueriesContext(connection) as many:
        desk_page(client, ticket)
    assert len(many) == len(few)


# ---------------------------------------------------------------- portal


def test_the_customer_agrees_in_the_portal(desk: Desk, ticket: Ticket) -> None:
    ticket = needs_agreement(desk, ticket)
    billable(desk, ticket)
    customer = login(desk.requester.user)
    html = portal_page(customer, ticket)
    assert "This work is billable" in html
    assert 'value="agree"' in html and 'value="decline"' in html
    response = customer.post(
        reverse("coverage:answer", args=[ticket.number]),
        {"answer": "agree", "comment": "Fine by us"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", args=[ticket.number])
    decision = CoverageDecision.objects.get(ticket=ticket)
    assert decision.agreement == Agreement.AGREED
    assert ticket.events.filter(action=EventAction.BILLABLE_ANSWERED).exists()
    html = portal_page(customer, ticket)
    assert 'data-billable="agreed"' in html
    assert 'value="agree"' not in html


def test_a_second_answer_is_refused_with_the_reason(desk: Desk, ticket: Ticket) -> None:
    ticket = needs_agreement(desk, ticket)
    billable(desk, ticket)
    customer = login(desk.requester.user)
    url = reverse("coverage:answer", args=[ticket.number])
    customer.post(url, {"answer": "decline"})
    response = customer.post(url, {"answer": "agree"})
    assert response.status_code == 400
    assert "This has been answered already." in response.content.decode()
    assert CoverageDecision.objects.get(ticket=ticket).agreement == Agreement.DECLINED


def test_the_portal_shows_nothing_when_the_work_is_covered(desk: Desk, ticket: Ticket) -> None:
    coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=Decision.COVERED,
        request_type=RequestType.QUESTION,
        reason=SECRET_REASON,
    )
    html = portal_page(login(desk.requester.user), ticket)
    assert 'id="billable"' not in html
    assert SECRET_REASON not in html


def test_the_portal_never_shows_the_internal_reason(desk: Desk, ticket: Ticket) -> None:
    ticket = needs_agreement(desk, ticket)
    billable(desk, ticket)
    html = portal_page(login(desk.requester.user), ticket)
    assert "This work is billable" in html
    assert SECRET_REASON not in html
    assert "outside maintenance in this contract" not in html  # the suggestion's reason
    assert 'id="coverage"' not in html


@pytest.mark.parametrize("who", ["stranger", "colleague"])
def test_another_contact_gets_404_for_the_answer(desk: Desk, ticket: Ticket, who: str) -> None:
    ticket = needs_agreement(desk, ticket)
    billable(desk, ticket)
    other = login(getattr(desk, who).user)
    response = other.post(reverse("coverage:answer", args=[ticket.number]), {"answer": "agree"})
    assert response.status_code == 404
    assert other.get(reverse("portal:ticket", args=[ticket.number])).status_code == 404
    assert CoverageDecision.objects.get(ticket=ticket).agreement == Agreement.AWAITING


def test_the_organisations_cpc_answers_in_the_portal(desk: Desk, ticket: Ticket) -> None:
    ticket = needs_agreement(desk, ticket)
    billable(desk, ticket)
    cpc = login(desk.cpc.user)
    assert 'value="decline"' in portal_page(cpc, ticket)
    cpc.post(reverse("coverage:answer", args=[ticket.number]), {"answer": "decline"})
    assert CoverageDecision.objects.get(ticket=ticket).agreement == Agreement.DECLINED


def test_the_desk_forms_are_for_staff_and_the_answer_for_contacts(
    desk: Desk, ticket: Ticket
) -> None:
    ticket = needs_agreement(desk, ticket)
    billable(desk, ticket)
    customer = login(desk.requester.user)
    suggest = reverse("coverage:suggest", args=[ticket.number])
    assert customer.get(suggest, {"request_type": "defect"}).status_code == 403
    answer = reverse("coverage:answer", args=[ticket.number])
    assert login(desk.agent).post(answer, {"answer": "agree"}).status_code == 403
    assert CoverageDecision.objects.get(ticket=ticket).agreement == Agreement.AWAITING
