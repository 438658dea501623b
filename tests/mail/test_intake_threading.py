"""Replies join the right ticket: by our Message-ID, a ticket number, or a reply token."""

import datetime
from typing import Any

import time_machine
from django.utils import timezone

from servicedesk.accounts.models import Contact, Organisation
from servicedesk.mail.models import InboundStatus, OutboundKind, OutboundMail
from servicedesk.mail.outbound import reply_address
from servicedesk.tickets import services
from servicedesk.tickets.models import LinkKind, Status, Ticket, TicketLink, Visibility
from tests.factories import ContactFactory, ContractFactory, StaffFactory
from tests.mail.conftest import Ingest
from tests.mail.helpers import compose, kinds_of

REPLY = (
    "Het werkt weer, dank u!\n"
    "\n"
    "Op 2 maart 2026 om 10:00 schreef Servicedesk <support@desk.example>:\n"
    "> --antwoord boven deze lijn--\n"
    "> Wij hebben uw melding geregistreerd.\n"
)


def new_ticket(ingest: Ingest, **kwargs: Any) -> tuple[Ticket, OutboundMail]:
    inbound = ingest(compose(**kwargs))
    assert inbound.ticket is not None, inbound.reason
    confirmation = OutboundMail.objects.get(ticket=inbound.ticket, kind=OutboundKind.TICKET_CREATED)
    return inbound.ticket, confirmation


def test_it_threads_a_reply_to_our_mail_by_in_reply_to(
    ingest: Ingest, jan: Contact, mailoutbox: list[Any]
) -> None:
    ticket, confirmation = new_ticket(ingest)
    mailoutbox.clear()

    inbound = ingest(
        compose(
            subject="Re: iets heel anders",
            body=REPLY,
            headers={"In-Reply-To": f"<{confirmation.message_id}>"},
        )
    )

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.ticket == ticket
    # A mailed incident has only a description: it waits on the customer, whose reply resumes it.
    assert inbound.reason == f"reply to {ticket.number} (by references): resumed"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS
    message = inbound.ticket_message
    assert message is not None
    assert message.body == "Het werkt weer, dank u!"
    assert message.visibility == Visibility.PUBLIC
    assert message.author_contact == jan
    # The full original stays on the inbound mail, reachable from the message.
    assert "Wij hebben uw melding geregistreerd" in message.inbound_mail.text
    assert mailoutbox == []  # a customer's reply is not confirmed


def test_it_threads_by_references_when_in_reply_to_is_someone_elses(
    ingest: Ingest, jan: Contact
) -> None:
    ticket, confirmation = new_ticket(ingest)

    inbound = ingest(
        compose(
            body="Aanvulling.",
            headers={
                "In-Reply-To": "<colleague@klant.example>",
                "References": f"<{confirmation.message_id}> <colleague@klant.example>",
            },
        )
    )

    assert inbound.ticket == ticket


def test_it_opens_a_request_of_their_own_for_a_colleague_who_may_not_see_the_ticket(
    ingest: Ingest, jan: Contact, klant: Organisation
) -> None:
    # Piet was in copy of Jan's mail; he is neither the requester, the CPC nor a key user,
    # so by the policy he may not see Jan's ticket: his mail becomes his own request.
    ticket, _ = new_ticket(ingest, message_id="original@klant.example")

    inbound = ingest(
        compose(
            sender="Piet <piet@klant.example>",
            body="Bij mij ook.",
            headers={"In-Reply-To": "<original@klant.example>"},
        )
    )

    assert inbound.ticket is not None
    assert inbound.ticket != ticket
    assert inbound.ticket.requester.email == "piet@klant.example"
    assert not ticket.messages.filter(body__contains="Bij mij ook").exists()


def test_it_threads_the_cpc_replying_to_a_colleagues_original_mail(
    ingest: Ingest, jan: Contact, klant: Organisation
) -> None:
    ticket, _ = new_ticket(ingest, message_id="original@klant.example")
    ContactFactory(organisation=klant, email="cpc@klant.example", is_cpc=True, user=None)

    inbound = ingest(
        compose(
            sender="Chef <cpc@klant.example>",
            body="Graag snel.",
            headers={"In-Reply-To": "<original@klant.example>"},
        )
    )

    assert inbound.ticket == ticket
    assert inbound.ticket_message is not None
    assert inbound.ticket_message.author_contact is not None
    assert inbound.ticket_message.author_contact.email == "cpc@klant.example"


def test_it_does_not_let_an_outsider_join_by_message_id(
    ingest: Ingest, jan: Contact, klant: Organisation
) -> None:
    ticket, confirmation = new_ticket(ingest)
    ContactFactory(email="mallory@other.example", user=None)

    inbound = ingest(
        compose(
            sender="mallory@other.example",
            headers={"In-Reply-To": f"<{confirmation.message_id}>"},
        )
    )

    assert inbound.ticket != ticket
    assert ticket.messages.count() == 0


def test_it_threads_by_the_number_in_the_subject_for_someone_who_may_see_it(
    ingest: Ingest, jan: Contact
) -> None:
    ticket, _ = new_ticket(ingest)

    inbound = ingest(compose(subject=f"RE: [{ticket.number}] Facturen", body="Nog steeds kapot."))

    assert inbound.ticket == ticket
    assert inbound.reason.endswith("(by subject): resumed")  # it was waiting on the customer


