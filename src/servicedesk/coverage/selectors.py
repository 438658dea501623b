"""Reads of coverage decisions, scoped by who asks.

Staff read every decision with its request type, reason and suggestion. A customer who
may see the ticket reads only the customer-facing part (`CustomerCoverage`): whether the
work is billable and where their agreement stands, never the reason. Anyone else gets a
`Refusal` keyed "ticket", which the adapters answer as "not found".
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from servicedesk.coverage import policy
from servicedesk.coverage.models import Agreement, CoverageDecision, Decision
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import AnyUser

HISTORY_SHOWN = 20


def decision_current(*, ticket: Ticket) -> CoverageDecision | None:
    """Return the ticket's current coverage decision (its latest), or None if undecided."""
    return ticket.coverage_decisions.order_by("-decided_at", "-pk").first()


def ticket_billable(ticket: Ticket) -> bool:
    """Return True when the ticket's current coverage decision is "billable".

    False when it is covered, under warranty or not decided yet. Used by billing.
    """
    current = decision_current(ticket=ticket)
    return current is not None and current.decision == Decision.BILLABLE


@dataclass(frozen=True, slots=True)
class CustomerCoverage:
    """What a customer reads of a ticket's coverage: nothing about why."""

    decided: bool
    billable: bool
    agreement: str  # an `Agreement` value; "not_needed" when not billable
    answered_at: datetime.datetime | None
    comment: str  # the customer's own comment with their answer
    may_answer: bool  # this reader may agree or decline now

    @property
    def awaiting(self) -> bool:
        return self.agreement == Agreement.AWAITING


def customer_coverage(user: AnyUser, *, ticket: Ticket) -> CustomerCoverage:
    """Return the customer-facing part of the ticket's coverage; `Refusal` if not visible."""
    policy.require(user, policy.Action.READ, ticket=ticket)
    current = decision_current(ticket=ticket)
    if current is None or current.decision != Decision.BILLABLE:
        return CustomerCoverage(current is not None, False, Agreement.NOT_NEEDED, None, "", False)
    awaiting = current.agreement == Agreement.AWAITING
    return CustomerCoverage(
        decided=True,
        billable=True,
        agreement=current.agreement,
        answered_at=current.answered_at,
        comment=current.answer_comment,
        may_answer=awaiting and policy.allows(user, policy.Action.AGREE, ticket=ticket),
    )


def decisions_visible_to(user: AnyUser, *, ticket: Ticket) -> QuerySet[CoverageDecision]:
    """Return the ticket's coverage decisions, latest first, for staff; none for others."""
    if not policy.allows(user, policy.Action.READ_INTERNAL, ticket=ticket):
        return CoverageDecision.objects.none()
    return (
        CoverageDecision.objects.filter(ticket=ticket)
        .select_related("decided_by", "answered_by")
        .order_by("-decided_at", "-pk")
    )
