"""Contracts as each reader may see them."""

from django.contrib.auth.models import AnonymousUser

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets.selectors import contracts_visible_to
from tests.factories import ContactFactory, ContractFactory, StaffFactory, UserFactory


def login(contact: Contact) -> User:
    assert contact.user is not None
    return contact.user


def test_it_shows_a_contact_their_organisations_contracts(db: None) -> None:
    contact = ContactFactory()
    own = {
        ContractFactory(organisation=contact.organisation),
        ContractFactory(organisation=contact.organisation, active=False),
    }
    ContractFactory()
    assert set(contracts_visible_to(login(contact))) == own


def test_it_shows_staff_every_contract(db: None) -> None:
    contracts = {ContractFactory(), ContractFactory()}
    assert set(contracts_visible_to(StaffFactory())) == contracts


def test_it_shows_strangers_no_contract(db: None) -> None:
    inactive = ContactFactory(active=False)
    ContractFactory(organisation=inactive.organisation)
    assert not contracts_visible_to(login(inactive)).exists()
    assert not contracts_visible_to(UserFactory()).exists()
    assert not contracts_visible_to(AnonymousUser()).exists()
