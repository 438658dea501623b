"""Status changes by the kind's state machine, with what each status needs."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.accounts.models import Supplier, User
from servicedesk.automation import schedule
from servicedesk.automation.policy import rule_settings
from servicedesk.mail import outbound
from servicedesk.tickets import policy, workflow
from servicedesk.tickets.models import (
    EventAction,
    Status,
    Ticket,
)
from servicedesk.tickets.services.common import (
    check_choice,
    lock_current,
    now_or,
    record_event,
    refresh_sla,
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
    at = now_or(now)
    lock_current(ticket)
    reason = workflow.refusal(ticket.status, status, ticket.kind)
    if reason:
        raise ValidationError({"status": [reason]})
    need = workflow.requirement(status)
    note = note.strip()
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
        if supplier is None:
            raise ValidationError({"supplier": [_("Name the supplier the ticket waits on.")]})
        if not supplier_reference.strip():
            raise ValidationError(
                {"supplier_reference": [_("Give the supplier's ticket reference.")]}
            )
        ticket.supplier = supplier
        ticket.supplier_reference = supplier_reference.strip()
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
    ticket.save(update_fields=fields)
    record_event(
        ticket,
        actor=actor,
        action=EventAction.STATUS_CHANGED,
        at=at,
        field="status",
        old=old,
        new=status,
        note=note,
    )
    if status == Status.CLOSED:
        record_event(
            ticket,
            actor=actor,
            action=EventAction.OUTCOME,
            at=at,
            field="outcome",
            new=outcome or workflow.Outcome.SOLVED,
        )
    schedule.on_status_changed(ticket, old=old, new=status, at=at)
    refresh_sla(ticket, at=at)
    within = rule_settings(ticket.contract).reopen_within
    outbound.mail_on_status_changed(
        ticket,
        old=old,
        new=status,
        actor=actor,
        note=note,
        reopen_within_days=within.days if within else None,
    )
    return ticket
