"""Who may do what with change requests and proposals: the rules the change services ask.

Staff decide on a change request, write, revise and plan proposals and release changes.
A customer only answers a pending proposal, and only when the contract lets them
(`Contract.proposal_deciders`): its central point of contact (CPC), the CPC and the
key users of the ticket's product, or any contact of the organisation. A proposal another
organisation owns does not exist for a contact: the refusal is "no such proposal", which
pages and the API answer with a 404.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact
from servicedesk.contracts.models import ProposalDeciders
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import (
    AnyUser,
    Refusal,
    contact_may_see,
    contact_of,
    is_staff,
    is_system_account,
    key_user_product_ids,
    ticket_scope,
)


class NotFound(Refusal):
    """The proposal (or ticket) does not exist for this person: adapters answer 404."""


def deciders_rule(ticket: Ticket) -> str:
    """Return who decides on the ticket's proposals (the contract's rule; CPC and key users
    without a contract)."""
    contract = ticket.contract
    return (
        contract.proposal_deciders if contract is not None else ProposalDeciders.CPC_AND_KEY_USERS
    )


def contact_may_decide(
    contact: Contact, ticket: Ticket, *, product_ids: list[int] | None = None
) -> bool:
    """Return whether the contact may accept or reject the ticket's proposals."""
    if not contact.active or contact.organisation_id != ticket.organisation_id:
        return False
    rule = deciders_rule(ticket)
    if contact.is_cpc:
        return True
    if rule == ProposalDeciders.ANY_CONTACT:
        return True
    if rule == ProposalDeciders.CPC_AND_KEY_USERS:
        ids = key_user_product_ids(contact) if product_ids is None else product_ids
        return ticket.product_id is not None and ticket.product_id in ids
    return False


def proposal_scope(contact: Contact) -> Q:
    """Return the condition on proposals a contact may see: those of the tickets they see,
    and those the contract lets them decide on."""
    org = contact.organisation_id
    scope = Q(ticket__in=Ticket.objects.filter(ticket_scope(contact)).values("pk"))
    scope |= Q(
        ticket__organisation_id=org,
        ticket__contract__proposal_deciders=ProposalDeciders.ANY_CONTACT,
    )
    product_ids = key_user_product_ids(contact)
    if product_ids:
        scope |= Q(
            ticket__organisation_id=org,
            ticket__product_id__in=product_ids,
            ticket__contract__proposal_deciders=ProposalDeciders.CPC_AND_KEY_USERS,
        )
    return scope


def may_see_change(user: AnyUser | None, ticket: Ticket) -> bool:
    """Return whether the user may see the ticket's proposals."""
    if is_staff(user):
        return True
    contact = contact_of(user)
    return contact is not None and (
        contact_may_see(contact, ticket) or contact_may_decide(contact, ticket)
    )


def require_staff(actor: AnyUser | None, *, ticket: Ticket, field: str = "actor") -> None:
    """Raise a `Refusal` unless the actor is staff (or the desk itself: None, a system
    account); a customer who may not even see the ticket is told it does not exist."""
    if actor is None or is_system_account(actor) or is_staff(actor):
        return
    if not may_see_change(actor, ticket):
        raise NotFound({"ticket": [_("No such ticket.")]})
    raise Refusal({field: [_("Only the service desk may do this.")]})


def decide_refusal(actor: AnyUser | None, ticket: Ticket) -> Refusal | None:
    """Return why the actor may not accept or reject the ticket's proposal, or None."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Refusal({"actor": [_("Sign in first.")]})
    if is_staff(actor):
        return Refusal({"actor": [_("The customer decides on a proposal, not the desk.")]})
    contact = contact_of(actor)
    if contact is None or not may_see_change(actor, ticket):
        return NotFound({"proposal": [_("No such proposal.")]})
    if not contact_may_decide(contact, ticket):
        rule = deciders_rule(ticket)
        if rule == ProposalDeciders.CPC:
            message = _("Only your central point of contact may decide on this proposal.")
        else:
            message = _(
                "Only your central point of contact and the key users of this product may "
                "decide on this proposal."
            )
        return Refusal({"decision": [message]})
    return None


def require_decider(actor: AnyUser | None, ticket: Ticket) -> Contact:
    """Return the contact who decides; raise the `Refusal` when the actor may not."""
    refused = decide_refusal(actor, ticket)
    if refused is not None:
        raise refused
    contact = contact_of(actor)
    assert contact is not None  # decide_refusal refuses anyone without one
    return contact


def may_decide(actor: AnyUser | None, ticket: Ticket) -> bool:
    """Return whether the actor may answer the ticket's proposal: which buttons to show."""
    return decide_refusal(actor, ticket) is None
