"""Who hears of a change, and the notifications that tell them, through the one outbox.

Customers: a proposal goes to the organisation's central point(s) of contact, the key
users of the ticket's product and the requester (seed 000: "gedeeld met de CPC, ...
beoordeeld door de Key users"); so do its reminder, the planning and the close. Staff:
the service center is who holds R or A in the RACI matrix's `change_proposal` step (the
agent and the team lead by default, seed 003 "Bewaken dat change geaccepteerd wordt").

Each notice is a `Notification` (`automation.notify.notifications_record`): stored once
by its dedupe key in the caller's transaction, with its timeline event, and mailed as
plain text in the recipient's language by the outbox.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import Q
from django.utils import translation

from servicedesk.accounts.models import Contact
from servicedesk.automation.models import Audience, Notification, RaciStep, Rule
from servicedesk.automation.notify import Planned, notifications_record
from servicedesk.automation.raci import CUSTOMER, Directory, Recipient, recipients
from servicedesk.changes import texts
from servicedesk.changes.models import Proposal
from servicedesk.mail.texts import language_or_default
from servicedesk.tickets.models import Ticket


def customer_audience(ticket: Ticket) -> list[Recipient]:
    """Return the contacts told of the ticket's proposals: the organisation's CPCs, the key
    users of its product and the requester (active ones, each once, requester first)."""
    condition = Q(organisation_id=ticket.organisation_id, is_cpc=True)
    if ticket.product_id is not None:
        condition |= Q(organisation_id=ticket.organisation_id, key_user_products=ticket.product_id)
    condition |= Q(pk=ticket.requester_id)
    contacts = Contact.objects.filter(condition, active=True).distinct().order_by("pk")
    ordered = sorted(contacts, key=lambda contact: contact.pk != ticket.requester_id)
    return [
        Recipient(CUSTOMER, contact.name, contact.email, contact.language, contact_id=contact.pk)
        for contact in ordered
    ]


def service_center(ticket: Ticket, directory: Directory | None = None) -> list[Recipient]:
    """Return the staff the `change_proposal` step holds responsible or accountable."""
    people = recipients(
        RaciStep.CHANGE_PROPOSAL, ticket.kind, "RA", ticket=ticket, directory=directory
    )
    return [person for person in people if person.audience == Audience.STAFF]


def change_notify(
    rule: Rule,
    *,
    ticket: Ticket,
    people: Iterable[Recipient],
    occurrence: str,
    at: datetime.datetime,
    proposal: Proposal | None = None,
    note: str = "",
) -> list[Notification]:
    """Record the rule's notification to each person, rendered in their language; return
    the new ones. `occurrence` names the cause: with the rule and the person it makes the
    dedupe key, so a rule run twice for one cause notifies once."""
    planned: list[Planned] = []
    for person in people:
        language = language_or_default(person.language or settings.LANGUAGE_CODE)
        with translation.override(language):
            subject, body = texts.render(
                rule, proposal=proposal, ticket=ticket, recipient=person, note=note
            )
        key = f"{rule}:{occurrence}:{person.key}"[:150]
        planned.append(Planned(ticket, rule, person, key, subject, body))
    return notifications_record(planned, at=at)


def except_requester(people: Sequence[Recipient], ticket: Ticket) -> list[Recipient]:
    """Return the people without the requester (who is told by the ticket's own mail)."""
    return [person for person in people if person.contact_id != ticket.requester_id]
