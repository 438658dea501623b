"""Reads scoped by who asks: every query for tickets and their parts starts here.

Staff see everything. A contact sees their own tickets; the organisation's central
point of contact sees all of the organisation's; a key user also sees the
organisation's tickets about their products. Anything else does not exist for them.
"""

from django.db.models import QuerySet

from servicedesk.accounts.models import Contact, Organisation
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from servicedesk.tickets import policy
from servicedesk.tickets.disclosure import INTERNAL_ACTIONS as INTERNAL_ACTIONS
from servicedesk.tickets.disclosure import disclosure_for
from servicedesk.tickets.models import Attachment, Message, Ticket, TicketEvent, Visibility
from servicedesk.tickets.policy import AnyUser as AnyUser

# The policy's, re-exported for the adapters that read.
from servicedesk.tickets.policy import contact_of as contact_of
from servicedesk.tickets.policy import is_staff as is_staff


def tickets_visible_to(user: AnyUser) -> QuerySet[Ticket]:
    """Return the tickets this user may see (the rule is `policy.ticket_scope`)."""
    tickets = Ticket.objects.all()
    if is_staff(user):
        return tickets
    contact = contact_of(user)
    if contact is None:
        return tickets.none()
    return tickets.filter(policy.ticket_scope(contact))


def ticket_get(user: AnyUser, number: str) -> Ticket:
    """Return the ticket with this number if the user may see it; else DoesNotExist."""
    return tickets_visible_to(user).get(number=number.upper())


def messages_visible_to(user: AnyUser, ticket: Ticket) -> QuerySet[Message]:
    """Return the ticket's messages the user may read: customers never see internal notes."""
    messages = ticket.messages.all()
    return messages if is_staff(user) else messages.filter(visibility=Visibility.PUBLIC)


def attachments_visible_to(user: AnyUser, ticket: Ticket) -> QuerySet[Attachment]:
    """Return the ticket's attachments the user may download."""
    attachments = ticket.attachments.all()
    if is_staff(user):
        return attachments
    return attachments.filter(internal=False).exclude(message__visibility=Visibility.INTERNAL)


def events_visible_to(user: AnyUser, ticket: Ticket) -> QuerySet[TicketEvent]:
    """Return the ticket's history the user may read (`disclosure` decides)."""
    return disclosure_for(user).events(ticket.events.all())


def organisations_visible_to(user: AnyUser) -> QuerySet[Organisation]:
    """Return the organisations this user may see: all for staff, their own for contacts."""
    if is_staff(user):
        return Organisation.objects.all()
    contact = contact_of(user)
    if contact is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=contact.organisation_id)


def contacts_visible_to(user: AnyUser) -> QuerySet[Contact]:
    """Return the contacts this user may see: all for staff; a CPC sees colleagues."""
    if is_staff(user):
        return Contact.objects.all()
    contact = contact_of(user)
    if contact is None:
        return Contact.objects.none()
    if contact.is_cpc:
        return Contact.objects.filter(organisation_id=contact.organisation_id)
    return Contact.objects.filter(pk=contact.pk)


def contracts_visible_to(user: AnyUser) -> QuerySet[Contract]:
    """Return the contracts this user may see: all for staff, their organisation's for contacts."""
    if is_staff(user):
        return Contract.objects.all()
    contact = contact_of(user)
    if contact is None:
        return Contract.objects.none()
    return Contract.objects.filter(organisation_id=contact.organisation_id)


def products_visible_to(user: AnyUser) -> QuerySet[Product]:
    """Return the products a user may see: every active product for anyone signed in."""
    if not user.is_authenticated:
        return Product.objects.none()
    products = Product.objects.select_related("group")
    return products if is_staff(user) else products.filter(active=True)
