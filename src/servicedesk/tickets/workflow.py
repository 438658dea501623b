"""The ticket state machine: which status may follow which, and what each move needs.

Pure data and functions, no database: services, API, web and commands all ask here.

One machine per ticket kind (`machine(kind)`): the shared table `TRANSITIONS`, minus the
statuses a kind never uses (`ONLY_FOR_KINDS`). A close has an outcome (`Outcome`), each
with a standard text the desk may send instead of writing its own (seed 003: "close with
a standard text"); handing over to planning for consultancy is such an outcome (002 §4).
Refusals are sentences for people, translated.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from servicedesk.tickets.models import Kind, Status

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

S = Status


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a move to a status needs besides the move itself."""

    note: bool = False  # a reason or resolution text (for a close: or an outcome's standard text)
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

# The desk waits on the customer in these statuses: reminders run, a reply resumes work.
WAITING_ON_CUSTOMER_STATUSES = frozenset({S.WAITING_ON_CUSTOMER, S.SOLUTION_OFFERED})

Machine = Mapping[Status, frozenset[Status]]


def _machine_for(kind: Kind) -> Machine:
    def usable(status: Status) -> bool:
        return status not in ONLY_FOR_KINDS or kind in ONLY_FOR_KINDS[status]

    return MappingProxyType(
        {
            status: frozenset(t for t in targets if usable(t))
            for status, targets in TRANSITIONS.items()
            if usable(status)
        }
    )


MACHINES: Mapping[Kind, Machine] = MappingProxyType({kind: _machine_for(kind) for kind in Kind})


def machine(kind: str) -> Machine:
    """Return the state machine of a ticket kind: each status it uses and what may follow.

    An unknown kind gets the shared table without kind-only statuses.
    """
    try:
        return MACHINES[Kind(kind)]
    except ValueError:
        return MappingProxyType(
            {s: frozenset(t - set(ONLY_FOR_KINDS)) for s, t in TRANSITIONS.items()}
        )


def allowed_targets(status: str, kind: str) -> list[Status]:
    """Return the statuses a ticket of this kind may move to from this status, in order."""
    current = Status(status)
    targets = machine(kind).get(current, frozenset())
    return [target for target in Status if target in targets]


def refusal(status: str, target: str, kind: str) -> str | None:
    """Return why the move is forbidden (a translated sentence), or None when it is allowed."""
    if target not in Status.values:
        return gettext("unknown status %(status)r") % {"status": target}
    if target == status:
        return gettext("the ticket is already %(status)s") % {"status": Status(status).label}
    if Status(target) not in allowed_targets(status, kind):
        return gettext("a ticket cannot go from %(old)s to %(new)s") % {
            "old": Status(status).label,
            "new": Status(target).label,
        }
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


class Outcome(models.TextChoices):
    """How a ticket was closed (002 §4-5, 003 "afsluiten met standaard tekst")."""

    SOLVED = "solved", _("Solved")
    WORKAROUND = "workaround", _("Workaround")
    HANDED_TO_PLANNING = "handed_to_planning", _("Handed over to planning (consultancy)")
    DUPLICATE = "duplicate", _("Duplicate")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NO_RESPONSE = "no_response", _("No response from the customer")


STANDARD_TEXTS: Mapping[Outcome, "StrOrPromise"] = MappingProxyType(
    {
        Outcome.SOLVED: _("Your question has been answered or your problem has been solved."),
        Outcome.WORKAROUND: _(
            "A workaround solves the problem for now; the structural solution follows in a release."
        ),
        Outcome.HANDED_TO_PLANNING: _(
            "The solution lies outside the scope of support and needs consultancy. Our "
            "planning department will contact you to plan it."
        ),
        Outcome.DUPLICATE: _("This request is the same as another ticket; we continue there."),
        Outcome.WITHDRAWN: _("The request is no longer relevant."),
        Outcome.NO_RESPONSE: _(
            "We asked you for information or a confirmation and did not receive a reply, so "
            "we have closed this ticket."
        ),
    }
)


def standard_text(outcome: str) -> str:
    """Return the standard closing text of an outcome, translated to the active language."""
    return str(STANDARD_TEXTS[Outcome(outcome)])
