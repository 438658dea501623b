"""The seeds' scenarios through the services: who pays, what the customer is told, and
their agreement (seeds 000 and 004)."""

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from servicedesk.contracts.models import RequestType
from servicedesk.coverage.models import Agreement, CoverageDecision, Decision
from servicedesk.coverage.selectors import decision_current, ticket_billable
from servicedesk.coverage.services import coverage_answer, coverage_decide, ticket_suggestion
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.tickets.models import EventAction, Kind, Message, Ticket, Visibility
from servicedesk.tickets.policy import Refusal
from tests.automation.helpers import committed
from tests.coverage.conftest import AFTER, SECRET_REASON, WITHIN, Desk
from tests.factories import ProductFactory, StaffFactory


def customisation_defect(desk: Desk, ticket_at: Callable[..., Ticket], moment: object) -> Ticket:
    return ticket_at(
        desk.requester,
        moment,
        kind=Kind.INCIDENT,
        title="Custom invoice layout prints no VAT line",
        details={"reproducible": "yes"},
    )


def decide_customisation_defect(desk: Desk, ticket: Ticket) -> CoverageDecision:
    return coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=ticket_suggestion(
            ticket=ticket,
            request_type=RequestType.CUSTOMISATION_DEFECT,
            against_specification=True,
            not_as_is=True,
        ).decision,
        request_type=RequestType.CUSTOMISATION_DEFECT,
        against_specification=True,
        not_as_is=True,
    )


# ---------------------------------------------------------------- seed 000: warranty


def test_it_puts_a_customisation_defect_within_warranty_at_the_vendors_cost(
    desk: Desk, ticket_at: Callable[..., Ticket]
) -> None:
    ticket = customisation_defect(desk, ticket_at, WITHIN)
    decision = decide_customisation_defect(desk, ticket)
    assert decision.suggested == Decision.WARRANTY
    assert decision.decision == Decision.WARRANTY
    assert "warranty" in decision.reason
    assert not ticket_billable(ticket)
    assert decision.notice is None
    assert not Message.objects.filter(ticket=ticket, author_user=desk.agent).exists()


def test_it_bills_the_same_defect_reported_after_the_warranty(
    desk: Desk, ticket_at: Callable[..., Ticket]
) -> None:
    ticket = customisation_defect(desk, ticket_at, AFTER)
    decision = decide_customisation_defect(desk, ticket)
    assert decision.suggested == Decision.BILLABLE
    assert decision.decision == Decision.BILLABLE
    assert ticket_billable(ticket)
    assert decision.notice is not None


def test_it_gives_no_warranty_for_a_defect_that_is_not_reproducible(
    desk: Desk, ticket_at: Callable[..., Ticket]
) -> None:
    ticket = ticket_at(desk.requester, WITHIN, details={"reproducible": "no"})
    suggestion = ticket_suggestion(
        ticket=ticket,
        request_type=RequestType.CUSTOMISATION_DEFECT,
        against_specification=True,
        not_as_is=True,
    )
    assert suggestion.decision == Decision.BILLABLE


# ---------------------------------------------------------------- seed 004: billable work


@pytest.mark.parametrize("language", ["nl", "fr"])
@pytest.mark.usefixtures("marked_language")
def test_it_tells_the_customer_before_billable_work_in_their_language(
    desk: Desk, ticket: Ticket, language: str
) -> None:
    desk.requester.language = language
    desk.requester.save(update_fields=["language"])
    with committed():
        decision = coverage_decide(
            ticket=ticket,
            actor=desk.agent,
            decision=Decision.BILLABLE,
            request_type=RequestType.DATA_MODIFICATION,
            reason=SECRET_REASON,
        )
    notice = decision.notice
    assert notice is not None
    assert notice.visibility == Visibility.PUBLIC
    with translation.override(language):
        escalated = gettext(
            "Your request has been escalated to consulting because it is outside the scope of "
            "the maintenance contract (%(type)s)."
        ).split("(")[0]
        may_be_billed = gettext(
            "The resolution of a request may be billed if it is a handling error by a "
            "user or if the request is outside the scope of the maintenance contract."
        )
    assert not escalated.startswith("Your request")  # the catalogue translated it
    assert notice.body.startswith(f"[{language}] {escalated}")
    assert f"[{language}] {may_be_billed}" in notice.body
    assert SECRET_REASON not in notice.body
    mail = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.AGENT_REPLY)
    assert mail.language == language
    assert mail.to == desk.requester.email
    assert f"[{language}] {escalated}" in mail.body_text
    assert SECRET_REASON not in mail.body_text
    assert SECRET_REASON not in mail.body_html


