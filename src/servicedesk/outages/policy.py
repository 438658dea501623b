"""Who may do what with outage notices: the rule every outage service asks.

- *Publish* a notice (create it) and post its updates: the staff roles the RACI matrix
  makes responsible or accountable for the outage step (seed 003: the team manager of the
  product; by default the team leads), administrators always, and the notice's own
  responsible manager for its updates.
- *Link* tickets to a notice: any staff (agents gather the tickets about it).
- *Attach* a ticket at intake: the customer who may see the ticket, while the notice is
  unresolved and about the ticket's product; staff too.
- *Subscribe* a contact: the contact themselves, or staff.

`actor` None is the desk itself (the worker, a command): it may do anything. Refusals are
`tickets.policy.Refusal`, keyed by the field at fault.
"""

from enum import StrEnum

from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact
from servicedesk.automation.models import RaciStep
from servicedesk.automation.raci import load_matrix, roles_for
from servicedesk.outages.models import Outage
from servicedesk.tickets.models import Kind, Ticket
from servicedesk.tickets.policy import (
    AnyUser,
    Refusal,
    contact_of,
    is_administrator,
    is_staff,
    is_system_account,
    may_see,
)


class OutageAction(StrEnum):
    PUBLISH = "publish"  # create a notice
    UPDATE = "update"  # post an update on a notice (resolve it)
    LINK = "link"  # link tickets to a notice
    ATTACH = "attach"  # a customer attaches their report at intake
    SUBSCRIBE = "subscribe"


def publishing_roles() -> frozenset[str]:
    """Return the staff roles the RACI matrix makes responsible or accountable for outage
    communication (one query)."""
    matrix = load_matrix()
    return frozenset(roles_for(matrix, step=RaciStep.OUTAGE, kind=Kind.INCIDENT, letters="RA"))


def may_publish(actor: AnyUser | None) -> bool:
    """Return whether the actor may create outage notices."""
    if actor is None or is_system_account(actor) or is_administrator(actor):
        return True
    return is_staff(actor) and getattr(actor, "role", "") in publishing_roles()


def refusal(
    actor: AnyUser | None,
    action: OutageAction,
    *,
    outage: Outage | None = None,
    ticket: Ticket | None = None,
    contact: Contact | None = None,
) -> Refusal | None:
    """Return why the actor may not do this (a `Refusal`), or None when they may."""
    if actor is None or is_system_account(actor):
        return None
    if not actor.is_authenticated or not actor.is_active:
        return Refusal({"actor": [_("Sign in first.")]})
    match action:
        case OutageAction.PUBLISH:
            if not may_publish(actor):
                return Refusal(
                    {"actor": [_("Only the team managers responsible for outages may do this.")]}
                )
        case OutageAction.UPDATE:
            own = outage is not None and outage.manager_id == actor.pk and is_staff(actor)
            if not own and not may_publish(actor):
                return Refusal({"actor": [_("Only the notice's team manager may update it.")]})
        case OutageAction.LINK:
            if not is_staff(actor):
                return Refusal({"tickets": [_("Only staff may do this.")]})
        case OutageAction.ATTACH:
            if ticket is not None and not may_see(actor, ticket):
                return Refusal({"ticket": [_("No such ticket.")]})
        case OutageAction.SUBSCRIBE:
            if not is_staff(actor):
                own_contact = contact_of(actor)
                if own_contact is None or contact is None or own_contact.pk != contact.pk:
                    return Refusal({"contact": [_("You can only subscribe yourself.")]})
    return None


def require(
    actor: AnyUser | None,
    action: OutageAction,
    *,
    outage: Outage | None = None,
    ticket: Ticket | None = None,
    contact: Contact | None = None,
) -> None:
    """Raise the `Refusal` when the actor may not do this."""
    refused = refusal(actor, action, outage=outage, ticket=ticket, contact=contact)
    if refused is not None:
        raise refused


def allows(
    actor: AnyUser | None,
    action: OutageAction,
    *,
    outage: Outage | None = None,
    ticket: Ticket | None = None,
    contact: Contact | None = None,
) -> bool:
    """Return whether the actor may do this: for pages deciding which buttons to show."""
    return refusal(actor, action, outage=outage, ticket=ticket, contact=contact) is None