def test_it_lets_the_cpc_reply_by_number_to_a_colleagues_ticket(
    ingest: Ingest, jan: Contact, klant: Organisation
) -> None:
    ticket, _ = new_ticket(ingest)
    ContactFactory(organisation=klant, email="carla@klant.example", is_cpc=True, user=None)

    inbound = ingest(compose(sender="carla@klant.example", subject=f"[{ticket.number}]"))

    assert inbound.ticket == ticket


def test_it_opens_a_new_ticket_for_someone_elses_ticket_number(
    ingest: Ingest, jan: Contact, klant: Organisation
) -> None:
    ticket, _ = new_ticket(ingest)
    ContactFactory(organisation=klant, email="piet@klant.example", user=None)  # not the CPC

    inbound = ingest(
        compose(sender="piet@klant.example", subject=f"Re: [{ticket.number}] Facturen")
    )

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.ticket is not None and inbound.ticket != ticket
    assert inbound.ticket.title == "Facturen"
    assert ticket.messages.count() == 0


def test_it_threads_by_the_signed_reply_address(ingest: Ingest, jan: Contact) -> None:
    ticket, _ = new_ticket(ingest)

    inbound = ingest(compose(to=reply_address(ticket), subject="Antwoord", body="Zie bijlage."))

    assert inbound.ticket == ticket
    assert inbound.reason.endswith("(by token): resumed")  # it was waiting on the customer


def test_it_threads_by_a_reply_address_in_the_envelope(ingest: Ingest, jan: Contact) -> None:
    ticket, _ = new_ticket(ingest)

    inbound = ingest(compose(subject="Antwoord"), recipients=[reply_address(ticket)])

    assert inbound.ticket == ticket


def test_it_ignores_a_forged_reply_address(ingest: Ingest, jan: Contact) -> None:
    ticket, _ = new_ticket(ingest)
    forged = f"support+{ticket.number}.aaaaaaaaaaaaaaaa@desk.example"

    inbound = ingest(compose(to=forged, subject="Antwoord"))

    assert inbound.ticket != ticket


def test_it_threads_replies_to_other_notices_of_ours(ingest: Ingest, jan: Contact) -> None:
    """Notices from elsewhere in the desk carry the number in their Message-ID."""
    ticket, _ = new_ticket(ingest)

    inbound = ingest(
        compose(
            subject="Re: Reminder",
            headers={"In-Reply-To": f"<notification.7.{ticket.number}@desk.example>"},
        )
    )

    assert inbound.ticket == ticket


def test_it_resumes_a_ticket_waiting_on_the_customer(ingest: Ingest, jan: Contact) -> None:
    ticket, confirmation = new_ticket(ingest)
    agent = StaffFactory()
    services.ticket_transition(ticket=ticket, actor=agent, status=Status.IN_PROGRESS)
    services.ticket_transition(ticket=ticket, actor=agent, status=Status.WAITING_ON_CUSTOMER)

    inbound = ingest(compose(body=REPLY, headers={"In-Reply-To": f"<{confirmation.message_id}>"}))

    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert inbound.reason.endswith(": resumed")


def test_it_reopens_a_closed_ticket_on_a_reply(ingest: Ingest, jan: Contact) -> None:
    ticket, confirmation = new_ticket(ingest)
    services.ticket_transition(
        ticket=ticket, actor=StaffFactory(), status=Status.CLOSED, note="Opgelost."
    )

    inbound = ingest(
        compose(
            body="Het probleem is terug.", headers={"In-Reply-To": f"<{confirmation.message_id}>"}
        )
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED
    assert inbound.ticket == ticket
    assert inbound.reason.endswith(": reopened")


def test_it_opens_a_linked_ticket_for_a_reply_long_after_closing(
    ingest: Ingest, jan: Contact, klant: Organisation, mailoutbox: list[Any]
) -> None:
    ContractFactory(organisation=klant, reopen_within=datetime.timedelta(days=14))
    ticket, confirmation = new_ticket(ingest)
    services.ticket_transition(
        ticket=ticket, actor=StaffFactory(), status=Status.CLOSED, note="Opgelost."
    )
    mailoutbox.clear()

    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        inbound = ingest(
            compose(body="Weer kapot.", headers={"In-Reply-To": f"<{confirmation.message_id}>"})
        )

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.ticket is not None and inbound.ticket != ticket
    assert TicketLink.objects.filter(
        source=inbound.ticket, target=ticket, kind=LinkKind.SPLIT_FROM
    ).exists()
    assert inbound.reason.endswith(f"as new ticket {inbound.ticket.number}")
    # Its confirmation, then the completeness check's question (it has only a description).
    assert kinds_of(mailoutbox) == [OutboundKind.TICKET_CREATED, OutboundKind.STATUS_CHANGED]
    confirmation_of_new, _question = mailoutbox
    assert inbound.ticket.number in confirmation_of_new.subject


def test_it_adds_attachments_of_a_reply_to_its_message(ingest: Ingest, jan: Contact) -> None:
    ticket, _ = new_ticket(ingest)

    inbound = ingest(
        compose(
            subject=f"[{ticket.number}]",
            body="Schermafdruk bijgevoegd.",
            attachments=[("scherm.png", "image/png", b"\x89PNG...")],
        )
    )

    (attachment,) = ticket.attachments.all()
    assert attachment.message == inbound.ticket_message


def test_it_gives_an_empty_reply_a_placeholder(ingest: Ingest, jan: Contact) -> None:
    ticket, _ = new_ticket(ingest)

    inbound = ingest(
        compose(
            subject=f"[{ticket.number}]",
            body="",
            attachments=[("scherm.png", "image/png", b"\x89PNG...")],
        )
    )

    assert inbound.ticket_message is not None
    assert "attachments" in inbound.ticket_message.body