def test_it_tells_the_customer_once_while_the_work_stays_billable(
    desk: Desk, ticket: Ticket
) -> None:
    first = coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.DATA_MODIFICATION,
    )
    second = coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.CONSULTING,
    )
    assert second.notice_id == first.notice_id
    assert Message.objects.filter(ticket=ticket, author_user=desk.agent).count() == 1


def test_it_uses_the_level_2_text_for_consulting(desk: Desk, ticket: Ticket) -> None:
    decision = coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.CONSULTING,
    )
    assert decision.notice is not None
    assert "escalated to level 2" in decision.notice.body


def test_it_keeps_every_decision_and_records_each_as_an_event(desk: Desk, ticket: Ticket) -> None:
    coverage_decide(
        ticket=ticket, actor=desk.agent, decision=Decision.COVERED, request_type="question"
    )
    coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.DATA_MODIFICATION,
        reason=SECRET_REASON,
    )
    assert list(
        CoverageDecision.objects.filter(ticket=ticket).values_list("decision", flat=True)
    ) == [Decision.BILLABLE, Decision.COVERED]
    events = ticket.events.filter(action=EventAction.COVERAGE_DECIDED).order_by("pk")
    assert [(e.old_value, e.new_value) for e in events] == [
        ("", Decision.COVERED),
        (Decision.COVERED, Decision.BILLABLE),
    ]
    assert all(SECRET_REASON not in e.note for e in events)
    assert decision_current(ticket=ticket).decision == Decision.BILLABLE  # type: ignore[union-attr]


def test_it_takes_the_suggestions_reason_when_the_agent_follows_it(
    desk: Desk, ticket: Ticket
) -> None:
    decision = coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.DATA_MODIFICATION,
    )
    assert "outside maintenance" in decision.reason


def test_it_asks_why_when_the_agent_decides_otherwise(desk: Desk, ticket: Ticket) -> None:
    with pytest.raises(ValidationError) as error:
        coverage_decide(
            ticket=ticket,
            actor=desk.agent,
            decision=Decision.COVERED,
            request_type=RequestType.DATA_MODIFICATION,
        )
    assert "reason" in error.value.message_dict
    assert not CoverageDecision.objects.exists()


def test_it_refuses_an_unknown_request_type(desk: Desk, ticket: Ticket) -> None:
    with pytest.raises(ValidationError) as error:
        coverage_decide(
            ticket=ticket, actor=desk.agent, decision=Decision.COVERED, request_type="gardening"
        )
    assert "request_type" in error.value.message_dict


def test_it_lets_only_staff_decide(desk: Desk, ticket: Ticket) -> None:
    assert desk.requester.user is not None
    with pytest.raises(Refusal) as error:
        coverage_decide(
            ticket=ticket,
            actor=desk.requester.user,
            decision=Decision.COVERED,
            request_type=RequestType.QUESTION,
            reason="I say so",
        )
    assert "decision" in error.value.message_dict


# ---------------------------------------------------------------- the customer's agreement


@pytest.fixture
def awaiting(desk: Desk, ticket: Ticket) -> CoverageDecision:
    desk.contract.billable_needs_agreement = True
    desk.contract.save(update_fields=["billable_needs_agreement"])
    ticket.refresh_from_db()
    return coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.DATA_MODIFICATION,
        reason=SECRET_REASON,
    )


