"""Who may decide and answer coverage: the rules the coverage services ask.

Staff decide who pays for a ticket's work. A customer may read only the customer-facing
part of a decision (billable or not, and the agreement), never its internal reason. The
ticket's requester and the organisation's central point of contact (CPC) may agree to or
decline billable work. A refusal is a `tickets.policy.Refusal` keyed by the field at
fault; adapters only translate it.
"""

from enum import StrEnum

from django.utils.translation import gettext as _

from servicedesk.tickets import policy
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import AnyUser, Refusal


class Action(StrEnum):
    """What a person may be allowed or refused about a ticket's coverage."""

    READ = "read"  # the customer-facing part: billable or not, the agreement
    READ_INTERNAL = "read_internal"  # the request type, the reason, the suggestion, history
    DECIDE = "decide"
    AGREE = "agree"  # agree to or decline billable work


def refusal(actor: AnyUser | None, action: Action, *, ticket: Ticket) -> Refusal | None:
    """Return why the actor may not do this to the ticket's coverage, or None when they may.

    `actor` None, or a system account, is the desk itself (the demo, a command): it may
    decide. Nobody but a customer answers for the customer.
    """
    if actor is None or policy.is_system_account(actor):
        if action == Action.AGREE:
            return Refusal({"actor": [_("Only the customer can answer.")]})
        return None
    if not actor.is_authenticated or not actor.is_active:
        return Refusal({"actor": [_("Sign in first.")]})
    if not policy.may_see(actor, ticket):
        return Refusal({"ticket": [_("No such ticket.")]})
    staff = policy.is_staff(actor)
    if action == Action.READ:
        return None
    if action in (Action.READ_INTERNAL, Action.DECIDE):
        if staff:
            return None
        return Refusal({"decision": [_("Only staff may do this.")]})
    # Action.AGREE: the requester or the organisation's CPC, not the desk on their behalf.
    contact = policy.contact_of(actor)
    if contact is None:
        return Refusal({"agreement": [_("Only the customer can answer.")]})
    if contact.pk == ticket.requester_id or (
        contact.is_cpc and contact.organisation_id == ticket.organisation_id
    ):
        return None
    return Refusal(
        {"agreement": [_("Only the requester or the central point of contact can answer.")]}
    )


def require(actor: AnyUser | None, action: Action, *, ticket: Ticket) -> None:
    """Raise the `Refusal` when the actor may not do this; return quietly when they may."""
    refused = refusal(actor, action, ticket=ticket)
    if refused is not None:
        raise refused


def allows(actor: AnyUser | None, action: Action, *, ticket: Ticket) -> bool:
    """Return whether the actor may do this: for pages that decide what to show."""
    return refusal(actor, action, ticket=ticket) is None
