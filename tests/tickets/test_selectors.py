"""Ticket reads scoped by who asks, tested from the reader's side."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from pytest_django import DjangoAssertNumQueries

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.tickets.models import Ticket, Visibility
from servicedesk.tickets.selectors import (
    attachments_visible_to,
    events_visible_to,
    messages_visible_to,
    products_visible_to,
    ticket_get,
    tickets_visible_to,
)
from servicedesk.tickets.services import attachment_add, ticket_add_message, ticket_assign
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    ProductFactory,
    StaffFactory,
    UserFactory,
    make_ticket,
)
from tests.tickets.helpers import login_of, upload


@dataclass
class World:
    """Two organisations, their people and their tickets."""

    alice: Contact  # plain contact
    bob: Contact  # plain colleague of alice
    carol: Contact  # the CPC of alice's organisation
    kim: Contact  # key user for `payroll` at alice's organisation
    xavier: Contact  # plain contact of another organisation
    payroll: Product
    alice_ticket: Ticket  # about finance
    bob_payroll: Ticket
    bob_finance: Ticket
    kim_finance: Ticket
    xavier_payroll: Ticket

    def all(self) -> set[Ticket]:
        return {
            self.alice_ticket,
            self.bob_payroll,
            self.bob_finance,
            self.kim_finance,
            self.xavier_payroll,
        }


@pytest.fixture
def world(db: None) -> World:
    org, other = OrganisationFactory(), OrganisationFactory()
    payroll, finance = ProductFactory(name="Payroll"), ProductFactory(name="Finance")
    alice, bob = ContactFactory(organisation=org), ContactFactory(organisation=org)
    carol = ContactFactory(organisation=org, is_cpc=True)
    kim = ContactFactory(organisation=org)
    kim.key_user_products.add(payroll)
    xavier = ContactFactory(organisation=other)
    return World(
        alice=alice,
        bob=bob,
        carol=carol,
        kim=kim,
        xavier=xavier,
        payroll=payroll,
        alice_ticket=make_ticket(alice, product=finance),
        bob_payroll=make_ticket(bob, product=payroll),
        bob_finance=make_ticket(bob, product=finance),
        kim_finance=make_ticket(kim, product=finance),
        xavier_payroll=make_ticket(xavier, product=payroll),
    )


def visible(user: User | AnonymousUser) -> set[Ticket]:
    return set(tickets_visible_to(user))


def fresh(contact: Contact) -> User:
    """Return the contact's login as a request would load it: nothing cached."""
    return User.objects.get(pk=login_of(contact).pk)


def test_it_shows_a_contact_only_their_own_tickets(world: World) -> None:
    assert visible(login_of(world.alice)) == {world.alice_ticket}
    assert visible(login_of(world.bob)) == {world.bob_payroll, world.bob_finance}


def test_it_hides_a_colleagues_tickets(world: World) -> None:
    assert world.alice_ticket not in visible(login_of(world.bob))


def test_it_shows_the_cpc_the_whole_organisation(world: World) -> None:
    assert visible(login_of(world.carol)) == world.all() - {world.xavier_payroll}


def test_it_keeps_a_cpc_out_of_another_organisation(world: World) -> None:
    other_cpc = ContactFactory(organisation=world.xavier.organisation, is_cpc=True)
    assert visible(login_of(other_cpc)) == {world.xavier_payroll}


def test_it_shows_a_key_user_their_products_at_their_organisation(world: World) -> None:
    assert visible(login_of(world.kim)) == {world.kim_finance, world.bob_payroll}


def test_it_shows_staff_everything(world: World, agent: User) -> None:
    assert visible(agent) == world.all()
    assert visible(UserFactory(is_superuser=True)) == world.all()


def test_it_shows_an_inactive_contact_nothing(world: World) -> None:
    Contact.objects.filter(pk=world.carol.pk).update(active=False)
    assert visible(fresh(world.carol)) == set()


def test_it_shows_a_deactivated_login_nothing(world: World) -> None:
    User.objects.filter(pk=login_of(world.carol).pk).update(is_active=False)
    assert visible(fresh(world.carol)) == set()