def test_it_awaits_the_agreement_where_the_contract_asks_for_it(
    awaiting: CoverageDecision,
) -> None:
    assert awaiting.agreement == Agreement.AWAITING
    assert awaiting.notice is not None
    assert "agree or decline" in awaiting.notice.body
    assert f"/portal/tickets/{awaiting.ticket.number}" in awaiting.notice.body


def test_it_needs_no_agreement_where_the_contract_does_not_ask(desk: Desk, ticket: Ticket) -> None:
    decision = coverage_decide(
        ticket=ticket,
        actor=desk.agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.TRAINING,
    )
    assert decision.agreement == Agreement.NOT_NEEDED
    assert desk.requester.user is not None
    with pytest.raises(ValidationError) as error:
        coverage_answer(ticket=ticket, actor=desk.requester.user, agree=True)
    assert "agreement" in error.value.message_dict


def test_the_requester_agrees_once(desk: Desk, awaiting: CoverageDecision) -> None:
    ticket = awaiting.ticket
    assert desk.requester.user is not None
    answered = coverage_answer(
        ticket=ticket, actor=desk.requester.user, agree=True, comment="Go ahead"
    )
    assert answered.agreement == Agreement.AGREED
    assert answered.answered_by == desk.requester.user
    assert answered.answer_comment == "Go ahead"
    event = ticket.events.get(action=EventAction.BILLABLE_ANSWERED)
    assert (event.new_value, event.note) == (Agreement.AGREED, "Go ahead")
    with pytest.raises(ValidationError) as error:
        coverage_answer(ticket=ticket, actor=desk.requester.user, agree=False)
    assert "agreement" in error.value.message_dict
    awaiting.refresh_from_db()
    assert awaiting.agreement == Agreement.AGREED


def test_the_organisations_cpc_may_decline(desk: Desk, awaiting: CoverageDecision) -> None:
    assert desk.cpc.user is not None
    answered = coverage_answer(ticket=awaiting.ticket, actor=desk.cpc.user, agree=False)
    assert answered.agreement == Agreement.DECLINED


def test_a_colleague_who_sees_the_ticket_may_not_answer(
    desk: Desk, awaiting: CoverageDecision
) -> None:
    ticket = awaiting.ticket
    product = ProductFactory()
    Ticket.objects.filter(pk=ticket.pk).update(product=product)
    ticket.refresh_from_db()
    desk.colleague.key_user_products.add(product)
    assert desk.colleague.user is not None
    with pytest.raises(Refusal) as error:
        coverage_answer(ticket=ticket, actor=desk.colleague.user, agree=True)
    assert "agreement" in error.value.message_dict


def test_staff_may_not_answer_for_the_customer(desk: Desk, awaiting: CoverageDecision) -> None:
    with pytest.raises(Refusal):
        coverage_answer(ticket=awaiting.ticket, actor=StaffFactory(), agree=True)


def test_a_stranger_is_told_there_is_no_such_ticket(desk: Desk, awaiting: CoverageDecision) -> None:
    assert desk.stranger.user is not None
    with pytest.raises(Refusal) as error:
        coverage_answer(ticket=awaiting.ticket, actor=desk.stranger.user, agree=True)
    assert "ticket" in error.value.message_dict


def test_a_new_billable_decision_after_a_decline_asks_again(
    desk: Desk, awaiting: CoverageDecision
) -> None:
    assert desk.requester.user is not None
    coverage_answer(ticket=awaiting.ticket, actor=desk.requester.user, agree=False)
    again = coverage_decide(
        ticket=awaiting.ticket,
        actor=desk.agent,
        decision=Decision.BILLABLE,
        request_type=RequestType.CONSULTING,
    )
    assert again.agreement == Agreement.AWAITING
    assert again.notice_id != awaiting.notice_id
