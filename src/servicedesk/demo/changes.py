"""Demo change management: proposals on a few of the demo's parked change requests.

`seed_demo(now=...)` works the oldest parked change requests, the same way every run (once
any proposal exists it does nothing, so running the demo twice adds nothing):
- the first gets a proposal the customer has not answered yet (the portal shows it with
  its Accept and Reject buttons; a reminder follows after the contract's working days);
- the second a proposal its CPC or key user accepted, planned with a consultant;
- the third a revised proposal (version 2) after the customer's questions, still pending;
- the fourth is rejected by the desk (the ticket closes, the customer is told).
The price is the estimate times the contract's hourly rate, or a fixed price without one.
Call it after the demo's tickets are made and before the demo marks what it notified as sent.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from servicedesk.accounts.models import StaffRole, User
from servicedesk.changes import policy, services
from servicedesk.changes.models import Decision, Pricing, Proposal
from servicedesk.tickets.models import Kind, Status, Ticket

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def _pricing(ticket: Ticket) -> dict[str, object]:
    if ticket.contract is not None and ticket.contract.hourly_rate is not None:
        return {"pricing": Pricing.HOURLY}
    return {"pricing": Pricing.FIXED, "fixed_price": Decimal("1450.00")}


def _decider(ticket: Ticket) -> User | None:
    """Return a login of the customer who may answer the ticket's proposal, if any."""
    for contact in ticket.organisation.contacts.filter(active=True).select_related("user"):
        user = contact.user
        if user is not None and user.is_active and policy.contact_may_decide(contact, ticket):
            return user
    return None


def seed_demo(*, now: datetime.datetime | None = None) -> int:
    """Write the demo's proposals as described above; return how many tickets were worked."""
    now = now or timezone.now()
    if Proposal.objects.exists():
        return 0
    agent = User.objects.filter(role=StaffRole.AGENT, is_active=True).order_by("pk").first()
    if agent is None:
        return 0
    tickets = list(
        Ticket.objects.filter(kind=Kind.CHANGE_REQUEST, status=Status.PARKED)
        .select_related("contract", "organisation", "requester")
        .order_by("created_at", "pk")[:4]
    )
    for index, ticket in enumerate(tickets):
        actor = ticket.assignee or agent
        # Sent two days ago (or a day after the ticket came in): still awaiting an answer.
        sent = min(now - HOUR, max(ticket.created_at + DAY, now - 2 * DAY))
        if index == 3:
            services.change_decide(
                ticket=ticket,
                actor=actor,
                decision=Decision.REJECTED,
                note="This does not fit the product's direction; we will not build it.",
                now=sent,
            )
            continue
        proposal = services.proposal_create(
            ticket=ticket,
            actor=actor,
            scope=f"Build what is asked in {ticket.number}: {ticket.title}.",
            approach="Analysis with your key user, build, test in your acceptance environment.",
            impact="No downtime; users are told of the new option in the release notes.",
            estimate_hours=Decimal("12"),
            window_start=(now + 14 * DAY).date(),
            window_end=(now + 21 * DAY).date(),
            internal_note="Estimate from the product owner.",
            now=sent,
            **_pricing(ticket),  # type: ignore[arg-type]
        )
        if index == 2:
            services.proposal_create(
                ticket=ticket,
                actor=actor,
                scope=proposal.scope + " Including the export your key user asked about.",
                estimate_hours=Decimal("16"),
                now=sent + HOUR,
                **_pricing(ticket),  # type: ignore[arg-type]
            )
        decider = _decider(ticket) if index == 1 else None
        if decider is not None:
            services.proposal_answer(
                proposal=proposal, actor=decider, accept=True, comment="Agreed.", now=sent + HOUR
            )
            services.proposal_plan(
                proposal=proposal,
                actor=actor,
                planned_start=(now + 14 * DAY).date(),
                planned_end=(now + 16 * DAY).date(),
                consultant=actor,
                now=sent + 2 * HOUR,
            )
    return len(tickets)
