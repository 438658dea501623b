"""A new ticket from any channel: the contract that covers it, who may report, the ticket.

Every channel (portal, mail, API, phone, desk) comes through `ticket_create`, so every
intake rule is here once: who may report for whom (the policy), the product covered by
the organisation's contract, the reporters and channels the contract accepts, the
requested priority from impact x urgency, and the one-time completeness check that sends
an incomplete request back to the customer (seed 003).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, User
from servicedesk.automation import notify as automation_notify
from servicedesk.automation import schedule
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract, Reporters
from servicedesk.mail import outbound
from servicedesk.servicelevels.selectors import current_version
from servicedesk.tickets import completeness, policy, priorities
from servicedesk.tickets.models import (
    Channel,
    EventAction,
    Kind,
    Level,
    Status,
    Ticket,
)
from servicedesk.tickets.numbering import next_ticket_number
from servicedesk.tickets.services.common import (
    DESCRIPTION_FIELDS,
    check_choice,
    clean_title,
    now_or,
    record_event,
    refresh_sla,
)
from servicedesk.tickets.services.transitions import ticket_transition


@dataclass(frozen=True, slots=True)
class ContractLookup:
    """What `contract_for` returned for a requester and product today (None: no contract),
    for a caller that looked it up before `ticket_create`, so it is not read twice."""

    contract: Contract | None


def contract_for(
    *, contact: Contact, product: Product | None, on: datetime.date
) -> Contract | None:
    """Return the active contract that covers the product for the contact's organisation.

    Without a product: the organisation's oldest active contract. None when no active
    contract covers the product.
    """
    contracts = active_contracts(organisation_id=contact.organisation_id, on=on)
    if product is not None:
        return contracts.filter(products=product).order_by("starts_on", "pk").first()
    return contracts.order_by("starts_on", "pk").first()


def active_contracts(*, organisation_id: int, on: datetime.date) -> QuerySet[Contract]:
    """Return the organisation's contracts in force on the day."""
    return Contract.objects.filter(
        organisation_id=organisation_id, active=True, starts_on__lte=on
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def require_channel(contract: Contract | None, *, channel: str) -> None:
    """Refuse a customer's mail under a contract that takes requests in the portal only
    (seed 004: "une gestion par e-mail n'est pas possible")."""
    if contract is not None and channel == Channel.EMAIL and not contract.accepts_email:
        raise ValidationError(
            {"channel": [_("Under this contract requests are made in the portal, not by e-mail.")]}
        )


def covering_contract(
    ticket: Ticket, *, product: Product, at: datetime.datetime
) -> Contract | None:
    """Return the contract of the ticket's organisation that covers the product; refuse a
    product none covers (None: the organisation has no contract at all)."""
    today = timezone.localdate(at)
    contract = contract_for(contact=ticket.requester, product=product, on=today)
    if contract is None:
        _require_covered(contact=ticket.requester, product=product, on=today)
    return contract


def _require_covered(*, contact: Contact, product: Product, on: datetime.date) -> None:
    """Refuse a product that none of the organisation's contracts covers, naming those
    that are covered. An organisation without any contract is served best effort."""
    contracts = active_contracts(organisation_id=contact.organisation_id, on=on)
    if not contracts.exists():
        return
    covered = (
        Product.objects.filter(contracts__in=contracts, active=True)
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)
    )
    raise ValidationError(
        {
            "product": [
                _("Your organisation's contract does not cover %(product)s. Covered: %(covered)s.")
                % {"product": product.name, "covered": ", ".join(covered) or "-"}
            ]
        }
    )


def may_report(*, contact: Contact, contract: Contract | None, product: Product | None) -> bool:
    """Return whether the contact may report under the contract (seed 000: CPC/key users)."""
    if contract is None or contract.reporters == Reporters.ANY_CONTACT:
        return True
    if contact.is_cpc:
        return True
    if product is None:
        return contact.key_user_products.exists()
    return contact.key_user_products.filter(pk=product.pk).exists()


