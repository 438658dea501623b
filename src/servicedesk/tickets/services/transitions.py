"""Status changes by the kind's state machine, with what each status needs."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Supplier, User
from servicedesk.automation import schedule
from servicedesk.automation.policy import rule_settings
from servicedesk.core.bulk import update_grouped
from servicedesk.mail import outbound
from servicedesk.surveys.services import surveys_on_status_changed
from servicedesk.tickets import policy, workflow
from servicedesk.tickets.models import EventAction, Status, Ticket, TicketEvent
from servicedesk.tickets.services.common import (
    check_choice,
    event_row,
    lock_current_many,
    now_or,
    refresh_sla_many,
)


def reopen_by_reply_allowed(ticket: Ticket, *, at: datetime.datetime) -> bool:
    """Return whether a customer may still reopen the closed ticket (else: a new ticket)."""
    within = rule_settings(ticket.contract).reopen_within
    return within is None or ticket.closed_at is None or at <= ticket.closed_at + within


@transaction.atomic
def ticket_transition(
    *,
    ticket: Ticket,
    actor: User | None,
    status: str,
    note: str = "",
    supplier: Supplier | None = None,
    supplier_reference: str = "",
    outcome: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """Move the ticket to another status if its kind's state machine allows it; return it.

    Records who and why (an event). A close needs a resolution text, or an `outcome`
    (`workflow.Outcome`) whose standard text is used; it records the outcome (default
    solved), e.g. `handed_to_planning` for consultancy (002 §4). Waiting on a supplier needs
    the supplier and its reference. A customer reopens only within the contract's reopen
    period. Pending time-based actions of the old status are cancelled, and waiting on the
    customer schedules reminders and the automatic close, mails the customer the question
    (the note) and, from staff, counts as the first reaction.
    """
    policy.require(actor, policy.Action.TRANSITION, ticket=ticket, to=status)
    return transition_apply(
        ticket=ticket,
        actor=actor,
        status=status,
        note=note,
        supplier=supplier,
        supplier_reference=supplier_reference,
        outcome=outcome,
        now=now,
    )


@dataclass
class Move:
    """One ticket's status change, as `ticket_transition` takes it."""

    ticket: Ticket
    status: str
    note: str = ""
    supplier: Supplier | None = None
    supplier_reference: str = ""
    outcome: str = ""


@transaction.atomic
def tickets_transition(
    moves: Sequence[Move], *, actor: User | None, now: datetime.datetime | None = None
) -> list[Ticket]:
    """Make several status changes at once, each as `ticket_transition` would (the policy
    asked for each, the same checks and consequences), written in a few statements.

    For the worker's batches (its automatic closes): one refused move refuses them all, so
    the caller checks what it can beforehand and retries the others alone on a refusal.
    """
    for move in moves:
        policy.require(actor, policy.Action.TRANSITION, ticket=move.ticket, to=move.status)
    return moves_apply(moves, actor=actor, now=now)


def transition_apply(
    *,
    ticket: Ticket,
    actor: User | None,
    status: str,
    note: str = "",
    supplier: Supplier | None = None,
    supplier_reference: str = "",
    outcome: str = "",
    now: datetime.datetime | None = None,
) -> Ticket:
    """Move the ticket as `ticket_transition` does, without asking the policy: for the
    moves that follow from something the actor may do (a customer's reply resumes a
    waiting ticket), never for a request of the actor's own."""
    move = Move(ticket, status, note, supplier, supplier_reference, outcome)
    return moves_apply([move], actor=actor, now=now)[0]


@dataclass(frozen=True)
class _Change:
    move: Move
    fields: tuple[str, ...]  # the ticket's fields it sets
    old: str  # the status before
    note: str  # the note as recorded (a close's standard text filled in)