def test_it_shows_a_deactivated_agent_nothing(world: World) -> None:
    assert visible(StaffFactory(is_active=False)) == set()


def test_it_shows_users_without_contact_or_role_nothing(world: World) -> None:
    assert visible(UserFactory()) == set()
    assert visible(AnonymousUser()) == set()


def test_it_gets_a_visible_ticket_by_number(world: World) -> None:
    number = world.bob_payroll.number
    assert ticket_get(login_of(world.kim), number) == world.bob_payroll
    assert ticket_get(login_of(world.kim), number.lower()) == world.bob_payroll


@pytest.mark.parametrize("reader", ["alice", "carol", "kim"])
def test_it_treats_another_organisations_ticket_as_missing(world: World, reader: str) -> None:
    with pytest.raises(Ticket.DoesNotExist):
        ticket_get(login_of(getattr(world, reader)), world.xavier_payroll.number)


def test_it_treats_a_colleagues_ticket_as_missing(world: World) -> None:
    with pytest.raises(Ticket.DoesNotExist):
        ticket_get(login_of(world.alice), world.bob_finance.number)


@pytest.mark.parametrize(
    "reader, queries",
    [("alice", 3), ("kim", 3), ("carol", 2)],
)
def test_it_lists_tickets_in_few_queries(
    world: World, django_assert_num_queries: DjangoAssertNumQueries, reader: str, queries: int
) -> None:
    user = fresh(getattr(world, reader))
    with django_assert_num_queries(queries):
        list(tickets_visible_to(user))


def test_it_lists_tickets_for_staff_in_one_query(
    world: World, agent: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):
        assert len(list(tickets_visible_to(agent))) == 5


# --- the parts of a ticket -----------------------------------------------------------------


def test_it_hides_internal_notes_from_contacts(
    ticket: Ticket, contact: Contact, agent: User
) -> None:
    reply = ticket_add_message(ticket=ticket, author=agent, body="Try again")
    note = ticket_add_message(
        ticket=ticket, author=agent, body="Their fault", visibility=Visibility.INTERNAL
    )
    assert list(messages_visible_to(login_of(contact), ticket)) == [reply]
    assert list(messages_visible_to(agent, ticket)) == [reply, note]


@pytest.mark.usefixtures("media")
def test_it_hides_internal_attachments_from_contacts(
    ticket: Ticket, contact: Contact, agent: User
) -> None:
    public = attachment_add(ticket=ticket, upload=upload("screen.png"), actor=agent)
    internal = attachment_add(ticket=ticket, upload=upload("db.sql"), actor=agent, internal=True)
    note = ticket_add_message(
        ticket=ticket, author=agent, body="Dump", visibility=Visibility.INTERNAL
    )
    on_note = attachment_add(ticket=ticket, upload=upload("dump.txt"), actor=agent, message=note)

    assert list(attachments_visible_to(login_of(contact), ticket)) == [public]
    assert list(attachments_visible_to(agent, ticket)) == [public, internal, on_note]


def test_it_hides_internal_history_from_contacts(
    ticket: Ticket, contact: Contact, agent: User
) -> None:
    ticket_assign(ticket=ticket, actor=agent, assignee=agent)
    ticket_add_message(ticket=ticket, author=agent, body="Note", visibility=Visibility.INTERNAL)
    ticket_add_message(ticket=ticket, author=agent, body="Reply")

    def actions(user: User) -> list[str]:
        return [event.action for event in events_visible_to(user, ticket)]

    assert actions(login_of(contact)) == ["created", "agent_replied"]
    assert actions(agent) == ["created", "assigned", "note_added", "agent_replied"]


def test_it_shows_contacts_only_active_products(contact: Contact, agent: User) -> None:
    active, retired = ProductFactory(), ProductFactory(active=False)
    assert set(products_visible_to(login_of(contact))) == {active}
    assert set(products_visible_to(agent)) == {active, retired}
    assert not products_visible_to(AnonymousUser()).exists()
