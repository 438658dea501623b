"""The RACI matrix as data, and `recipients()`, which turns its roles into people.

Defaults (`DEFAULT_MATRIX`, seeded by a data migration, editable in the admin) follow the
RACI tables of seed 003, condensed to one set of letters per role and step: the letter a
role holds in most rows of that step. Seed 003 names 14 roles; ours are the customer and
four staff roles, mapped so:

- "Klant" -> customer (the ticket's requester);
- "Support consultant" -> agent (the ticket's assignee);
- "Service Center Teamlead" and "Manager Service Center" -> team lead (the ticket's team's
  lead: our smallest unit of line management);
- "Service Manager" -> service manager;
- product development, customer success and directors have no role here yet.

Per kind: incidents (003 Incident Management), change requests (Change Management),
questions (Information Management: escalation "N/A (best mogelijk)", so no service
manager), application services (Application Services) and complaints (Service
Management: the service manager is responsible). Escalation (SLA threatened or missed,
unassigned, no first response) informs the assignee and the service manager and holds the
team lead accountable (003 "Klantescalatie", 000: severity 1 informs the service manager).
Outages (003 "Communicatie verstoringen") apply to incidents.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from servicedesk.accounts.models import StaffRole, User
from servicedesk.automation.models import CUSTOMER_ROLE, Audience, RaciEntry, RaciStep
from servicedesk.tickets.models import Kind, Ticket

K, T = Kind, RaciStep
CUSTOMER, AGENT, LEAD, MANAGER = (
    CUSTOMER_ROLE,
    StaffRole.AGENT.value,
    StaffRole.TEAM_LEAD.value,
    StaffRole.SERVICE_MANAGER.value,
)

_DESK = {CUSTOMER: "I", AGENT: "R", LEAD: "A"}
_ESCALATE = {AGENT: "I", LEAD: "A", MANAGER: "I"}
_SERVICE_MANAGEMENT = {CUSTOMER: "I", MANAGER: "R", LEAD: "A"}

# (step, kind) -> role -> letters
DEFAULT_MATRIX: Mapping[tuple[str, str], Mapping[str, str]] = {
    **{
        (step, kind): _DESK
        for step in (T.INTAKE, T.HANDLING, T.CLOSING)
        for kind in (K.INCIDENT, K.CHANGE_REQUEST, K.QUESTION, K.APPLICATION_SERVICE)
    },
    (T.ESCALATION, K.INCIDENT): _ESCALATE,
    (T.ESCALATION, K.CHANGE_REQUEST): _ESCALATE,
    (T.ESCALATION, K.QUESTION): {AGENT: "I", LEAD: "A"},
    (T.ESCALATION, K.APPLICATION_SERVICE): {AGENT: "I", LEAD: "A"},
    (T.OUTAGE, K.INCIDENT): {CUSTOMER: "I", AGENT: "I", LEAD: "RA", MANAGER: "I"},
    (T.INTAKE, K.COMPLAINT): _SERVICE_MANAGEMENT,
    (T.HANDLING, K.COMPLAINT): _SERVICE_MANAGEMENT,
    (T.CLOSING, K.COMPLAINT): _SERVICE_MANAGEMENT,
    (T.ESCALATION, K.COMPLAINT): {AGENT: "I", LEAD: "A", MANAGER: "I"},
    # Change proposals (003 Change Management: "Bewaken dat change geaccepteerd wordt en
    # reactie naar klant gestuurd wordt", "Indien akkoord van klant"): the customer decides,
    # the agent follows it up, the team lead (manager service center) is accountable.
    (T.CHANGE_PROPOSAL, K.CHANGE_REQUEST): {CUSTOMER: "R", AGENT: "R", LEAD: "A"},
    # Credit bundles (003 "Beoordelen Basisbundel of Creditbundel klant"): the service manager
    # (for the customer success manager) is accountable and the customer, its CPC, is told.
    **{(T.CREDIT, kind): {CUSTOMER: "I", AGENT: "R", MANAGER: "A"} for kind in K.values},
}


def default_entries() -> list[tuple[str, str, str, str]]:
    """Return the default matrix as (step, kind, role, letter) rows."""
    return [
        (str(step), str(kind), role, letter)
        for (step, kind), roles in DEFAULT_MATRIX.items()
        for role, letters in roles.items()
        for letter in letters
    ]


Matrix = Mapping[tuple[str, str], Mapping[str, frozenset[str]]]


def load_matrix() -> Matrix:
    """Return the stored matrix: (step, kind) -> role -> letters (one query)."""
    matrix: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for step, kind, role, letter in RaciEntry.objects.values_list("step", "kind", "role", "letter"):
        matrix[step, kind][role].add(letter)
    return {key: {r: frozenset(ls) for r, ls in roles.items()} for key, roles in matrix.items()}


def roles_for(matrix: Matrix, *, step: str, kind: str, letters: str) -> list[str]:
    """Return the roles holding any of the letters in this step for this kind."""
    wanted = set(letters)
    return [role for role, held in matrix.get((step, kind), {}).items() if held & wanted]


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person to notify: a contact (the customer) or a staff user, in a role."""

    role: str
    name: str
    email: str
    language: str
    user_id: int | None = None
    contact_id: int | None = None

    @property
    def audience(self) -> Audience:
        return Audience.CUSTOMER if self.role == CUSTOMER else Audience.STAFF

    @property
    def key(self) -> str:
        """Return a stable identity for dedupe keys."""
        if self.contact_id is not None:
            return f"c{self.contact_id}"
        if self.user_id is not None:
            return f"u{self.user_id}"
        return self.email.lower()

    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


