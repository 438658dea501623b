"""A new ticket from any channel: the contract that covers it, who may report, the ticket."""

import datetime
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Contact, User
from servicedesk.automation import schedule
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract, Reporters
from servicedesk.mail import outbound
from servicedesk.tickets import priorities
from servicedesk.tickets.models import (
    Channel,
    Kind,
    Level,
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


def contract_for(
    *, contact: Contact, product: Product | None, on: datetime.date
) -> Contract | None:
    """Return the active contract that covers the product for the contact's organisation."""
    contracts = Contract.objects.filter(
        organisation_id=contact.organisation_id, active=True, starts_on__lte=on
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    if product is not None:
        covering = contracts.filter(products=product).first()
        if covering is not None:
            return covering
    return contracts.order_by("starts_on", "pk").first()


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
) -> Ticket:
    """Create and return a ticket for the requester, with its number and first event."""
    at = now_or(now)
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

    contract = contract_for(contact=requester, product=product, on=timezone.localdate(at))
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
    scheme = priorities.scheme_for(contract)
    if requested_priority and not scheme.has(requested_priority):
        raise ValidationError(
            {
                "requested_priority": [
                    _("Choose one of: %(codes)s.") % {"codes": ", ".join(scheme.codes())}
                ]
            }
        )
    priority = requested_priority or priorities.suggest(scheme, impact=impact, urgency=urgency)

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
        action="created",
        at=at,
        field="status",
        new=ticket.status,
        note=f"channel {channel}",
    )
    refresh_sla(ticket, at=at, created=created)
    schedule.on_created(ticket, at=at)
    outbound.mail_on_ticket_created(ticket)
    return ticket