@transaction.atomic
def ticket_create(
    *,
    requester: Contact,
    title: str,
    kind: str = Kind.INCIDENT,
    channel: str = Channel.PORTAL,
    product: Product | None = None,
    impact: str = "",
    urgency: str = "",
    requested_priority: str = "",
    details: Mapping[str, str] | None = None,
    actor: User | None = None,
    now: datetime.datetime | None = None,
    looked_up: ContractLookup | None = None,
) -> Ticket:
    """Create and return a ticket for the requester, with its number and first event.

    `actor` is who reports: the requester's own login, staff reporting for a contact, or
    None for the desk itself (the mail intake, the worker). A request that misses what its
    kind needs (`completeness.missing_fields`) goes back to the customer at once with the
    list, and the ticket waits on them.
    """
    at = now_or(now)
    policy.require_reporter(actor, requester=requester, channel=channel)
    title = clean_title(title)
    check_choice("kind", kind, Kind)
    check_choice("channel", channel, Channel)
    for field, value in (("impact", impact), ("urgency", urgency)):
        if value:
            check_choice(field, value, Level)
    if not requester.active:
        raise ValidationError({"requester": [_("This contact is no longer active.")]})
    if product is not None and not product.active:
        raise ValidationError({"product": [_("This product is no longer supported.")]})
    details = dict(details or {})
    unknown = set(details) - set(DESCRIPTION_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown description field.")]})

    today = timezone.localdate(at)
    if looked_up is not None:
        contract = looked_up.contract
    else:
        contract = contract_for(contact=requester, product=product, on=today)
    if contract is None and product is not None:
        _require_covered(contact=requester, product=product, on=today)
    require_channel(contract, channel=channel)
    if not may_report(contact=requester, contract=contract, product=product):
        raise ValidationError(
            {
                "requester": [
                    _(
                        "Under this contract only the central point of contact and key users "
                        "may report."
                    )
                ]
            }
        )
    # Read once: the scheme comes from it and the ticket is pinned to it from the start.
    version = current_version(contract.service_level_id) if contract is not None else None
    scheme = priorities.scheme_for(contract, version=version)
    if requested_priority and not scheme.has(requested_priority):
        raise ValidationError(
            {
                "requested_priority": [
                    _("Choose one of: %(codes)s.") % {"codes": ", ".join(scheme.codes())}
                ]
            }
        )
    if not requested_priority and impact and urgency:
        # The customer's wish is what their impact and urgency give (seed 001's matrix).
        requested_priority = scheme.priority_for(impact, urgency)
    priority = requested_priority or scheme.default

    ticket = Ticket(
        number=next_ticket_number(),
        kind=kind,
        title=title,
        channel=channel,
        requester=requester,
        organisation=requester.organisation,
        contract=contract,
        product=product,
        impact=impact,
        urgency=urgency,
        requested_priority=requested_priority,
        priority=priority,
        priority_rank=scheme.rank(priority),
        service_level_version_id=version.pk if version is not None else None,
        created_at=at,
        updated_at=at,
        **details,
    )
    if ticket.reproducible == "":
        ticket.reproducible = "unknown"
    try:
        ticket.full_clean(exclude=["number", "requester", "organisation", "contract", "product"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None
    ticket.save(force_insert=True)
    created = record_event(
        ticket,
        actor=actor,
        action=EventAction.CREATED,
        at=at,
        field="status",
        new=ticket.status,
        note=f"channel {channel}",
    )
    refresh_sla(ticket, at=at, created=created)
    schedule.on_created(ticket, at=at)
    outbound.mail_on_ticket_created(ticket)
    automation_notify.top_priority_notify(ticket, at=at)
    _check_completeness(ticket, at=at)
    return ticket


def _check_completeness(ticket: Ticket, *, at: datetime.datetime) -> None:
    """Send an incomplete request back to the customer with what is missing (seed 003:
    one automated check; "retour en wachtend op klant")."""
    data = {field: getattr(ticket, field) for field in DESCRIPTION_FIELDS}
    missing = completeness.missing_fields(ticket.kind, data)
    if not missing:
        return
    question = "\n".join(
        [_("To help you we need a little more information:"), *(f"- {m}" for _f, m in missing)]
    )
    ticket_transition(
        ticket=ticket, actor=None, status=Status.WAITING_ON_CUSTOMER, note=question, now=at
    )