def _from_user(role: str, user: User) -> Recipient:
    name = user.get_full_name() or user.username
    return Recipient(role, name, user.email, user.language, user_id=user.pk)


@dataclass
class Directory:
    """Looks up staff by role once per tick (or request) and keeps the matrix."""

    matrix: Matrix | None = None
    _by_role: dict[str, list[User]] = field(default_factory=dict)

    def get_matrix(self) -> Matrix:
        if self.matrix is None:
            self.matrix = load_matrix()
        return self.matrix

    def staff(self, role: str) -> list[User]:
        """Return the active users with this staff role."""
        if role not in self._by_role:
            self._by_role[role] = list(
                User.objects.filter(role=role, is_active=True).order_by("pk")
            )
        return self._by_role[role]


def _people(role: str, ticket: Ticket, directory: Directory) -> Iterable[Recipient]:
    if role == CUSTOMER:
        contact = ticket.requester
        if contact.active:
            yield Recipient(
                role, contact.name, contact.email, contact.language, contact_id=contact.pk
            )
    elif role == AGENT:
        if ticket.assignee is not None and ticket.assignee.is_active:
            yield _from_user(role, ticket.assignee)
    elif role == LEAD:
        lead = ticket.team.lead if ticket.team is not None else None
        # Without a team (or a lead), every team lead hears of it: someone must dispatch.
        leads = [lead] if lead is not None and lead.is_active else directory.staff(role)
        yield from (_from_user(role, user) for user in leads)
    else:
        yield from (_from_user(role, user) for user in directory.staff(role))


def recipients(
    step: str,
    kind: str,
    letters: str = "AI",
    *,
    ticket: Ticket,
    directory: Directory | None = None,
) -> list[Recipient]:
    """Return the people holding any of `letters` in this step for this kind, for a ticket.

    Roles resolve to: customer -> the requester; agent -> the assignee; team lead -> the
    ticket's team's lead (every team lead without one); service manager and administrator
    -> every active user with that role. A person appears once, in their first role.
    """
    directory = directory or Directory()
    roles = roles_for(directory.get_matrix(), step=step, kind=kind, letters=letters)
    seen: set[str] = set()
    out: list[Recipient] = []
    order = dict.fromkeys((CUSTOMER, AGENT, LEAD, MANAGER, *StaffRole.values))
    for role in (r for r in order if r in roles):
        for person in _people(role, ticket, directory):
            if person.key not in seen:
                seen.add(person.key)
                out.append(person)
    return out
