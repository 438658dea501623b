"""Reads for the portal pages, built on the access-checked ticket selectors."""

from django.db.models import OuterRef, QuerySet, Subquery

from servicedesk.accounts.models import Contact
from servicedesk.tickets.models import (
    ClockState,
    Status,
    Ticket,
    TicketClock,
    TicketEvent,
)
from servicedesk.tickets.policy import AnyUser
from servicedesk.tickets.selectors import contact_of, events_visible_to, tickets_visible_to

SCOPES = ("mine", "organisation")
STATES = ("open", "closed", "all")

# What a customer's history shows: the steps of the ticket, not the desk's bookkeeping.
CUSTOMER_HISTORY = ("created", "status_changed", "priority_changed", "attachment_added", "linked")


def sees_organisation(contact: Contact) -> bool:
    """Return whether the contact sees the organisation's tickets (CPC or key user)."""
    return contact.is_cpc or contact.key_user_products.exists()


def portal_tickets(user: AnyUser, *, scope: str, state: str) -> QuerySet[Ticket]:
    """Return the tickets of the portal's list, with `promised_due`: the next customer SLA."""
    tickets = tickets_visible_to(user)
    if scope != "organisation":
        tickets = tickets.filter(requester=contact_of(user))
    if state == "open":
        tickets = tickets.exclude(status=Status.CLOSED)
    elif state == "closed":
        tickets = tickets.filter(status=Status.CLOSED)
    # Looked up for the rows of the page only (not grouped over all the organisation's
    # tickets), so the list costs the same however many tickets there are.
    promised = (
        TicketClock.objects.filter(
            ticket=OuterRef("pk"),
            internal=False,
            state=ClockState.RUNNING,
            due_at__isnull=False,
        )
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return (
        tickets.select_related("product", "requester")
        .annotate(promised_due=Subquery(promised))
        .order_by("-updated_at", "-pk")
    )


def promised_clocks(ticket: Ticket) -> QuerySet[TicketClock]:
    """Return the ticket's targets the customer was promised (not the desk's internal ones)."""
    return ticket.clocks.filter(internal=False).exclude(state=ClockState.NONE)


def customer_history(user: AnyUser, ticket: Ticket) -> QuerySet[TicketEvent]:
    """Return the steps of the ticket's history the customer sees."""
    return events_visible_to(user, ticket).filter(action__in=CUSTOMER_HISTORY)


def offered_solution(user: AnyUser, ticket: Ticket) -> str:
    """Return the text of the latest solution offered on the ticket, or ""."""
    event = (
        events_visible_to(user, ticket)
        .filter(action="status_changed", new_value=Status.SOLUTION_OFFERED)
        .order_by("-at", "-pk")
        .first()
    )
    return event.note if event is not None else ""
