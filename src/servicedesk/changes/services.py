"""Every change to a change request's decision, proposals and planning goes through here.

Each function takes the acting person, asks `changes.policy`, writes the change and its
ticket event in one transaction, moves the ticket through the ticket services (so the
status history, SLA clocks and mails follow as for any status change) and records the
notifications. Refusals are `ValidationError`s keyed by the field at fault.

The flow (seeds 000, 001, 003):
- `change_park`: the ticket is (made) a change request and parked while a decision is
  pending; an incident or question that needs a change has its kind switched first.
- `change_decide`: the desk rejects it (the ticket closes, the customer is told) or takes
  it into the product roadmap (work resumes; released later).
- `proposal_create`: the desk proposes (or revises: a new version, the pending one is
  superseded); the CPC and key users are mailed and asked to answer within the contract's
  working days; the ticket stays parked.
- `proposal_answer`: a customer the contract allows accepts (work resumes, to planning)
  or rejects (the ticket closes); the service center is told.
- `proposal_plan`: planned start, end and consultant of an accepted proposal.
- `change_release`: the change is delivered; the customer is told and the ticket closes.
- `proposals_due_run` (the worker's tick): the reminder, then the lapse, each once.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import User
from servicedesk.automation.models import Rule
from servicedesk.automation.raci import Directory
from servicedesk.changes import notify, policy
from servicedesk.changes.deadlines import proposal_deadlines
from servicedesk.changes.models import (
    AGREED_STATES,
    Decision,
    Pricing,
    Proposal,
    ProposalState,
)
from servicedesk.tickets import services as ticket_services
from servicedesk.tickets.models import EventAction, Kind, Status, Ticket
from servicedesk.tickets.policy import is_staff
from servicedesk.tickets.services.common import lock_current, now_or, record_event
from servicedesk.tickets.services.transitions import transition_apply

CENT = Decimal("0.01")
TEXT_MAX = 10_000


def _text(field: str, value: str, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > TEXT_MAX:
        raise ValidationError(
            {field: [_("Keep this under %(max)d characters.") % {"max": TEXT_MAX}]}
        )
    return value


def _require_open(ticket: Ticket) -> None:
    if ticket.status == Status.CLOSED:
        raise ValidationError({"status": [_("The ticket is closed.")]})


# ----------------------------------------------------------------------------- the desk


@transaction.atomic
def change_park(
    *, ticket: Ticket, actor: User | None, note: str = "", now: datetime.datetime | None = None
) -> Ticket:
    """Make the ticket a change request awaiting a decision (parked, seed 001); return it.

    An incident or question that turns out to need a change has its kind switched to
    change request first (recorded in the history). Parking follows work in progress, so a
    new or waiting ticket is taken in progress on the way. Already parked: nothing changes.
    """
    at = now_or(now)
    policy.require_staff(actor, ticket=ticket)
    lock_current(ticket)
    _require_open(ticket)
    if ticket.kind != Kind.CHANGE_REQUEST:
        ticket_services.ticket_update(
            ticket=ticket, actor=actor, changes={"kind": Kind.CHANGE_REQUEST}, now=at
        )
    if ticket.status == Status.PARKED:
        return ticket
    if ticket.status != Status.IN_PROGRESS:
        ticket_services.ticket_transition(
            ticket=ticket, actor=actor, status=Status.IN_PROGRESS, now=at
        )
    note = _text("note", note) or _("Your change request awaits a decision.")
    return ticket_services.ticket_transition(
        ticket=ticket, actor=actor, status=Status.PARKED, note=note, now=at
    )


@transaction.atomic
def change_decide(
    *,
    ticket: Ticket,
    actor: User | None,
    decision: str,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """Record the desk's decision on a change request and act on it; return the ticket.

    `rejected` (the reason in `note` is required) closes the ticket and tells the customer;
    `roadmap` takes it into the product's development (work resumes, the change is released
    later with `change_release`). A proposal is made with `proposal_create`.
    """
    at = now_or(now)
    policy.require_staff(actor, ticket=ticket)
    if decision not in (Decision.REJECTED, Decision.ROADMAP):
        raise ValidationError(
            {
                "decision": [
                    _("Decide to reject it or take it into the roadmap; propose with a proposal.")
                ]
            }
        )
    lock_current(ticket)
    _require_open(ticket)
    if ticket.kind != Kind.CHANGE_REQUEST:
        raise ValidationError({"kind": [_("Only a change request gets a change decision.")]})
    note = _text("note", note, required=decision == Decision.REJECTED)
    if Proposal.objects.filter(ticket=ticket, state__in=AGREED_STATES).exists():
        raise ValidationError(
            {"decision": [_("The customer accepted a proposal: release the change.")]}
        )
    Proposal.objects.filter(ticket=ticket, state=ProposalState.PENDING).update(
        state=ProposalState.SUPERSEDED, next_look_at=None
    )
    record_event(
        ticket,
        actor=actor,
        action=EventAction.CHANGE_DECIDED,
        at=at,
        field="decision",
        new=decision,
        note=note,
    )
    if decision == Decision.REJECTED:
        _close(ticket, actor=actor, note=note, at=at)
    elif ticket.status != Status.IN_PROGRESS:
        ticket_services.ticket_transition(
            ticket=ticket,
            actor=actor,
            status=Status.IN_PROGRESS,
            note=note or _("Your change request is taken into the product roadmap."),
            now=at,
        )
    return ticket


def _price(
    ticket: Ticket, *, estimate: Decimal, pricing: str, fixed_price: Decimal | None
) -> tuple[Decimal | None, Decimal]:
    """Return (the hourly rate used, the price) of a proposal."""
    if pricing == Pricing.FIXED:
        if fixed_price is None or fixed_price < 0:
            raise ValidationError({"fixed_price": [_("Give the fixed price.")]})
        return None, fixed_price.quantize(CENT, ROUND_HALF_UP)
    if pricing != Pricing.HOURLY:
        raise ValidationError({"pricing": [_("Choose hourly or fixed.")]})
    rate = ticket.contract.hourly_rate if ticket.contract is not None else None
    if rate is None:
        raise ValidationError(
            {"pricing": [_("The contract has no hourly rate: give a fixed price.")]}
        )
    return rate, (estimate * rate).quantize(CENT, ROUND_HALF_UP)


@transaction.atomic
def proposal_create(
    *,
    ticket: Ticket,
    actor: User,
    scope: str,
    estimate_hours: Decimal,
    approach: str = "",
    impact: str = "",
    pricing: str = Pricing.HOURLY,
    fixed_price: Decimal | None = None,
    window_start: datetime.date | None = None,
    window_end: datetime.date | None = None,
    internal_note: str = "",
    now: datetime.datetime | None = None,
) -> Proposal:
    """Write a proposal for the change request, or revise the pending or lapsed one (a new
    version; the earlier stays readable), send it to the customer and return it.

    The price is the estimate times the contract's hourly rate, or a fixed price. The
    customer is asked to answer within the contract's working days, with a reminder before;
    the ticket is (made) a change request and parked until they answer.
    """
    at = now_or(now)
    policy.require_staff(actor, ticket=ticket)
    scope = _text("scope", scope, required=True)
    approach, impact = _text("approach", approach), _text("impact", impact)
    internal_note = _text("internal_note", internal_note)
    if estimate_hours is None or estimate_hours <= 0:
        raise ValidationError({"estimate_hours": [_("Estimate the hours of work.")]})
    if window_start and window_end and window_end < window_start:
        raise ValidationError({"window_end": [_("The end comes after the start.")]})
    rate, price = _price(ticket, estimate=estimate_hours, pricing=pricing, fixed_price=fixed_price)
    lock_current(ticket)
    _require_open(ticket)
    if Proposal.objects.filter(ticket=ticket, state__in=AGREED_STATES).exists():
        raise ValidationError({"proposal": [_("The customer already accepted a proposal.")]})
    change_park(ticket=ticket, actor=actor, now=at)
    latest = Proposal.objects.filter(ticket=ticket).order_by("-version").first()
    Proposal.objects.filter(ticket=ticket, state=ProposalState.PENDING).update(
        state=ProposalState.SUPERSEDED, next_look_at=None
    )
    deadlines = proposal_deadlines(ticket.contract, sent_at=at)
    proposal = Proposal.objects.create(
        ticket=ticket,
        version=latest.version + 1 if latest else 1,
        scope=scope,
        approach=approach,
        impact=impact,
        estimate_hours=estimate_hours,
        pricing=pricing,
        hourly_rate=rate,
        price=price,
        window_start=window_start,
        window_end=window_end,
        internal_note=internal_note,
        author=actor,
        created_at=at,
        answer_due_at=deadlines.answer_due_at,
        remind_at=deadlines.remind_at,
        next_look_at=deadlines.remind_at or deadlines.answer_due_at,
    )
    if latest is None:
        record_event(
            ticket,
            actor=actor,
            action=EventAction.CHANGE_DECIDED,
            at=at,
            field="decision",
            new=Decision.PROPOSAL,
        )
    record_event(
        ticket,
        actor=actor,
        action=EventAction.PROPOSAL_SENT,
        at=at,
        field="version",
        old=latest.version if latest else "",
        new=proposal.version,
    )
    notify.change_notify(
        Rule.PROPOSAL_SENT,
        ticket=ticket,
        proposal=proposal,
        people=notify.customer_audience(ticket),
        occurrence=f"p{proposal.pk}",
        at=at,
    )
    return proposal


@transaction.atomic
def proposal_plan(
    *,
    proposal: Proposal,
    actor: User | None,
    planned_start: datetime.date,
    planned_end: datetime.date,
    consultant: User,
    now: datetime.datetime | None = None,
) -> Proposal:
    """Plan an accepted proposal: its start, end and consultant (re-planning moves it);
    the customer is told the dates. Return the proposal."""
    at = now_or(now)
    ticket = proposal.ticket
    policy.require_staff(actor, ticket=ticket)
    if planned_end < planned_start:
        raise ValidationError({"planned_end": [_("The end comes after the start.")]})
    if not consultant.is_agent:
        raise ValidationError({"consultant": [_("Choose an active member of staff.")]})
    updated = Proposal.objects.filter(
        pk=proposal.pk, state__in=[ProposalState.ACCEPTED, ProposalState.PLANNED]
    ).update(
        state=ProposalState.PLANNED,
        planned_start=planned_start,
        planned_end=planned_end,
        consultant=consultant,
        planned_at=at,
    )
    if not updated:
        raise ValidationError({"proposal": [_("Only an accepted proposal can be planned.")]})
    proposal.refresh_from_db()
    record_event(
        ticket,
        actor=actor,
        action=EventAction.CHANGE_PLANNED,
        at=at,
        field="planning",
        new=f"{planned_start.isoformat()}/{planned_end.isoformat()}",
    )
    notify.change_notify(
        Rule.CHANGE_PLANNED,
        ticket=ticket,
        proposal=proposal,
        people=notify.customer_audience(ticket),
        occurrence=f"p{proposal.pk}:{at.isoformat()}",
        at=at,
    )
    return proposal


@transaction.atomic
def change_release(
    *, ticket: Ticket, actor: User | None, note: str = "", now: datetime.datetime | None = None
) -> Ticket:
    """Record that the change is delivered, tell the customer and close the ticket (001).

    For a change taken into the roadmap or an accepted proposal; not while a proposal
    awaits the customer's answer or before any decision.
    """
    at = now_or(now)
    policy.require_staff(actor, ticket=ticket)
    lock_current(ticket)
    _require_open(ticket)
    if ticket.kind != Kind.CHANGE_REQUEST:
        raise ValidationError({"kind": [_("Only a change request is released.")]})
    if ticket.status == Status.PARKED:
        raise ValidationError(
            {"status": [_("The change awaits a decision or the customer's answer.")]}
        )
    note = _text("note", note) or _("The change you asked for has been released.")
    agreed = Proposal.objects.filter(ticket=ticket, state__in=AGREED_STATES).first()
    if agreed is not None:
        Proposal.objects.filter(pk=agreed.pk).update(state=ProposalState.RELEASED, released_at=at)
    record_event(
        ticket, actor=actor, action=EventAction.CHANGE_RELEASED, at=at, field="change", note=note
    )
    _close(ticket, actor=actor, note=note, at=at)
    return ticket


def _close(ticket: Ticket, *, actor: User | None, note: str, at: datetime.datetime) -> None:
    """Close the ticket through the ticket services and tell the customer: the requester by
    the closing mail of a close by staff, everyone else the proposals go to by a notice."""
    ticket_services.ticket_transition(
        ticket=ticket, actor=actor, status=Status.CLOSED, note=note, now=at
    )
    people = notify.customer_audience(ticket)
    if actor is not None and is_staff(actor):
        people = notify.except_requester(people, ticket)
    notify.change_notify(
        Rule.CHANGE_CLOSED,
        ticket=ticket,
        people=people,
        occurrence=f"t{ticket.pk}:{at.isoformat()}",
        at=at,
        note=note,
    )


# ----------------------------------------------------------------------------- the customer


@transaction.atomic
def proposal_answer(
    *,
    proposal: Proposal,
    actor: User,
    accept: bool,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> Proposal:
    """Accept or reject a pending proposal for the customer; return it.

    Only a contact the contract allows may (`policy.require_decider`); an answer is taken
    once (a conditional UPDATE: a second, or one after the lapse, is refused). Accepting
    resumes work on the ticket (to planning); rejecting (with a reason) closes it. The
    service center is told either way.
    """
    at = now_or(now)
    ticket = proposal.ticket
    contact = policy.require_decider(actor, ticket)
    comment = _text("comment", comment, required=not accept)
    state = ProposalState.ACCEPTED if accept else ProposalState.REJECTED
    answered = Proposal.objects.filter(pk=proposal.pk, state=ProposalState.PENDING).update(
        state=state,
        answered_at=at,
        answered_by=contact,
        answer_comment=comment,
        next_look_at=None,
    )
    if not answered:
        raise ValidationError({"proposal": [_("This proposal is no longer open for an answer.")]})
    proposal.refresh_from_db()
    record_event(
        ticket,
        actor=actor,
        action=EventAction.PROPOSAL_ANSWERED,
        at=at,
        field="version",
        old=proposal.version,
        new=state,
        note=comment,
    )
    notify.change_notify(
        Rule.PROPOSAL_ANSWERED,
        ticket=ticket,
        proposal=proposal,
        people=notify.service_center(ticket),
        occurrence=f"p{proposal.pk}",
        at=at,
        note=comment,
    )
    if accept:
        lock_current(ticket)
        if ticket.status == Status.PARKED:
            # The customer's answer resumes the work: a move that follows from what they may
            # do, not one of their own (a customer never moves a ticket out of parked).
            transition_apply(
                ticket=ticket,
                actor=actor,
                status=Status.IN_PROGRESS,
                note=_("Proposal accepted: the change goes to planning."),
                now=at,
            )
    else:
        _close(
            ticket,
            actor=actor,
            note=_("The proposal was rejected: %(comment)s") % {"comment": comment},
            at=at,
        )
    return proposal


# ----------------------------------------------------------------------------- the clock


def proposals_due_run(*, now: datetime.datetime, limit: int = 500) -> int:
    """Remind of and lapse the pending proposals whose next look is due; return how many
    were handled. Each step is claimed with a conditional UPDATE on the next-look column,
    in its own transaction with its event and notifications, so two ticks at once do it
    once, and a crash before the commit leaves it for the next tick."""
    due = list(
        Proposal.objects.filter(state=ProposalState.PENDING, next_look_at__lte=now)
        .order_by("next_look_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    directory = Directory()
    done = 0
    for pk in due:
        with transaction.atomic():
            done += _look(pk, now=now, directory=directory)
    return done


def _look(pk: int, *, now: datetime.datetime, directory: Directory) -> int:
    proposal = (
        Proposal.objects.select_related(
            "ticket__organisation",
            "ticket__requester",
            "ticket__contract",
            "ticket__team__lead",
            "ticket__assignee",
        )
        .filter(pk=pk, state=ProposalState.PENDING, next_look_at__lte=now)
        .first()
    )
    if proposal is None or proposal.next_look_at is None:
        return 0
    looked = proposal.next_look_at
    ticket = proposal.ticket
    mine = Proposal.objects.filter(pk=pk, state=ProposalState.PENDING, next_look_at=looked)
    if now < proposal.answer_due_at and proposal.reminded_at is None:
        if not mine.update(reminded_at=now, next_look_at=proposal.answer_due_at):
            return 0  # another worker took it
        notify.change_notify(
            Rule.PROPOSAL_REMINDER,
            ticket=ticket,
            proposal=proposal,
            people=notify.customer_audience(ticket),
            occurrence=f"p{proposal.pk}",
            at=now,
        )
        return 1
    if now < proposal.answer_due_at:
        # Reminded already; look again when the answer is due.
        mine.update(next_look_at=proposal.answer_due_at)
        return 0
    if not mine.update(state=ProposalState.LAPSED, lapsed_at=now, next_look_at=None):
        return 0
    proposal.state = ProposalState.LAPSED
    record_event(
        ticket,
        actor=None,
        action=EventAction.PROPOSAL_LAPSED,
        at=now,
        field="version",
        new=proposal.version,
    )
    notify.change_notify(
        Rule.PROPOSAL_LAPSED,
        ticket=ticket,
        proposal=proposal,
        people=notify.service_center(ticket, directory),
        occurrence=f"p{proposal.pk}",
        at=now,
    )
    return 1
