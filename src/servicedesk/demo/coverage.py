"""Demo coverage decisions: who pays, on a few open tickets of the 000 and 004 customers.

`seed_demo(now=...)` decides, the same way every run (a customer with a decision is left
alone, so running the demo twice adds nothing):
- at the 004 customer (Précimeca, French; its contract asks the customer's agreement):
  a data modification billable and awaiting the agreement, a training billable and agreed
  by the requester in the portal, and a question covered by maintenance;
- at the 000 customer (Van den Berg, Dutch; a warranty on its customisation): a
  reproducible customisation defect at the vendor's cost (warranty), and a user error
  covered.
Each billable decision posts the standard text to the requester in their language. Call it
after the demo's tickets are made and before the demo marks what it notified as sent.
"""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from servicedesk.accounts.models import StaffRole, User
from servicedesk.contracts.models import Contract, RequestType
from servicedesk.coverage.models import CoverageDecision, Decision
from servicedesk.coverage.services import coverage_answer, coverage_decide, ticket_suggestion
from servicedesk.tickets.models import OPEN, Kind, Reproducible, Ticket

WARRANTY_CONTRACT = "KS-2024-0001"  # seed 000
AGREEMENT_CONTRACT = "KS-2024-0005"  # seed 004
HOUR = datetime.timedelta(hours=1)


def _undecided(reference: str, now: datetime.datetime) -> QuerySet[Ticket]:
    """Return the contract's open tickets, oldest first; none once one of them is decided."""
    if CoverageDecision.objects.filter(ticket__contract__reference=reference).exists():
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(OPEN, contract__reference=reference, created_at__lt=now - HOUR)
        .filter(coverage_decisions__isnull=True)
        .select_related("contract", "requester__user", "assignee")
        .order_by("created_at", "pk")
    )


def _agent(ticket: Ticket, fallback: User) -> User:
    return ticket.assignee if ticket.assignee is not None else fallback


def _at(ticket: Ticket, now: datetime.datetime) -> datetime.datetime:
    return min(now, ticket.created_at + 2 * HOUR)


def seed_demo(*, now: datetime.datetime | None = None) -> int:
    """Decide coverage on the demo's tickets as described above; return how many decided."""
    now = now or timezone.now()
    fallback = User.objects.filter(role=StaffRole.AGENT, is_active=True).order_by("pk").first()
    if fallback is None:
        return 0
    decided = 0
    Contract.objects.filter(reference=AGREEMENT_CONTRACT).update(billable_needs_agreement=True)
    plan = [
        (RequestType.DATA_MODIFICATION, Decision.BILLABLE, None),
        (RequestType.TRAINING, Decision.BILLABLE, True),
        (RequestType.QUESTION, Decision.COVERED, None),
    ]
    for ticket, (request_type, decision, agree) in zip(
        _undecided(AGREEMENT_CONTRACT, now), plan, strict=False
    ):
        at = _at(ticket, now)
        coverage_decide(
            ticket=ticket,
            actor=_agent(ticket, fallback),
            decision=decision,
            request_type=request_type,
            now=at,
        )
        decided += 1
        user = ticket.requester.user
        if agree is not None and user is not None and user.is_active:
            coverage_answer(
                ticket=ticket, actor=user, agree=agree, comment="D'accord.", now=at + HOUR
            )
    defects = _undecided(WARRANTY_CONTRACT, now).filter(
        kind=Kind.INCIDENT, reproducible=Reproducible.YES
    )
    for ticket, request_type in zip(
        defects, (RequestType.CUSTOMISATION_DEFECT, RequestType.USER_ERROR), strict=False
    ):
        # The agent confirms the warranty facts and follows the desk's suggestion.
        suggestion = ticket_suggestion(
            ticket=ticket, request_type=request_type, against_specification=True, not_as_is=True
        )
        coverage_decide(
            ticket=ticket,
            actor=_agent(ticket, fallback),
            decision=suggestion.decision,
            request_type=request_type,
            against_specification=True,
            not_as_is=True,
            now=_at(ticket, now),
        )
        decided += 1
    return decided
