"""What the desk's ticket page shows: one timeline, SLA badges, missing information."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q

from servicedesk.accounts.models import Team, User
from servicedesk.tickets.completeness import missing_fields
from servicedesk.tickets.models import Attachment, ClockState, Message, Ticket, TicketEvent
from servicedesk.tickets.policy import AnyUser
from servicedesk.tickets.selectors import (
    attachments_visible_to,
    events_visible_to,
    messages_visible_to,
)
from servicedesk.tickets.services import DESCRIPTION_FIELDS
from servicedesk.tickets.sla import explanations
from servicedesk.ui import display

# These events are the messages themselves; the timeline shows the message instead.
MESSAGE_ACTIONS = ("agent_replied", "customer_replied", "note_added")
# These events carry machine notes ("channel portal", "due 2026-...") the timeline leaves out,
# or notes their line already says (the caller of a phone call).
QUIET_NOTES = frozenset(
    {"created", "sla_warning", "sla_breached", "workaround_offered", "call_logged"}
)


@dataclass
class Entry:
    """One line of the timeline: a message (reply or internal note) or an event; with the
    files of the message, or the file an "attachment added" event is about."""

    at: datetime.datetime
    message: Message | None = None
    event: TicketEvent | None = None
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def show_note(self) -> bool:
        """Notes of people (reasons, resolutions) are shown; the desk's bookkeeping is not."""
        return self.event is not None and self.event.action not in QUIET_NOTES

    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return display.describe_event(self.event, self.names) if self.event is not None else ""


def assignment_names(events: Iterable[TicketEvent]) -> dict[str, str]:
    """Return the names of the agents and teams assignment events name, in two queries:
    {stored value: agent's name} and {"team:<stored value>": team's name}.

    Events name agents and teams by id; older ones by user name and team name.
    """
    agents, teams = set(), set()
    for event in events:
        if event.action == "assigned" and event.new_value:
            if event.field == "assignee":
                agents.add(event.new_value)
            elif event.field == "team" and event.new_value.isdigit():
                teams.add(int(event.new_value))
    names = {}
    if agents:
        ids = {int(value) for value in agents if value.isdigit()}
        users = User.objects.filter(Q(pk__in=ids) | Q(username__in=agents))
        for user in users.only("username", "first_name", "last_name"):
            name = user.get_full_name() or user.username
            names[str(user.pk)] = names[user.username] = name
    if teams:
        for team in Team.objects.filter(pk__in=teams).only("name"):
            names[f"team:{team.pk}"] = team.name
    return names


def timeline(user: AnyUser, ticket: Ticket) -> list[Entry]:
    """Return messages, internal notes and events of the ticket in time order; every file
    the user may download is linked, on its message or on the event that added it."""
    attachments = list(attachments_visible_to(user, ticket))
    by_message: dict[int | None, list[Attachment]] = {}
    for attachment in attachments:
        by_message.setdefault(attachment.message_id, []).append(attachment)
    entries = [
        Entry(at=message.created_at, message=message, attachments=by_message.get(message.pk, []))
        for message in messages_visible_to(user, ticket).select_related(
            "author_user", "author_contact"
        )
    ]
    events = list(
        events_visible_to(user, ticket).exclude(action__in=MESSAGE_ACTIONS).select_related("actor")
    )
    names = assignment_names(events)
    files = display.attachments_by_event(events, attachments)
    entries += [
        Entry(
            at=event.at,
            event=event,
            names=names,
            attachments=[files[event.pk]] if event.pk in files else [],
        )
        for event in events
    ]
    # Stable: at equal times the event that caused a message comes after it.
    return sorted(entries, key=lambda entry: entry.at)


@dataclass(frozen=True)
class SlaBadge:
    """One SLA target of a ticket as the desk shows it."""

    key: str
    label: str
    state: str
    state_label: str
    warning: bool
    internal: bool
    due: datetime.datetime | None
    met_at: datetime.datetime | None
    remaining_seconds: int | None
    target_seconds: int | None
    objective: float | None
    reason: str
    lines: list[str]


def sla_badges(ticket: Ticket, *, now: datetime.datetime) -> list[SlaBadge]:
    """Return a badge per SLA target, computed now, with the engine's explanation."""
    badges = []
    for key, (result, explanation) in explanations(ticket, now=now).items():
        target = result.target
        state = str(result.state)
        badges.append(
            SlaBadge(
                key=key,
                label=display.clock_label(key),
                state=state,
                state_label=str(ClockState(state).label) if state in ClockState.values else state,
                warning=result.warning,
                internal=bool(target and target.internal),
                due=result.due,
                met_at=result.met_at,
                remaining_seconds=(
                    int(result.remaining.total_seconds()) if result.remaining is not None else None
                ),
                target_seconds=int(target.duration.total_seconds()) if target else None,
                objective=target.objective_percent if target else None,
                reason=result.no_target_reason or "",
                lines=explanation.lines(),
            )
        )
    return badges


def missing_information(ticket: Ticket) -> list[tuple[str, str]]:
    """Return what the completeness check still misses on this ticket."""
    return missing_fields(ticket.kind, {name: getattr(ticket, name) for name in DESCRIPTION_FIELDS})
