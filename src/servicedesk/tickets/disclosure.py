"""What a person may read of a ticket: decided here once, used by the API, portal and mail.

Staff read everything. A customer reads the ticket without its internal fields (who
works on it, in which team and line, with which supplier), only the service-level
targets promised to them (not the desk's internal ones), the history without internal
steps and without links to tickets they may not see, and people at the desk by name,
never by their login.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.tickets import policy
from servicedesk.tickets.models import EventAction, Ticket, TicketClock, TicketEvent

A = EventAction

# Fields of a ticket only the desk reads.
INTERNAL_FIELDS = frozenset({"assignee", "team", "support_line", "supplier", "supplier_reference"})

# Steps of a ticket's history only the desk reads. Customers see their own notifications
# ("notified"), not internal alerts or SLA bookkeeping.
INTERNAL_ACTIONS = frozenset(
    {
        A.NOTE_ADDED,
        A.ASSIGNED,
        A.ATTACHMENT_INTERNAL,
        A.CALL_LOGGED,  # who called; a shared call's summary is a message they read
        A.NOTIFIED_STAFF,
        A.SLA_WARNING,
        A.SLA_BREACHED,
        A.COVERAGE_DECIDED,  # the desk's reasoning; the customer reads the billable notice
        A.TIME_LOGGED,  # time entries carry internal notes
    }
)


# Notices to the organisation's central point of contact recorded on the ticket that
# caused them (credit used up): not the requester's business, whoever they are.
ORGANISATION_NOTICES = ("credit_low", "credit_exhausted")


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What one reader may read of tickets: ask it, never decide it on a page."""

    reader: policy.AnyUser | None
    staff: bool

    def shows_field(self, name: str) -> bool:
        """Return whether the reader may read this field of a ticket."""
        return self.staff or name not in INTERNAL_FIELDS

    def clocks(self, clocks: list[TicketClock]) -> list[TicketClock]:
        """Return the service-level clocks the reader may read."""
        return clocks if self.staff else [clock for clock in clocks if not clock.internal]

    def due_at(self, clocks: list[TicketClock]) -> datetime.datetime | None:
        """Return the earliest due time of the running targets the reader may read (the
        ticket's own `sla_due_at` also counts the desk's internal ones)."""
        dues = [
            clock.due_at
            for clock in self.clocks(clocks)
            if clock.state == "running" and clock.due_at is not None
        ]
        return min(dues, default=None)

    def events(self, events: QuerySet[TicketEvent]) -> QuerySet[TicketEvent]:
        """Return the history the reader may read."""
        if self.staff:
            return events
        contact = policy.contact_of(self.reader)
        if contact is None:
            return events.none()
        visible = Ticket.objects.filter(policy.ticket_scope(contact)).values("number")
        return (
            events.exclude(action__in=INTERNAL_ACTIONS)
            .exclude(Q(action=A.NOTIFIED, field__in=ORGANISATION_NOTICES))
            .exclude(Q(action=A.LINKED) & ~Q(new_value__in=visible))
        )

    def person(self, user: User | None) -> str | None:
        """Return how the reader sees a person who acted: staff see logins; customers see
        names, and "Service desk" for a colleague of the desk without one."""
        if user is None:
            return None
        if self.staff:
            return user.username
        name = user.get_full_name()
        if name:
            return name
        return str(_("Service desk")) if policy.is_staff(user) else None


def disclosure_for(reader: policy.AnyUser | None) -> Disclosure:
    """Return what the reader may read of tickets."""
    return Disclosure(reader=reader, staff=policy.is_staff(reader))


# What a customer reads, for text made for a customer without a request (outbound mail).
CUSTOMER_VIEW = Disclosure(reader=None, staff=False)
