"""Who may do what: the one rulebook every service asks.

A service takes the acting person and calls `require(actor, Action..., ticket=...)`
before it writes; a refusal is a `Refusal` (a `ValidationError` keyed by the field at
fault), which the API, portal, desk, admin, mail intake and commands only translate into
their own answer. Pages may call `allows(...)` to decide which buttons to *show*; they
never decide on their own who may do something.

Who is who:
- *staff* work for the vendor: an active user with a staff role, or a superuser;
- a *manager* is staff who may change master data and service levels (service manager,
  administrator);
- a *customer* is an active user behind an active contact. A contact sees their own
  tickets; the organisation's central point of contact (CPC) sees all of the
  organisation's; a key user also sees the organisation's tickets about their products.

What a customer may *read* of a ticket is decided in `servicedesk.tickets.disclosure`.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, StaffRole, User
from servicedesk.tickets import workflow
from servicedesk.tickets.models import Status, Ticket

AnyUser = User | AnonymousUser

MANAGING_ROLES = frozenset({StaffRole.SERVICE_MANAGER, StaffRole.ADMINISTRATOR})
# Who reads the service-level and operational reports of every organisation; agents keep
# their queues, and a customer's central point of contact reads its own organisation's.
REPORTING_ROLES = frozenset({StaffRole.TEAM_LEAD, *MANAGING_ROLES})


class Action(StrEnum):
    """Everything a person may be allowed or refused on a ticket or the desk's data."""

    REPORT = "report"  # open a ticket for a contact
    LOG_CALL = "log_call"  # record a phone call (a new ticket or a note on one)
    UPDATE = "update"  # change descriptive fields (which ones: `updatable_fields`)
    CHANGE_PRIORITY = "change_priority"
    ASSIGN = "assign"  # agent, team, support line
    TRANSITION = "transition"  # change the status (which moves: `may_move`)
    REPLY = "reply"  # a public message
    NOTE = "note"  # an internal note
    ATTACH = "attach"  # a file the customer may see
    ATTACH_INTERNAL = "attach_internal"
    LINK = "link"
    MANAGE = "manage"  # organisations, contacts, contracts, products, service levels
    ADMINISTER = "administer"  # the desk's set-up: users, teams, RACI matrix, mailboxes


class Refusal(ValidationError):
    """The policy's no, keyed by the field at fault; adapters answer it as a 4xx or a form
    error."""


STAFF_ONLY = frozenset(
    {
        Action.LOG_CALL,
        Action.CHANGE_PRIORITY,
        Action.ASSIGN,
        Action.NOTE,
        Action.ATTACH_INTERNAL,
        Action.LINK,
    }
)

DESCRIPTION_FIELDS = (
    "description",
    "steps_taken",
    "expected_result",
    "actual_result",
    "reproducible",
    "administration",
    "affected_users",
    "business_impact",
    "recent_changes",
)
UPDATABLE_BY_CUSTOMER = frozenset({"title", *DESCRIPTION_FIELDS})
UPDATABLE_BY_STAFF = frozenset(
    {"title", "kind", "product", "impact", "urgency", *DESCRIPTION_FIELDS}
)


# ----------------------------------------------------------------------------- who is who


def is_staff(user: AnyUser | None) -> bool:
    """Return whether the user works for the vendor (and so sees every ticket)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "role", ""))
    )


def is_administrator(user: AnyUser | None) -> bool:
    """Return whether the user sets up the desk: administrators and superusers."""
    return is_staff(user) and bool(
        user is not None
        and (user.is_superuser or getattr(user, "role", "") == StaffRole.ADMINISTRATOR)
    )


def is_system_account(user: AnyUser) -> bool:
    """Return whether the user is one of the desk's own process accounts (the mail intake's):
    a staff role on an account that cannot sign in. No request ever carries one (Django
    refuses inactive users at sign-in and by token), so only the desk's code acts as it."""
    return bool(user.is_authenticated and not user.is_active and getattr(user, "role", ""))


def is_manager(user: AnyUser | None) -> bool:
    """Return whether the user may change master data: service managers and administrators."""
    return is_staff(user) and bool(
        user is not None and (user.is_superuser or getattr(user, "role", "") in MANAGING_ROLES)
    )


def reads_every_report(user: AnyUser | None) -> bool:
    """Return whether the user reads every organisation's reports: team leads, service
    managers, administrators and superusers."""
    return is_staff(user) and bool(
        user is not None and (user.is_superuser or getattr(user, "role", "") in REPORTING_ROLES)
    )


def reads_own_reports(user: AnyUser | None) -> Contact | None:
    """Return the contact who reads their own organisation's reports (customer-facing
    figures only): a customer's central point of contact; None for anyone else."""
    contact = contact_of(user)
    return contact if contact is not None and contact.is_cpc else None


