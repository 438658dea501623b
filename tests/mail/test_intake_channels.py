"""A contract that takes requests in the portal only: customers' mail is kept and answered
with the portal's address, never a ticket or a message; the desk's own mail still goes out."""

from typing import Any

import pytest

from servicedesk.accounts.models import Contact, Organisation
from servicedesk.contracts.models import Contract
from servicedesk.mail.models import InboundStatus, Mailbox, OutboundKind, OutboundMail
from servicedesk.tickets import services
from servicedesk.tickets.models import Ticket
from tests.factories import ContractFactory, ProductFactory, complete_details
from tests.mail.conftest import Ingest
from tests.mail.helpers import compose, kinds_of


@pytest.fixture
def portal_only(klant: Organisation) -> Contract:
    return ContractFactory(organisation=klant, accepts_email=False)


def test_it_answers_a_new_request_by_mail_with_the_portal(
    ingest: Ingest, jan: Contact, portal_only: Contract, mailoutbox: list[Any]
) -> None:
    inbound = ingest(compose(subject="Facturen printen niet"))

    assert inbound.status == InboundStatus.REFUSED
    assert "portal-only" in inbound.reason
    assert inbound.ticket is None
    assert inbound.raw  # kept
    assert not Ticket.objects.exists()
    assert kinds_of(mailoutbox) == [OutboundKind.REFUSED_CHANNEL]
    (answer,) = mailoutbox
    assert answer.to == ["jan@klant.example"]
    assert "/portal/" in answer.body
    assert "klantportaal" in answer.body  # in Jan's language


def test_it_answers_a_reply_by_mail_with_the_portal_and_adds_nothing(
    ingest: Ingest, jan: Contact, portal_only: Contract, mailoutbox: list[Any]
) -> None:
    product = ProductFactory()
    portal_only.products.add(product)
    ticket = services.ticket_create(
        requester=jan, title="Facturen", product=product, details=complete_details("incident")
    )
    mailoutbox.clear()

    inbound = ingest(compose(subject=f"Re: [{ticket.number}] Facturen", body="Nog steeds."))

    assert inbound.status == InboundStatus.REFUSED
    assert not ticket.messages.exists()
    assert kinds_of(mailoutbox) == [OutboundKind.REFUSED_CHANNEL]


def test_it_still_mails_its_own_notices_under_a_portal_only_contract(
    jan: Contact, portal_only: Contract
) -> None:
    ticket = services.ticket_create(
        requester=jan, title="In het portaal", details=complete_details("incident")
    )

    assert OutboundMail.objects.filter(ticket=ticket, kind=OutboundKind.TICKET_CREATED).exists()


def test_it_takes_mail_for_a_product_the_organisation_has_no_contract_for_without_it(
    ingest: Ingest, jan: Contact, klant: Organisation
) -> None:
    ContractFactory(organisation=klant)
    mailbox = Mailbox.objects.create(name="logistics", product=ProductFactory())

    inbound = ingest(compose(), mailbox=mailbox)

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.ticket is not None
    assert inbound.ticket.product is None