def moves_apply(
    moves: Sequence[Move], *, actor: User | None, now: datetime.datetime | None = None
) -> list[Ticket]:
    """Apply the moves without asking the policy (see `transition_apply`); return the tickets."""
    at = now_or(now)
    tickets = [move.ticket for move in moves]
    lock_current_many(tickets)
    changes = [_prepare(move, actor=actor, at=at) for move in moves]
    by_fields: dict[tuple[str, ...], list[Ticket]] = {}
    for change in changes:
        by_fields.setdefault(change.fields, []).append(change.move.ticket)
    for fields, group in by_fields.items():
        update_grouped(Ticket, group, fields)
    TicketEvent.objects.bulk_create(
        event for change in changes for event in _events(change, actor, at)
    )
    schedule.on_statuses_changed(
        [(change.move.ticket, change.old, change.move.status) for change in changes], at=at
    )
    refresh_sla_many(tickets, at=at)
    for change in changes:
        ticket = change.move.ticket
        within = rule_settings(ticket.contract).reopen_within
        outbound.mail_on_status_changed(
            ticket,
            old=change.old,
            new=change.move.status,
            actor=actor,
            note=change.note,
            reopen_within_days=within.days if within else None,
        )
    surveys_on_status_changed([change.move for change in changes], at=at)
    return tickets


def _events(change: _Change, actor: User | None, at: datetime.datetime) -> list[TicketEvent]:
    """Return the events of a change: the status change, and a close's outcome."""
    ticket, status = change.move.ticket, change.move.status
    events = [
        event_row(
            ticket,
            actor=actor,
            action=EventAction.STATUS_CHANGED,
            at=at,
            field="status",
            old=change.old,
            new=status,
            note=change.note,
        )
    ]
    if status == Status.CLOSED:
        outcome = change.move.outcome or workflow.Outcome.SOLVED
        events.append(
            event_row(
                ticket, actor=actor, action=EventAction.OUTCOME, at=at, field="outcome", new=outcome
            )
        )
    return events


def _prepare(move: Move, *, actor: User | None, at: datetime.datetime) -> _Change:
    """Check the move and set its fields on the ticket (unsaved); return the change."""
    ticket, status = move.ticket, move.status
    reason = workflow.refusal(ticket.status, status, ticket.kind)
    if reason:
        raise ValidationError({"status": [reason]})
    need = workflow.requirement(status)
    note, outcome = move.note.strip(), move.outcome
    if outcome:
        if status != Status.CLOSED:
            raise ValidationError({"outcome": [_("Only a close has an outcome.")]})
        check_choice("outcome", outcome, workflow.Outcome)
    if need.note and not note:
        if status == Status.CLOSED and outcome:
            note = workflow.standard_text(outcome)
        elif status == Status.CLOSED:
            raise ValidationError(
                {"note": [_("Give the resolution, or an outcome whose standard text says it.")]}
            )
        else:
            raise ValidationError({"note": [_("Give the resolution or reason for this status.")]})
    if (
        status == Status.REOPENED
        and ticket.status == Status.CLOSED
        and actor is not None
        and not policy.is_staff(actor)
        and not reopen_by_reply_allowed(ticket, at=at)
    ):
        raise ValidationError(
            {
                "status": [
                    _(
                        "This ticket was closed too long ago to reopen: a new question is a "
                        "new request."
                    )
                ]
            }
        )
    fields = ["status", "updated_at"]
    if need.supplier:
        if move.supplier is None:
            raise ValidationError({"supplier": [_("Name the supplier the ticket waits on.")]})
        if not move.supplier_reference.strip():
            raise ValidationError(
                {"supplier_reference": [_("Give the supplier's ticket reference.")]}
            )
        ticket.supplier = move.supplier
        ticket.supplier_reference = move.supplier_reference.strip()
        fields += ["supplier", "supplier_reference"]
    old = ticket.status
    ticket.status = status
    ticket.updated_at = at
    if status == Status.CLOSED:
        ticket.closed_at = at
        ticket.resolved_at = ticket.resolved_at or at
        fields += ["closed_at", "resolved_at"]
    elif status == Status.SOLUTION_OFFERED:
        ticket.resolved_at = at
        fields.append("resolved_at")
    elif status == Status.REOPENED:
        ticket.closed_at = None
        ticket.resolved_at = None
        fields += ["closed_at", "resolved_at"]
    return _Change(move, tuple(fields), old, note)
