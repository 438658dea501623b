"""ticket_assign, ticket_change_priority and ticket_link: the agent's triage moves."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from servicedesk.accounts.models import Contact, StaffRole, User
from servicedesk.tickets import priorities
from servicedesk.tickets.models import LinkKind, Ticket, TicketEvent, TicketLink
from servicedesk.tickets.services import ticket_assign, ticket_change_priority, ticket_link
from tests.factories import (
    ContractFactory,
    StaffFactory,
    TeamFactory,
    UserFactory,
    make_ticket,
)
from tests.tickets.helpers import fields_of, login_of

LATER = datetime.datetime(2030, 1, 2, 9, 0, tzinfo=datetime.UTC)


def events(ticket: Ticket, action: str) -> list[tuple[str, str, str]]:
    return [
        (e.field, e.old_value, e.new_value)
        for e in TicketEvent.objects.filter(ticket=ticket, action=action)
    ]


# --- ticket_assign ------------------------------------------------------------------


def test_it_assigns_an_agent(ticket: Ticket, agent: User) -> None:
    lead = StaffFactory(role=StaffRole.TEAM_LEAD)
    ticket_assign(ticket=ticket, actor=lead, assignee=agent, now=LATER)

    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert ticket.updated_at == LATER
    assert events(ticket, "assigned") == [("assignee", "", str(agent.pk))]
    event = TicketEvent.objects.get(ticket=ticket, action="assigned")
    assert (event.actor, event.at) == (lead, LATER)


def test_it_records_each_changed_assignment_field(ticket: Ticket, agent: User) -> None:
    team = TeamFactory(name="Line 3")
    ticket_assign(ticket=ticket, actor=agent, assignee=agent, team=team, support_line=3)
    ticket.refresh_from_db()
    assert (ticket.team, ticket.support_line) == (team, 3)
    assert sorted(events(ticket, "assigned")) == [
        ("assignee", "", str(agent.pk)),
        ("support_line", "2", "3"),
        ("team", "", str(team.pk)),
    ]


def test_it_hands_over_and_unassigns(ticket: Ticket, agent: User) -> None:
    colleague = StaffFactory()
    ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    ticket_assign(ticket=ticket, actor=agent, assignee=colleague)
    ticket_assign(ticket=ticket, actor=agent, assignee=None)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert events(ticket, "assigned") == [
        ("assignee", "", str(agent.pk)),
        ("assignee", str(agent.pk), str(colleague.pk)),
        ("assignee", str(colleague.pk), ""),
    ]


def test_it_writes_nothing_when_nothing_changes(ticket: Ticket, agent: User) -> None:
    ticket_assign(ticket=ticket, actor=agent, assignee=agent, support_line=2)
    stamped = Ticket.objects.get(pk=ticket.pk).updated_at

    ticket_assign(ticket=ticket, actor=agent, assignee=agent, support_line=2, now=LATER)

    assert len(events(ticket, "assigned")) == 1
    assert Ticket.objects.get(pk=ticket.pk).updated_at == stamped


@pytest.mark.parametrize(
    "who", ["contact", "plain user", "inactive agent"], ids=lambda who: who.replace(" ", "-")
)
def test_it_assigns_only_active_staff(
    ticket: Ticket, contact: Contact, agent: User, who: str
) -> None:
    assignee = {
        "contact": lambda: login_of(contact),
        "plain user": lambda: UserFactory(),
        "inactive agent": lambda: StaffFactory(is_active=False),
    }[who]()
    with pytest.raises(ValidationError) as error:
        ticket_assign(ticket=ticket, actor=agent, assignee=assignee)
    assert fields_of(error.value) == {"assignee"}
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    assert events(ticket, "assigned") == []


def test_it_refuses_an_unknown_support_line(ticket: Ticket, agent: User) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_assign(ticket=ticket, actor=agent, assignee=None, support_line=4)
    assert fields_of(error.value) == {"support_line"}


# --- ticket_change_priority -----------------------------------------------------------


@pytest.fixture
def codes() -> list[str]:
    """The priorities of the scheme a ticket without contract uses, most urgent first."""
    return list(priorities.scheme_for(None).codes())


def test_it_needs_a_reason_to_deviate_from_the_request(
    contact: Contact, agent: User, codes: list[str]
) -> None:
    ticket = make_ticket(contact, requested_priority=codes[0])
    with pytest.raises(ValidationError) as error:
        ticket_change_priority(ticket=ticket, actor=agent, priority=codes[-1], justification=" ")
    assert fields_of(error.value) == {"priority_justification"}
    assert Ticket.objects.get(pk=ticket.pk).priority == codes[0]
    assert events(ticket, "priority_changed") == []


def test_it_changes_the_priority_with_a_reason(
    contact: Contact, agent: User, codes: list[str]
) -> None:
    ticket = make_ticket(contact, requested_priority=codes[0])
    ticket_change_priority(
        ticket=ticket, actor=agent, priority=codes[-1], justification="Workaround given", now=LATER
    )
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_rank) == (codes[-1], len(codes))
    assert ticket.priority_justification == "Workaround given"
    assert ticket.updated_at == LATER
    event = TicketEvent.objects.get(ticket=ticket, action="priority_changed")
    assert (event.field, event.old_value, event.new_value) == ("priority", codes[0], codes[-1])
    assert (event.actor, event.note) == (agent, "Workaround given")


def test_it_needs_no_reason_without_a_request(
    ticket: Ticket, agent: User, codes: list[str]
) -> None:
    assert ticket.requested_priority == ""
    target = next(code for code in codes if code != ticket.priority)
    ticket_change_priority(ticket=ticket, actor=agent, priority=target)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_rank) == (target, codes.index(target) + 1)


def test_it_needs_no_reason_to_return_to_the_request(
    contact: Contact, agent: User, codes: list[str]
) -> None:
    ticket = make_ticket(contact, requested_priority=codes[1])
    ticket_change_priority(ticket=ticket, actor=agent, priority=codes[0], justification="Outage")
    ticket_change_priority(ticket=ticket, actor=agent, priority=codes[1])
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_justification) == (codes[1], "")
    assert events(ticket, "priority_changed") == [
        ("priority", codes[1], codes[0]),
        ("priority", codes[0], codes[1]),
    ]


def test_it_ignores_the_same_priority(ticket: Ticket, agent: User) -> None:
    ticket_change_priority(ticket=ticket, actor=agent, priority=ticket.priority)
    assert events(ticket, "priority_changed") == []


def test_it_refuses_a_priority_outside_the_scheme(ticket: Ticket, agent: User) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_change_priority(ticket=ticket, actor=agent, priority="asap", justification="x")
    assert fields_of(error.value) == {"priority"}


def test_it_ranks_by_the_contracts_scheme(contact: Contact, agent: User) -> None:
    ContractFactory(
        organisation=contact.organisation,
        starts_on=datetime.date(2020, 1, 1),
        priority_scheme="impact-urgency-p1-p5",
    )
    ticket = make_ticket(contact)
    with pytest.raises(ValidationError):
        ticket_change_priority(ticket=ticket, actor=agent, priority="critical")
    ticket_change_priority(ticket=ticket, actor=agent, priority="p5")
    assert Ticket.objects.get(pk=ticket.pk).priority_rank == 5


# --- ticket_link ------------------------------------------------------------------------


def test_it_links_two_tickets(ticket: Ticket, contact: Contact, agent: User) -> None:
    other = make_ticket(contact)
    link = ticket_link(ticket=ticket, target=other, kind=LinkKind.DUPLICATE_OF, actor=agent)
    assert (link.source, link.target, link.kind) == (ticket, other, "duplicate_of")
    assert events(ticket, "linked") == [("duplicate_of", "", other.number)]
    assert events(other, "linked") == []


def test_it_refuses_to_link_a_ticket_to_itself(ticket: Ticket, agent: User) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_link(ticket=ticket, target=ticket, kind=LinkKind.RELATED, actor=agent)
    assert fields_of(error.value) == {"target"}
    assert not TicketLink.objects.exists()


def test_it_does_not_duplicate_a_link(ticket: Ticket, contact: Contact, agent: User) -> None:
    other = make_ticket(contact)
    first = ticket_link(ticket=ticket, target=other, kind=LinkKind.RELATED, actor=agent)
    again = ticket_link(ticket=ticket, target=other, kind=LinkKind.RELATED, actor=agent)
    assert again.pk == first.pk
    assert TicketLink.objects.count() == 1
    assert len(events(ticket, "linked")) == 1


def test_it_keeps_links_of_different_kinds(ticket: Ticket, contact: Contact, agent: User) -> None:
    other = make_ticket(contact)
    ticket_link(ticket=ticket, target=other, kind=LinkKind.RELATED, actor=agent)
    ticket_link(ticket=ticket, target=other, kind=LinkKind.SPLIT_FROM, actor=agent)
    assert TicketLink.objects.filter(source=ticket).count() == 2


def test_it_refuses_an_unknown_link_kind(ticket: Ticket, contact: Contact, agent: User) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_link(ticket=ticket, target=make_ticket(contact), kind="blocks", actor=agent)
    assert fields_of(error.value) == {"kind"}


# --- who may triage -----------------------------------------------------------------------


def triage(move: str, ticket: Ticket, actor: User | None) -> None:
    """Make one of the staff-only triage moves on the ticket as the actor."""
    if move == "assign":
        ticket_assign(ticket=ticket, actor=actor, assignee=None, support_line=3)
    elif move == "priority":
        target = next(c for c in priorities.scheme_for(None).codes() if c != ticket.priority)
        ticket_change_priority(ticket=ticket, actor=actor, priority=target, justification="x")
    else:
        other = make_ticket(ticket.requester)
        ticket_link(ticket=ticket, target=other, kind=LinkKind.RELATED, actor=actor)


TRIAGE = [("assign", "assignee"), ("priority", "priority"), ("link", "target")]


@pytest.mark.parametrize("move, field", TRIAGE, ids=[m for m, _f in TRIAGE])
def test_it_leaves_triage_to_staff(ticket: Ticket, contact: Contact, move: str, field: str) -> None:
    # The requester sees the ticket, and still may not triage it.
    with pytest.raises(ValidationError) as error:
        triage(move, ticket, login_of(contact))
    assert fields_of(error.value) == {field}
    after = Ticket.objects.get(pk=ticket.pk)
    assert (after.support_line, after.priority) == (ticket.support_line, ticket.priority)
    assert not TicketLink.objects.exists()
    assert TicketEvent.objects.filter(ticket=ticket).exclude(action="created").count() == 0


@pytest.mark.parametrize(
    "move, action", [("assign", "assigned"), ("priority", "priority_changed"), ("link", "linked")]
)
def test_it_lets_the_desk_itself_triage(ticket: Ticket, move: str, action: str) -> None:
    triage(move, ticket, None)
    event = TicketEvent.objects.get(ticket=ticket, action=action)
    assert event.actor is None
