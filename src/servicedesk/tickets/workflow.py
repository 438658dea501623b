"""The ticket state machine: which status may follow which, and what each move needs.

Pure data and functions, no database: services, API, web and commands all ask here.
"""

from dataclasses import dataclass

from servicedesk.tickets.models import Kind, Status

S = Status


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a move to a status needs besides the move itself."""

    note: bool = False  # a reason or resolution text
    supplier: bool = False  # the supplier and its reference


TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.NEW: frozenset({S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.SOLUTION_OFFERED, S.CLOSED}),
    S.IN_PROGRESS: frozenset(
        {S.WAITING_ON_CUSTOMER, S.WAITING_ON_SUPPLIER, S.PARKED, S.SOLUTION_OFFERED, S.CLOSED}
    ),
    S.WAITING_ON_CUSTOMER: frozenset({S.IN_PROGRESS, S.SOLUTION_OFFERED, S.CLOSED}),
    S.WAITING_ON_SUPPLIER: frozenset({S.IN_PROGRESS, S.SOLUTION_OFFERED, S.CLOSED}),
    S.PARKED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.SOLUTION_OFFERED: frozenset({S.CLOSED, S.REOPENED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset(
        {S.IN_PROGRESS, S.WAITING_ON_CUSTOMER, S.WAITING_ON_SUPPLIER, S.SOLUTION_OFFERED, S.CLOSED}
    ),
}

REQUIREMENTS: dict[Status, Requirement] = {
    S.WAITING_ON_SUPPLIER: Requirement(supplier=True),
    S.CLOSED: Requirement(note=True),
    S.SOLUTION_OFFERED: Requirement(note=True),
}

# Parking is for change requests awaiting a decision (seed 001).
ONLY_FOR_KINDS: dict[Status, frozenset[Kind]] = {
    S.PARKED: frozenset({Kind.CHANGE_REQUEST}),
}


def allowed_targets(status: str, kind: str) -> list[Status]:
    """Return the statuses a ticket of this kind may move to from this status, in order."""
    targets = TRANSITIONS.get(Status(status), frozenset())
    return [
        target
        for target in Status
        if target in targets and (target not in ONLY_FOR_KINDS or kind in ONLY_FOR_KINDS[target])
    ]


def refusal(status: str, target: str, kind: str) -> str | None:
    """Return why the move is forbidden, or None when it is allowed."""
    if target not in Status.values:
        return f"unknown status {target!r}"
    if target == status:
        return f"the ticket is already {Status(status).label}"
    if Status(target) not in allowed_targets(status, kind):
        return f"a ticket cannot go from {Status(status).label} to {Status(target).label}"
    return None


def requirement(target: str) -> Requirement:
    """Return what a move to the target status needs."""
    return REQUIREMENTS.get(Status(target), Requirement())


# A customer may close their own ticket, confirm or reject an offered solution,
# and reopen a closed one; every other move is the desk's.
CUSTOMER_MOVES: dict[Status, frozenset[Status]] = {
    S.SOLUTION_OFFERED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
}


def customer_may_move_to(status: str, target: str) -> bool:
    """Return whether a customer (not staff) may move a ticket from status to target."""
    if target == S.CLOSED:
        return status != S.CLOSED
    return target in CUSTOMER_MOVES.get(Status(status), frozenset())
