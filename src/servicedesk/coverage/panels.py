"""What the coverage panel (desk) and the billable-work block (portal) show."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from servicedesk.contracts.models import RequestType
from servicedesk.coverage import policy
from servicedesk.coverage.forms import DecisionForm
from servicedesk.coverage.models import Agreement, CoverageDecision
from servicedesk.coverage.rules import TYPE_OF_KIND
from servicedesk.coverage.selectors import (
    HISTORY_SHOWN,
    CustomerCoverage,
    customer_coverage,
    decisions_visible_to,
)
from servicedesk.coverage.services import ticket_suggestion
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import AnyUser


@dataclass(frozen=True, slots=True)
class FormFacts:
    """The facts the panel's suggestion is made for: as the form holds them."""

    request_type: str
    against_specification: bool = False
    not_as_is: bool = False

    @classmethod
    def of_data(cls, data: Mapping[str, Any]) -> "FormFacts":
        """Return the facts of submitted form data (an unknown type counts as a question)."""
        kind = str(data.get("request_type") or "")
        return cls(
            request_type=kind if kind in RequestType.values else RequestType.QUESTION,
            against_specification=data.get("against_specification") in ("on", "true", "1", True),
            not_as_is=data.get("not_as_is") in ("on", "true", "1", True),
        )

    @classmethod
    def of_ticket(cls, ticket: Ticket, current: CoverageDecision | None) -> "FormFacts":
        """Return the current decision's facts, else the request type the kind suggests."""
        if current is not None:
            return cls(current.request_type, current.against_specification, current.not_as_is)
        return cls(TYPE_OF_KIND.get(ticket.kind, RequestType.QUESTION))


def desk_panel(
    user: AnyUser,
    *,
    ticket: Ticket,
    form: DecisionForm | None = None,
    facts: FormFacts | None = None,
) -> dict[str, Any]:
    """Return the panel's context: the suggestion for the facts, the form and the history.

    A bound form (shown again with its errors) brings its own facts; otherwise the form
    starts from `facts`, or the current decision's, with the suggested decision.
    """
    if not policy.allows(user, policy.Action.READ_INTERNAL, ticket=ticket):
        return {"shown": False}
    history = list(decisions_visible_to(user, ticket=ticket)[:HISTORY_SHOWN])
    current = history[0] if history else None
    if form is not None:
        facts = FormFacts.of_data(form.data)
    elif facts is None:
        facts = FormFacts.of_ticket(ticket, current)
    suggestion = ticket_suggestion(
        ticket=ticket,
        request_type=facts.request_type,
        against_specification=facts.against_specification,
        not_as_is=facts.not_as_is,
    )
    if form is None:
        form = DecisionForm(
            initial={
                "request_type": facts.request_type,
                "against_specification": facts.against_specification,
                "not_as_is": facts.not_as_is,
                "decision": suggestion.decision,
            }
        )
    return {
        "shown": True,
        "ticket": ticket,
        "current": current,
        "awaiting": current is not None and current.agreement == Agreement.AWAITING,
        "suggestion": suggestion,
        "form": form,
        "history": history,
        "may_decide": policy.allows(user, policy.Action.DECIDE, ticket=ticket),
    }


def customer_block(user: AnyUser, *, ticket: Ticket) -> CustomerCoverage | None:
    """Return what the portal shows of the ticket's coverage: None unless it is billable."""
    if not policy.allows(user, policy.Action.READ, ticket=ticket):
        return None
    coverage = customer_coverage(user, ticket=ticket)
    return coverage if coverage.billable else None
