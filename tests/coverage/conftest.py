"""Fixtures of the coverage tests: a customer under a maintenance contract with a warranty
period (seed 000) and the billable request types of seed 004, an agent, and tickets."""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, User
from servicedesk.contracts.models import Contract, Coverage
from servicedesk.coverage import texts
from servicedesk.tickets.models import Kind, Ticket
from tests.factories import ContactFactory, ContractFactory, StaffFactory, make_ticket

WARRANTY_ENDS = datetime.date(2026, 6, 30)
WITHIN = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=datetime.UTC)
AFTER = datetime.datetime(2026, 7, 10, 10, 0, tzinfo=datetime.UTC)
SECRET_REASON = "Internal: customer ignored the manual again"


@pytest.fixture(autouse=True)
def coverage_settings(settings: Settings) -> None:
    """Send mail when it is queued (on commit), in English unless a contact says otherwise."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "en"


@dataclass
class Desk:
    agent: User
    contract: Contract
    requester: Contact
    cpc: Contact
    colleague: Contact
    stranger: Contact


@pytest.fixture
def desk(db: None) -> Desk:
    """A standard-maintenance contract with a warranty until 30 June 2026 and seed 004's
    billable types; its requester, CPC and an ordinary colleague; a stranger elsewhere."""
    contract = ContractFactory(
        coverage=Coverage.STANDARD,
        warranty_ends_on=WARRANTY_ENDS,
        starts_on=datetime.date(2026, 1, 1),
    )
    organisation = contract.organisation
    return Desk(
        agent=StaffFactory(first_name="Sanne", last_name="de Vries"),
        contract=contract,
        requester=ContactFactory(organisation=organisation, name="Anna de Boer"),
        cpc=ContactFactory(organisation=organisation, name="Carla CPC", is_cpc=True),
        colleague=ContactFactory(organisation=organisation, name="Bram Visser"),
        stranger=ContactFactory(name="Other Customer"),
    )


@pytest.fixture
def ticket_at() -> Callable[..., Ticket]:
    """Return a maker of tickets reported at a moment (the clock frozen while reporting)."""

    def make(requester: Contact, moment: datetime.datetime, **kwargs: Any) -> Ticket:
        with time_machine.travel(moment, tick=False):
            return make_ticket(requester, **kwargs)

    return make


@pytest.fixture
def ticket(desk: Desk) -> Ticket:
    """An application service request (a data modification, seed 004) by the requester."""
    return make_ticket(desk.requester, kind=Kind.APPLICATION_SERVICE, title="Fix 40 addresses")


@pytest.fixture
def marked_language(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Prefix every standard text with the language it was written in.

    The nl and fr catalogues are filled at release; this shows which language the desk
    wrote the customer's text in, whatever the catalogues hold.
    """
    from django.utils import translation

    real = texts._

    def marked(message: str) -> str:
        return f"[{translation.get_language()}] {real(message)}"

    monkeypatch.setattr(texts, "_", marked)
    yield
