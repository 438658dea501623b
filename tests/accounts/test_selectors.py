"""Organisations and contacts as each reader may see them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from pytest_django import DjangoAssertNumQueries

from servicedesk.accounts.models import Contact, Organisation, User
from servicedesk.tickets.selectors import contacts_visible_to, organisations_visible_to
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    ProductFactory,
    StaffFactory,
    UserFactory,
)


def login(contact: Contact) -> User:
    assert contact.user is not None
    return contact.user


@pytest.fixture
def org(db: None) -> Organisation:
    return OrganisationFactory()


@pytest.fixture
def other_org(db: None) -> Organisation:
    return OrganisationFactory()


def test_it_shows_a_contact_only_their_organisation(
    org: Organisation, other_org: Organisation
) -> None:
    contact = ContactFactory(organisation=org)
    assert list(organisations_visible_to(login(contact))) == [org]


def test_it_shows_staff_every_organisation(org: Organisation, other_org: Organisation) -> None:
    assert set(organisations_visible_to(StaffFactory())) == {org, other_org}


def test_it_shows_strangers_no_organisation(org: Organisation) -> None:
    inactive = ContactFactory(organisation=org, active=False)
    assert not organisations_visible_to(login(inactive)).exists()
    assert not organisations_visible_to(UserFactory()).exists()
    assert not organisations_visible_to(AnonymousUser()).exists()


def test_it_shows_a_plain_contact_only_themselves(org: Organisation) -> None:
    contact = ContactFactory(organisation=org)
    ContactFactory(organisation=org)
    assert list(contacts_visible_to(login(contact))) == [contact]


def test_it_shows_a_key_user_only_themselves(org: Organisation) -> None:
    # Key users see the organisation's tickets about their products, not its address book.
    key_user = ContactFactory(organisation=org)
    key_user.key_user_products.add(ProductFactory())
    ContactFactory(organisation=org)
    assert list(contacts_visible_to(login(key_user))) == [key_user]


def test_it_shows_the_cpc_their_colleagues(org: Organisation, other_org: Organisation) -> None:
    cpc = ContactFactory(organisation=org, is_cpc=True)
    colleague = ContactFactory(organisation=org)
    ContactFactory(organisation=other_org)
    assert set(contacts_visible_to(login(cpc))) == {cpc, colleague}


def test_it_shows_staff_every_contact(org: Organisation, other_org: Organisation) -> None:
    contacts = {ContactFactory(organisation=org), ContactFactory(organisation=other_org)}
    assert set(contacts_visible_to(StaffFactory())) == contacts


def test_it_shows_strangers_no_contact(org: Organisation) -> None:
    cpc = ContactFactory(organisation=org, is_cpc=True, active=False)
    ContactFactory(organisation=org)
    assert not contacts_visible_to(login(cpc)).exists()
    assert not contacts_visible_to(UserFactory()).exists()
    assert not contacts_visible_to(AnonymousUser()).exists()


def test_it_lists_a_cpcs_colleagues_in_two_queries(
    org: Organisation, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    cpc = ContactFactory(organisation=org, is_cpc=True)
    ContactFactory.create_batch(3, organisation=org)
    user = User.objects.get(pk=login(cpc).pk)
    with django_assert_num_queries(2):
        assert len(list(contacts_visible_to(user))) == 4
