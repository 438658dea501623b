"""ticket_add_message: replies, internal notes and the first response they may set."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets.models import Channel, Message, Ticket, TicketEvent, Visibility
from servicedesk.tickets.services import ticket_add_message
from tests.factories import UserFactory
from tests.tickets.helpers import fields_of, login_of

UTC = datetime.UTC
NINE = datetime.datetime(2030, 1, 2, 9, 0, tzinfo=UTC)
TEN = datetime.datetime(2030, 1, 2, 10, 0, tzinfo=UTC)


def stored(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def actions(ticket: Ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))


@pytest.mark.parametrize("body", ["", " \n\t "])
def test_it_refuses_an_empty_message(ticket: Ticket, agent: User, body: str) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_add_message(ticket=ticket, author=agent, body=body)
    assert fields_of(error.value) == {"body"}
    assert not Message.objects.exists()


def test_it_stores_a_reply(ticket: Ticket, contact: Contact) -> None:
    message = ticket_add_message(
        ticket=ticket,
        author=login_of(contact),
        contact=contact,
        body="  It still fails.  ",
        channel=Channel.EMAIL,
        now=NINE,
    )
    message.refresh_from_db()
    assert (message.ticket, message.author_user, message.author_contact) == (
        ticket,
        login_of(contact),
        contact,
    )
    assert (message.body, message.channel, message.visibility) == (
        "It still fails.",
        "email",
        "public",
    )
    assert message.created_at == NINE
    assert stored(ticket).updated_at == NINE


@pytest.mark.parametrize("field", ["visibility", "channel"])
def test_it_refuses_an_unknown_choice(ticket: Ticket, agent: User, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_add_message(ticket=ticket, author=agent, body="Hello", **{field: "pigeon"})
    assert fields_of(error.value) == {field}


# --- internal notes ----------------------------------------------------------------------


def test_it_lets_staff_write_an_internal_note(ticket: Ticket, agent: User) -> None:
    note = ticket_add_message(
        ticket=ticket, author=agent, body="Customer is on v12", visibility=Visibility.INTERNAL
    )
    assert note.visibility == Visibility.INTERNAL
    assert actions(ticket) == ["created", "note_added"]
    event = TicketEvent.objects.get(ticket=ticket, action="note_added")
    assert (event.actor, event.note) == (agent, f"message {note.pk}")


@pytest.mark.parametrize("who", ["contact with login", "contact without login", "plain user"])
def test_it_keeps_internal_notes_for_staff(ticket: Ticket, contact: Contact, who: str) -> None:
    author, author_contact = {
        "contact with login": (login_of(contact), contact),
        "contact without login": (None, contact),
        "plain user": (UserFactory(), None),
    }[who]
    with pytest.raises(ValidationError) as error:
        ticket_add_message(
            ticket=ticket,
            author=author,
            contact=author_contact,
            body="Psst",
            visibility=Visibility.INTERNAL,
        )
    assert fields_of(error.value) == {"visibility"}
    assert not Message.objects.exists()


def test_it_does_not_count_an_internal_note_as_a_response(ticket: Ticket, agent: User) -> None:
    ticket_add_message(ticket=ticket, author=agent, body="Looking", visibility=Visibility.INTERNAL)
    assert stored(ticket).first_response_at is None


# --- first response ------------------------------------------------------------------------


def test_it_sets_the_first_response_on_the_first_staff_reply(ticket: Ticket, agent: User) -> None:
    ticket_add_message(ticket=ticket, author=agent, body="We are on it", now=NINE)
    assert stored(ticket).first_response_at == NINE
    assert actions(ticket) == ["created", "agent_replied"]


def test_it_reads_the_clock_when_no_time_is_given(ticket: Ticket, agent: User) -> None:
    with time_machine.travel(NINE, tick=False):
        message = ticket_add_message(ticket=ticket, author=agent, body="We are on it")
    assert message.created_at == NINE
    assert stored(ticket).first_response_at == NINE


def test_it_keeps_the_first_response_on_later_replies(ticket: Ticket, agent: User) -> None:
    ticket_add_message(ticket=ticket, author=agent, body="We are on it", now=NINE)
    ticket_add_message(ticket=stored(ticket), author=agent, body="Fixed in 12.1", now=TEN)
    after = stored(ticket)
    assert after.first_response_at == NINE
    assert after.updated_at == TEN


def test_it_counts_an_administrators_reply(ticket: Ticket) -> None:
    admin = UserFactory(is_superuser=True)
    ticket_add_message(ticket=ticket, author=admin, body="Answer", now=NINE)
    assert stored(ticket).first_response_at == NINE


def test_it_does_not_count_contact_replies(ticket: Ticket, contact: Contact) -> None:
    ticket_add_message(ticket=ticket, author=login_of(contact), contact=contact, body="Any news?")
    ticket_add_message(ticket=ticket, contact=contact, body="By mail", channel=Channel.EMAIL)
    assert stored(ticket).first_response_at is None
    assert actions(ticket) == ["created", "customer_replied", "customer_replied"]
    actors = TicketEvent.objects.filter(ticket=ticket, action="customer_replied")
    assert [e.actor for e in actors] == [login_of(contact), None]


def test_it_does_not_count_a_reply_on_behalf_of_a_contact(
    ticket: Ticket, contact: Contact, agent: User
) -> None:
    # An agent typing in what the customer said on the phone is not the desk's response.
    ticket_add_message(ticket=ticket, author=agent, contact=contact, body="Caller says: urgent")
    assert stored(ticket).first_response_at is None
    assert actions(ticket) == ["created", "customer_replied"]


def test_it_refuses_a_reply_from_a_customer_who_may_not_see_the_ticket(
    ticket: Ticket, other_contact: Contact
) -> None:
    with pytest.raises(ValidationError) as error:
        ticket_add_message(
            ticket=ticket, author=login_of(other_contact), contact=other_contact, body="Hi"
        )
    assert fields_of(error.value) == {"ticket"}
    assert not Message.objects.exists()
