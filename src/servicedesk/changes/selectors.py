"""Reads of proposals, scoped by who asks: every page and endpoint starts here.

Staff see every proposal. A contact sees the proposals of the tickets they see, and those
the contract lets them decide on (`changes.policy.proposal_scope`); any other does not
exist for them.
"""

from django.db.models import QuerySet

from servicedesk.changes import policy
from servicedesk.changes.models import Proposal
from servicedesk.tickets.models import Ticket
from servicedesk.tickets.policy import AnyUser, contact_of, is_staff


def proposals_visible_to(user: AnyUser) -> QuerySet[Proposal]:
    """Return the proposals this user may see, with their ticket (newest first)."""
    proposals = Proposal.objects.select_related(
        "ticket__organisation", "ticket__product", "ticket__contract", "ticket__requester",
        "answered_by",
    ).order_by("-created_at", "-pk")  # fmt: skip
    if is_staff(user):
        return proposals.select_related("author", "consultant")
    contact = contact_of(user)
    if contact is None:
        return proposals.none()
    return proposals.filter(policy.proposal_scope(contact))


def proposal_get(user: AnyUser, pk: int) -> Proposal:
    """Return the proposal if the user may see it; else `Proposal.DoesNotExist`."""
    return proposals_visible_to(user).get(pk=pk)


def ticket_proposals(user: AnyUser, ticket: Ticket) -> list[Proposal]:
    """Return the ticket's proposals the user may see, latest version first."""
    if not policy.may_see_change(user, ticket):
        return []
    rows = Proposal.objects.filter(ticket=ticket).order_by("-version")
    if is_staff(user):
        rows = rows.select_related("author", "consultant")
    return list(rows.select_related("answered_by"))