def contact_of(user: AnyUser | None) -> Contact | None:
    """Return the active contact record behind a signed-in customer, if any."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        contact: Contact = user.contact
    except Contact.DoesNotExist:
        return None
    return contact if contact.active else None


def key_user_product_ids(contact: Contact) -> list[int]:
    """Return the ids of the products the contact is a key user for."""
    return list(contact.key_user_products.values_list("pk", flat=True))


def ticket_scope(contact: Contact) -> Q:
    """Return the condition on tickets a customer may see."""
    if contact.is_cpc:
        return Q(organisation_id=contact.organisation_id)
    scope = Q(requester_id=contact.pk)
    product_ids = key_user_product_ids(contact)
    if product_ids:
        scope |= Q(organisation_id=contact.organisation_id, product_id__in=product_ids)
    return scope


def contact_may_see(contact: Contact, ticket: Ticket) -> bool:
    """Return whether the contact may see the ticket (the same rule as `ticket_scope`)."""
    if not contact.active:
        return False
    if ticket.requester_id == contact.pk:
        return True
    if ticket.organisation_id != contact.organisation_id:
        return False
    return contact.is_cpc or (
        ticket.product_id is not None and ticket.product_id in key_user_product_ids(contact)
    )


def may_see(user: AnyUser | None, ticket: Ticket) -> bool:
    """Return whether the user may see the ticket at all."""
    if is_staff(user):
        return True
    contact = contact_of(user)
    return contact is not None and contact_may_see(contact, ticket)


# ----------------------------------------------------------------------------- actions


def refusal(
    actor: AnyUser | None,
    action: Action,
    *,
    ticket: Ticket | None = None,
    fields: Iterable[str] = (),
    to: str = "",
) -> Refusal | None:
    """Return why the actor may not do this (a `Refusal`), or None when they may.

    `actor` None, or a system account, is the desk itself (the worker, the mail intake, a
    command run by an operator): it may do anything the workflow allows. `fields` are the
    fields of an update; `to` the status of a transition.
    """
    if actor is None or is_system_account(actor):
        return None
    if not actor.is_authenticated or not actor.is_active:
        return Refusal({"actor": [_("Sign in first.")]})
    staff = is_staff(actor)
    if action == Action.MANAGE:
        if is_manager(actor):
            return None
        return Refusal({"actor": [_("Only service managers and administrators may do this.")]})
    if action == Action.ADMINISTER:
        if is_administrator(actor):
            return None
        return Refusal({"actor": [_("Only administrators may do this.")]})
    if action in STAFF_ONLY and not staff:
        return Refusal({_field_of(action): [_("Only staff may do this.")]})
    if ticket is not None and not staff and not may_see(actor, ticket):
        return Refusal({"ticket": [_("No such ticket.")]})
    if action == Action.UPDATE:
        allowed = UPDATABLE_BY_STAFF if staff else UPDATABLE_BY_CUSTOMER
        for field in sorted(set(fields) - allowed):
            return Refusal({field: [_("You may not change this field.")]})
        if not staff and ticket is not None and ticket.status == Status.CLOSED:
            return Refusal({"status": [_("A closed ticket can no longer be changed.")]})
    if (
        action == Action.TRANSITION
        and not staff
        and ticket is not None
        and not workflow.customer_may_move_to(ticket.status, to)
    ):
        return Refusal(
            {"status": [_("A customer can only close a ticket or reopen a solved one.")]}
        )
    return None


def require(
    actor: AnyUser | None,
    action: Action,
    *,
    ticket: Ticket | None = None,
    fields: Iterable[str] = (),
    to: str = "",
) -> None:
    """Raise the `Refusal` when the actor may not do this; return quietly when they may."""
    refused = refusal(actor, action, ticket=ticket, fields=fields, to=to)
    if refused is not None:
        raise refused


def allows(actor: AnyUser | None, action: Action, **context: Any) -> bool:
    """Return whether the actor may do this: for pages that decide which buttons to show."""
    return refusal(actor, action, **context) is None


def require_reporter(actor: AnyUser | None, *, requester: Contact, channel: str) -> None:
    """Raise a `Refusal` unless the actor may open a ticket for this requester by this channel.

    Staff report for any contact (a phone call, a mail they forward); a customer reports as
    themselves, never as a phone call. The desk itself (`actor` None: the mail intake, the
    worker) reports for the sender it has identified.
    """
    if actor is None or is_staff(actor):
        return
    contact = contact_of(actor)
    if contact is None:
        raise Refusal({"requester": [_("Only contacts and staff can report.")]})
    if contact.pk != requester.pk:
        raise Refusal({"requester": [_("You can only report as yourself.")]})
    if channel == "phone":
        raise Refusal({"channel": [_("Phone calls are logged by the service desk.")]})


def updatable_fields(actor: AnyUser | None) -> frozenset[str]:
    """Return the descriptive fields the actor may change."""
    return UPDATABLE_BY_STAFF if actor is None or is_staff(actor) else UPDATABLE_BY_CUSTOMER


def _field_of(action: Action) -> str:
    return {
        Action.LOG_CALL: "channel",
        Action.CHANGE_PRIORITY: "priority",
        Action.ASSIGN: "assignee",
        Action.NOTE: "visibility",
        Action.ATTACH_INTERNAL: "internal",
        Action.LINK: "target",
    }.get(action, "actor")
