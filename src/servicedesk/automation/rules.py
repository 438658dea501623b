"""What a due scheduled action does. Called by the tick with the ticket locked.

Each rule checks that it still applies, makes its change through the ticket services, and
returns its outcome with the notifications to record (the tick records them in the same
transaction). A rule that only notifies writes nothing itself.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from servicedesk.automation.models import (
    ActionKind,
    ActionOutcome,
    Audience,
    RaciStep,
    Rule,
    ScheduledAction,
)
from servicedesk.automation.notify import Planned, notification_plan
from servicedesk.automation.policy import rule_settings
from servicedesk.automation.raci import Directory, Recipient, recipients
from servicedesk.automation.schedule import CHAIN
from servicedesk.automation.texts import About, auto_close_note
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket
from servicedesk.tickets.workflow import Outcome


@dataclass
class Batch:
    """What the rules of one batch share: the time, lookups, and the other due actions."""

    now: datetime.datetime
    directory: Directory
    due: dict[int, list[ScheduledAction]] = field(default_factory=dict)  # by ticket
    closes_at: dict[int, datetime.datetime] = field(default_factory=dict)  # pending closes


Result = tuple[ActionOutcome, list[Planned]]
Handler = Callable[[ScheduledAction, Batch], Result]


def _superseded(action: ScheduledAction, batch: Batch) -> bool:
    """Return whether a later step of the same wait is also due (e.g. after an outage):
    the customer then gets only the latest message."""
    position = CHAIN.index(ActionKind(action.kind))
    return any(
        other.while_status == action.while_status
        and other.kind in CHAIN
        and CHAIN.index(ActionKind(other.kind)) > position
        for other in batch.due.get(action.ticket_id, [])
    )


def _customers(step: RaciStep, ticket: Ticket, batch: Batch) -> list[Recipient]:
    people = recipients(step, ticket.kind, "I", ticket=ticket, directory=batch.directory)
    return [p for p in people if p.audience == Audience.CUSTOMER]


def _step_of(waiting_for: str) -> RaciStep:
    # 003: waiting on the customer is handling; a solution awaiting confirmation is closing.
    return RaciStep.CLOSING if waiting_for == Status.SOLUTION_OFFERED else RaciStep.HANDLING


def remind(action: ScheduledAction, batch: Batch) -> Result:
    """Remind the customer that the desk waits for them (002: after one and two weeks)."""
    ticket = action.ticket
    if ticket.status != action.while_status:
        return ActionOutcome.OBSOLETE, []
    if _superseded(action, batch):
        return ActionOutcome.SUPERSEDED, []
    rule = Rule.REMINDER_1 if action.kind == ActionKind.REMINDER_1 else Rule.REMINDER_2
    about = About(
        waiting_for=action.while_status,
        since=action.created_at,
        close_on=batch.closes_at.get(ticket.pk),
    )
    people = _customers(_step_of(action.while_status), ticket, batch)
    planned = notification_plan(
        ticket, rule=rule, people=people, occurrence=f"a{action.pk}", about=about
    )
    return ActionOutcome.DONE, planned


def auto_close(action: ScheduledAction, batch: Batch) -> Result:
    """Close a ticket the customer left unanswered, with the standard text (002, 003)."""
    return auto_close_many([action], batch)[action.pk]


def auto_close_many(actions: list[ScheduledAction], batch: Batch) -> dict[int, Result]:
    """`auto_close` for several actions, the tickets closed together; results by action id.

    Raises as the ticket services do when one close is refused: nothing is then closed.
    """
    results: dict[int, Result] = {}
    live: dict[int, ScheduledAction] = {}  # by ticket: one close each
    for action in actions:
        if action.ticket.status != action.while_status or action.ticket_id in live:
            results[action.pk] = ActionOutcome.OBSOLETE, []
        else:
            live[action.ticket_id] = action
    moves = [
        services.Move(
            action.ticket,
            Status.CLOSED,
            note=auto_close_note(action.while_status),
            outcome=(
                Outcome.SOLVED
                if action.while_status == Status.SOLUTION_OFFERED
                else Outcome.NO_RESPONSE
            ),
        )
        for action in live.values()
    ]
    if moves:
        services.tickets_transition(moves, actor=None, now=batch.now)
    for action in live.values():
        ticket = action.ticket
        about = About(
            waiting_for=action.while_status,
            since=action.created_at,
            reopen_within=rule_settings(ticket.contract).reopen_within,
        )
        people = _customers(RaciStep.CLOSING, ticket, batch)
        planned = notification_plan(
            ticket, rule=Rule.AUTO_CLOSE, people=people, occurrence=f"a{action.pk}", about=about
        )
        results[action.pk] = ActionOutcome.DONE, planned
    return results


def unassigned_alert(action: ScheduledAction, batch: Batch) -> Result:
    """Alert the intake's accountable (the team lead) of a ticket nobody took (003)."""
    ticket = action.ticket
    if ticket.assignee_id is not None or ticket.status == Status.CLOSED:
        return ActionOutcome.OBSOLETE, []
    people = recipients(RaciStep.INTAKE, ticket.kind, "A", ticket=ticket, directory=batch.directory)
    staff = [p for p in people if p.audience == Audience.STAFF]
    # Keyed by the ticket, not the action: an SLA assignment target may raise the same alert.
    planned = notification_plan(
        ticket, rule=Rule.UNASSIGNED_ALERT, people=staff, occurrence=f"t{ticket.pk}"
    )
    return ActionOutcome.DONE, planned


HANDLERS: dict[str, Handler] = {
    ActionKind.REMINDER_1: remind,
    ActionKind.REMINDER_2: remind,
    ActionKind.AUTO_CLOSE: auto_close,
    ActionKind.UNASSIGNED_ALERT: unassigned_alert,
}
# Rules that change the ticket run in a savepoint, so a failure undoes only their own work.
WRITING = frozenset({ActionKind.AUTO_CLOSE})
# Rules done for all their due actions of a batch at once (each alone if that fails).
GROUPED: dict[str, Callable[[list[ScheduledAction], Batch], dict[int, Result]]] = {
    ActionKind.AUTO_CLOSE: auto_close_many,
}
