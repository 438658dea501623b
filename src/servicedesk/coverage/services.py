"""The one door for coverage: an agent's decision and the customer's answer to billable work.

Each service takes the acting person, asks `coverage.policy`, writes the change and its
ticket event in one transaction, and raises a `ValidationError` keyed by the field at
fault. A billable decision tells the customer with the standard text (seed 004) as a
public message on the ticket, which the conversation service mails like any reply; where
the contract says so, the work then waits for the customer's agreement in the portal.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.contracts.models import RequestType
from servicedesk.coverage import policy
from servicedesk.coverage.models import Agreement, CoverageDecision, Decision
from servicedesk.coverage.rules import Facts, Suggestion, coverage_suggest
from servicedesk.coverage.selectors import decision_current
from servicedesk.coverage.texts import billable_notice
from servicedesk.mail.outbound import ticket_url
from servicedesk.tickets.models import EventAction, Message, Reproducible, Ticket
from servicedesk.tickets.services import ticket_add_message
from servicedesk.tickets.services.common import check_choice, now_or, record_event

# A billable decision that follows one of these keeps the earlier notice and agreement:
# the customer was told already. After a decline a new billable decision asks again.
KEEPS_AGREEMENT = frozenset({Agreement.NOT_NEEDED, Agreement.AWAITING, Agreement.AGREED})


def ticket_facts(
    *, ticket: Ticket, request_type: str, against_specification: bool, not_as_is: bool
) -> Facts:
    """Return the facts of the suggestion: the ticket's, and the two the agent confirms."""
    return Facts(
        request_type=request_type,
        reproducible=ticket.reproducible == Reproducible.YES,
        against_specification=against_specification,
        not_as_is=not_as_is,
        reported_on=timezone.localdate(ticket.created_at),
    )


def ticket_suggestion(
    *,
    ticket: Ticket,
    request_type: str,
    against_specification: bool = False,
    not_as_is: bool = False,
) -> Suggestion:
    """Return the desk's suggestion for the ticket's coverage with these facts."""
    facts = ticket_facts(
        ticket=ticket,
        request_type=request_type,
        against_specification=against_specification,
        not_as_is=not_as_is,
    )
    return coverage_suggest(contract=ticket.contract, facts=facts)


@transaction.atomic
def coverage_decide(
    *,
    ticket: Ticket,
    actor: User,
    decision: str,
    request_type: str,
    reason: str = "",
    against_specification: bool = False,
    not_as_is: bool = False,
    now: datetime.datetime | None = None,
) -> CoverageDecision:
    """Record who pays for the ticket's work and return the decision.

    An empty reason takes the suggestion's when the decision follows it; a decision
    against the suggestion needs the agent's reason. A new billable decision posts the
    standard text to the customer in their language and, when the contract asks for it,
    waits for their agreement.
    """
    at = now_or(now)
    policy.require(actor, policy.Action.DECIDE, ticket=ticket)
    check_choice("decision", decision, Decision)
    check_choice("request_type", request_type, RequestType)
    # One decision at a time per ticket: the previous one decides what the customer knows.
    Ticket.objects.select_for_update().filter(pk=ticket.pk).values_list("pk").get()
    previous = decision_current(ticket=ticket)
    suggestion = ticket_suggestion(
        ticket=ticket,
        request_type=request_type,
        against_specification=against_specification,
        not_as_is=not_as_is,
    )
    reason = reason.strip()
    if not reason:
        if decision != suggestion.decision:
            raise ValidationError(
                {"reason": [_("Say why you decide otherwise than the desk suggests.")]}
            )
        reason = suggestion.reason
    row = CoverageDecision(
        ticket=ticket,
        decision=decision,
        suggested=suggestion.decision,
        request_type=request_type,
        against_specification=against_specification,
        not_as_is=not_as_is,
        reason=reason,
        decided_by=actor,
        decided_at=at,
    )
    if decision == Decision.BILLABLE:
        if (
            previous is not None
            and previous.decision == Decision.BILLABLE
            and previous.agreement in KEEPS_AGREEMENT
        ):
            row.notice_id = previous.notice_id
            row.agreement = previous.agreement
            row.answered_by_id = previous.answered_by_id
            row.answered_at = previous.answered_at
            row.answer_comment = previous.answer_comment
        else:
            row.notice = _notice_post(ticket=ticket, actor=actor, request_type=request_type, at=at)
            if ticket.contract is not None and ticket.contract.billable_needs_agreement:
                row.agreement = Agreement.AWAITING
    row.save()
    # The event is on the customer's timeline too: it carries the decision, never the reason.
    record_event(
        ticket,
        actor=actor,
        action=EventAction.COVERAGE_DECIDED,
        at=at,
        field="coverage",
        old=previous.decision if previous is not None else "",
        new=decision,
    )
    return row


def _notice_post(
    *, ticket: Ticket, actor: User, request_type: str, at: datetime.datetime
) -> Message:
    contract = ticket.contract
    body = billable_notice(
        request_type=request_type,
        language=ticket.requester.language,
        needs_agreement=contract is not None and contract.billable_needs_agreement,
        url=ticket_url(ticket),
    )
    return ticket_add_message(ticket=ticket, body=body, author=actor, now=at)


@transaction.atomic
def coverage_answer(
    *,
    ticket: Ticket,
    actor: User,
    agree: bool,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> CoverageDecision:
    """Record the customer's agreement to (or refusal of) billable work; return the decision.

    Given once: the decision must await the answer, and of two answers at the same moment
    one is stored (a conditional update); the other is told it was answered already.
    """
    at = now_or(now)
    policy.require(actor, policy.Action.AGREE, ticket=ticket)
    current = decision_current(ticket=ticket)
    if (
        current is None
        or current.decision != Decision.BILLABLE
        or current.agreement == Agreement.NOT_NEEDED
    ):
        raise ValidationError({"agreement": [_("No billable work waits for your answer.")]})
    answer = Agreement.AGREED if agree else Agreement.DECLINED
    comment = comment.strip()
    claimed = CoverageDecision.objects.filter(pk=current.pk, agreement=Agreement.AWAITING).update(
        agreement=answer, answered_by=actor, answered_at=at, answer_comment=comment
    )
    if not claimed:
        raise ValidationError({"agreement": [_("This has been answered already.")]})
    current.refresh_from_db()
    record_event(
        ticket,
        actor=actor,
        action=EventAction.BILLABLE_ANSWERED,
        at=at,
        field="billable_agreement",
        old=Agreement.AWAITING,
        new=answer,
        note=comment,
    )
    return current
