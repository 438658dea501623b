"""Schedule and cancel a ticket's time-based actions; called by the ticket services.

Each function runs inside the service's transaction, after the ticket row was written (so
the ticket's row lock is held: the tick takes the same lock before it touches a ticket's
actions, so a change and the tick never both act on one action).
"""

import datetime
from collections.abc import Sequence

from django.db.models import Q

from servicedesk.automation.models import PENDING, ActionKind, ScheduledAction
from servicedesk.automation.policy import rule_settings, ticket_calendar
from servicedesk.tickets.models import Status, Ticket
from servicedesk.tickets.workflow import WAITING_ON_CUSTOMER_STATUSES

CHAIN = (ActionKind.REMINDER_1, ActionKind.REMINDER_2, ActionKind.AUTO_CLOSE)


def action_schedule(
    ticket: Ticket,
    *,
    kind: ActionKind,
    due_at: datetime.datetime,
    at: datetime.datetime,
    while_status: str = "",
    replace: bool = True,
) -> ScheduledAction:
    """Schedule an action for the ticket, replacing a pending one of the same kind; return it.

    `replace=False` when the ticket cannot have one yet (it was just created).
    """
    if replace:
        actions_cancel(ticket, at=at, kinds=[kind])
    return ScheduledAction.objects.create(
        ticket=ticket, kind=kind, due_at=due_at, created_at=at, while_status=while_status
    )


def actions_cancel(
    ticket: Ticket,
    *,
    at: datetime.datetime,
    kinds: list[ActionKind] | None = None,
    unless_status: str | None = None,
) -> int:
    """Cancel the ticket's pending actions (of these kinds; or those bound to a status other
    than `unless_status`); return how many."""
    pending = ScheduledAction.objects.filter(PENDING, ticket=ticket)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    if unless_status is not None:
        pending = pending.exclude(while_status="").exclude(while_status=unless_status)
    return pending.update(cancelled_at=at)


def waiting_chain(ticket: Ticket, status: str) -> list[tuple[ActionKind, datetime.timedelta]]:
    """Return the reminders and the automatic close a wait in this status gets, with delays.

    Reminders due at or after the automatic close are left out.
    """
    rules = rule_settings(ticket.contract)
    close_after = (
        rules.auto_close_after if status == Status.WAITING_ON_CUSTOMER
        else rules.solution_auto_close_after
    )  # fmt: skip
    steps = [
        (ActionKind.REMINDER_1, rules.reminder_1_after),
        (ActionKind.REMINDER_2, rules.reminder_2_after),
    ]
    chain = [
        (kind, after)
        for kind, after in steps
        if after is not None and (close_after is None or after < close_after)
    ]
    if close_after is not None:
        chain.append((ActionKind.AUTO_CLOSE, close_after))
    return chain


def on_created(ticket: Ticket, *, at: datetime.datetime) -> None:
    """Schedule the alert for a ticket still unassigned after its contract's working time."""
    after = rule_settings(ticket.contract).unassigned_alert_after
    if after is None or ticket.assignee_id is not None:
        return
    due = ticket_calendar(ticket).add(at, after)
    action_schedule(ticket, kind=ActionKind.UNASSIGNED_ALERT, due_at=due, at=at, replace=False)


def on_assigned(ticket: Ticket, *, at: datetime.datetime) -> None:
    """Cancel the unassigned alert once the ticket has an assignee."""
    if ticket.assignee_id is not None:
        actions_cancel(ticket, at=at, kinds=[ActionKind.UNASSIGNED_ALERT])


def on_status_changed(ticket: Ticket, *, old: str, new: str, at: datetime.datetime) -> None:
    """Cancel what the old status had scheduled and schedule what the new one needs.

    A close cancels everything. Waiting on the customer (or for them to confirm a solution)
    schedules two reminders and an automatic close, counted from now.
    """
    on_statuses_changed([(ticket, old, new)], at=at)


def _on_opened_status(ticket: Ticket, *, new: str, at: datetime.datetime) -> None:
    chain = waiting_chain(ticket, new) if new in WAITING_ON_CUSTOMER_STATUSES else []
    # What another status scheduled, and what the new wait replaces: one statement.
    bound_elsewhere = ~Q(while_status="") & ~Q(while_status=new)
    replaced = Q(kind__in=[kind for kind, _after in chain])
    ScheduledAction.objects.filter(PENDING, bound_elsewhere | replaced, ticket=ticket).update(
        cancelled_at=at
    )
    ScheduledAction.objects.bulk_create(
        ScheduledAction(
            ticket=ticket, kind=kind, due_at=at + after, created_at=at, while_status=new
        )
        for kind, after in chain
    )


def on_statuses_changed(
    changes: Sequence[tuple[Ticket, str, str]], *, at: datetime.datetime
) -> None:
    """`on_status_changed` for several (ticket, old, new) changes: the closes cancel their
    tickets' pending actions in one statement."""
    closed = [ticket.pk for ticket, _old, new in changes if new == Status.CLOSED]
    if closed:
        ScheduledAction.objects.filter(PENDING, ticket_id__in=closed).update(cancelled_at=at)
    for ticket, _old, new in changes:
        if new != Status.CLOSED:
            _on_opened_status(ticket, new=new, at=at)


def pending_actions(ticket: Ticket) -> list[ScheduledAction]:
    """Return the ticket's pending actions, soonest first."""
    return list(ScheduledAction.objects.filter(PENDING, ticket=ticket).order_by("due_at", "pk"))
