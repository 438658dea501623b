"""The intake pipeline: new tickets, who may write, refusals, duplicates, robots, limits."""

import dataclasses
import email
import email.policy
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, Language, Organisation
from servicedesk.contracts.models import Reporters
from servicedesk.mail.intake import mail_reprocess
from servicedesk.mail.models import InboundMail, InboundStatus, Mailbox, OutboundKind, OutboundMail
from servicedesk.tickets.models import Attachment, Channel, Status, Ticket, Visibility
from tests.factories import (
    ContactFactory,
    ContractFactory,
    OrganisationFactory,
    ProductFactory,
    TeamFactory,
)
from tests.mail.conftest import Ingest
from tests.mail.helpers import compose, kinds_of, message_id_of


def sent_to(mailoutbox: list[Any], address: str) -> list[Any]:
    return [mail for mail in mailoutbox if address.lower() in [to.lower() for to in mail.to]]


def test_it_creates_a_ticket_from_a_known_contact(
    ingest: Ingest, jan: Contact, mailoutbox: list[Any]
) -> None:
    raw = compose(subject="Re: Fwd: Facturen printen niet", message_id="first@klant.example")

    inbound = ingest(raw)

    assert inbound.status == InboundStatus.PROCESSED
    ticket = inbound.ticket
    assert ticket is not None
    assert ticket.requester == jan
    assert ticket.channel == Channel.EMAIL
    assert ticket.title == "Facturen printen niet"
    assert "printen de facturen niet meer" in ticket.description
    assert ticket.priority == "normal"  # the default of the desk's scheme (002: Normaal)
    assert inbound.reason == f"new ticket {ticket.number}"
    # The confirmation, then the completeness check's question: a mailed incident has only
    # a description.
    assert kinds_of(mailoutbox) == [OutboundKind.TICKET_CREATED, OutboundKind.STATUS_CHANGED]
    confirmation, question = mailoutbox
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    assert question.to == ["Jan@Klant.example"]
    assert confirmation.to == ["Jan@Klant.example"]
    assert confirmation.subject == f"[{ticket.number}] Facturen printen niet"
    assert ticket.number in confirmation.body
    assert confirmation.extra_headers["In-Reply-To"] == "<first@klant.example>"


def test_it_stores_the_raw_bytes_exactly(ingest: Ingest, jan: Contact) -> None:
    raw = compose(body="Tekst met een rare\r\n.regel en 8-bit \xe9\n")

    inbound = ingest(raw)

    assert bytes(inbound.raw) == raw
    assert inbound.size == len(raw)
    assert inbound.source == "test"


def test_it_makes_a_contact_for_a_new_sender_of_a_known_domain(
    ingest: Ingest, klant: Organisation, mailoutbox: list[Any]
) -> None:
    inbound = ingest(compose(sender='"Piet de Vries" <piet@mail.klant.example>'))

    assert inbound.status == InboundStatus.PROCESSED
    contact = Contact.objects.get(email="piet@mail.klant.example")
    assert contact.organisation == klant
    assert contact.name == "Piet de Vries"
    assert contact.language == Language.DUTCH
    assert contact.user is None
    assert inbound.ticket is not None and inbound.ticket.requester == contact
    confirmation, _question = mailoutbox
    assert kinds_of([confirmation]) == [OutboundKind.TICKET_CREATED]
    assert "Beste Piet de Vries" in confirmation.body  # Dutch, like the organisation


def test_it_answers_a_sender_of_an_unknown_domain_politely(
    ingest: Ingest, klant: Organisation, mailoutbox: list[Any]
) -> None:
    inbound = ingest(compose(sender="Eve <eve@elsewhere.example>", subject="Help"))

    assert inbound.status == InboundStatus.REFUSED
    assert inbound.reason.startswith("unknown sender: eve@elsewhere.example")
    assert not Ticket.objects.exists()
    assert not Contact.objects.filter(email="eve@elsewhere.example").exists()
    (answer,) = mailoutbox
    assert answer.to == ["eve@elsewhere.example"]
    assert answer.subject == "Not registered: Help"
    assert "central point of contact" in answer.body
    assert answer.extra_headers["Auto-Submitted"] == "auto-replied"
    assert answer.extra_headers["In-Reply-To"] == f"<{inbound.message_id}>"


def test_it_refuses_every_unknown_sender_when_told_to(
    ingest: Ingest, klant: Organisation, settings: Settings, mailoutbox: list[Any]
) -> None:
    settings.MAIL_UNKNOWN_SENDERS = "refuse"

    inbound = ingest(compose(sender="piet@klant.example"))

    assert inbound.status == InboundStatus.REFUSED
    assert not Contact.objects.filter(email="piet@klant.example").exists()
    (answer,) = mailoutbox
    assert answer.subject.startswith("Niet geregistreerd")  # the organisation's language


def test_it_files_unknown_domains_under_the_fallback_organisation(
    ingest: Ingest, settings: Settings
) -> None:
    catch_all = OrganisationFactory(code="unsorted", email_domains="")
    settings.MAIL_FALLBACK_ORGANISATION = "unsorted"

    inbound = ingest(compose(sender="someone@anywhere.example"))

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.ticket is not None
    assert inbound.ticket.organisation == catch_all


def test_it_refuses_an_inactive_contact(
    ingest: Ingest, jan: Contact, mailoutbox: list[Any]
) -> None:
    jan.active = False
    jan.save()

    inbound = ingest(compose())

    assert inbound.status == InboundStatus.REFUSED
    assert "inactive" in inbound.reason
    assert len(mailoutbox) == 1


def test_it_refuses_a_reporter_the_contract_does_not_allow_naming_the_cpc(
    ingest: Ingest, jan: Contact, klant: Organisation, mailoutbox: list[Any]
) -> None:
    ContractFactory(organisation=klant, reporters=Reporters.CPC_AND_KEY_USERS)
    ContactFactory(organisation=klant, name="Carla Centraal", is_cpc=True, user=None)

    inbound = ingest(compose())

    assert inbound.status == InboundStatus.REFUSED
    assert "Carla Centraal" in inbound.reason
    assert not Ticket.objects.exists()
    (answer,) = mailoutbox
    assert answer.to == ["jan@klant.example"]  # where the mail came from
    assert "Carla Centraal" in answer.body
    assert "Klant BV" in answer.body
    assert "Carla Centraal" in answer.alternatives[0].content


def test_it_lets_the_cpc_report_under_such_a_contract(ingest: Ingest, klant: Organisation) -> None:
    ContractFactory(organisation=klant, reporters=Reporters.CPC_AND_KEY_USERS)
    ContactFactory(organisation=klant, email="carla@klant.example", is_cpc=True, user=None)

    inbound = ingest(compose(sender="carla@klant.example"))

    assert inbound.status == InboundStatus.PROCESSED


def test_it_gives_new_tickets_the_mailbox_team_and_product(ingest: Ingest, jan: Contact) -> None:
    team = TeamFactory()
    product = ProductFactory()
    mailbox = Mailbox.objects.create(
        name="finance", host="imap.example", username="u", team=team, product=product
    )

    inbound = ingest(compose(), mailbox=mailbox)

    ticket = inbound.ticket
    assert ticket is not None
    assert (ticket.team, ticket.product) == (team, product)
    assert ticket.assignee is None


def test_it_uses_a_placeholder_title_without_a_subject(ingest: Ingest, jan: Contact) -> None:
    inbound = ingest(compose(subject="Re: [SD-999999]"))

    assert inbound.ticket is not None
    assert inbound.ticket.title == "(geen onderwerp)"


def test_it_takes_a_message_once_whatever_the_route(
    ingest: Ingest, jan: Contact, mailoutbox: list[Any]
) -> None:
    raw = compose(message_id="same@klant.example")

    first = ingest(raw, source="imap:support")
    second = ingest(raw, source="lmtp")

    assert first.status == InboundStatus.PROCESSED
    assert second.status == InboundStatus.IGNORED
    assert second.reason == f"duplicate of inbound mail #{first.pk} (same Message-ID)"
    assert second.ticket == first.ticket
    assert Ticket.objects.count() == 1
    assert first.ticket is not None and first.ticket.messages.count() == 0
    assert InboundMail.objects.count() == 2  # both copies are kept
    # What the first copy caused (confirmation, completeness question), nothing more.
    assert kinds_of(mailoutbox) == [OutboundKind.TICKET_CREATED, OutboundKind.STATUS_CHANGED]


def test_it_takes_a_message_without_message_id_once(ingest: Ingest, jan: Contact) -> None:
    raw = b"From: jan@klant.example\r\nSubject: Geen id\r\n\r\nTekst\r\n"

    ingest(raw)
    second = ingest(raw)

    assert second.status == InboundStatus.IGNORED
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Loop": "support@desk.example"},
        {"Return-Path": "<>"},
    ],
    ids=["auto-submitted", "precedence", "x-loop", "null-return-path"],
)
def test_it_never_answers_automated_mail(
    ingest: Ingest, headers: dict[str, str], mailoutbox: list[Any]
) -> None:
    inbound = ingest(compose(sender="robot@elsewhere.example", headers=headers))

    assert inbound.status == InboundStatus.IGNORED
    assert inbound.reason.startswith("automated mail, not answered")
    assert mailoutbox == []
    assert not Ticket.objects.exists()


def test_it_ignores_our_own_mail_coming_back(ingest: Ingest, mailoutbox: list[Any]) -> None:
    inbound = ingest(compose(sender="support@desk.example"))

    assert inbound.status == InboundStatus.IGNORED
    assert mailoutbox == []


def test_it_links_an_auto_reply_to_its_ticket_without_adding_it(
    ingest: Ingest, jan: Contact, mailoutbox: list[Any]
) -> None:
    ticket = ingest(compose()).ticket
    assert ticket is not None
    ours = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.TICKET_CREATED)
    mailoutbox.clear()

    inbound = ingest(
        compose(
            subject="Automatisch antwoord: [SD-000001]",
            headers={"Auto-Submitted": "auto-replied", "In-Reply-To": f"<{ours.message_id}>"},
        )
    )

    assert inbound.status == InboundStatus.IGNORED
    assert inbound.ticket == ticket
    assert ticket.messages.count() == 0
    assert mailoutbox == []


def test_it_notes_a_bounce_of_our_mail_on_the_ticket(
    ingest: Ingest, jan: Contact, mailoutbox: list[Any]
) -> None:
    ticket = ingest(compose()).ticket
    assert ticket is not None
    ours = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.TICKET_CREATED)
    mailoutbox.clear()
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.desk.example>\r\n"
        "To: support@desk.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.desk.example>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mailbox is full.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.desk.example\r\n\r\n"
        "Final-Recipient: rfc822; jan@klant.example\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{ours.message_id}>\r\nSubject: {ours.subject}\r\n"
        "--B--\r\n"
    ).encode()

    inbound = ingest(bounce)

    assert inbound.status == InboundStatus.IGNORED
    assert inbound.ticket == ticket
    assert "delivery failure" in inbound.reason
    (note,) = ticket.messages.all()
    assert note.visibility == Visibility.INTERNAL
    assert "Jan@Klant.example" in note.body
    assert mailoutbox == []


def test_it_stops_a_sender_who_writes_too_often(
    ingest: Ingest, jan: Contact, settings: Settings, mailoutbox: list[Any]
) -> None:
    settings.MAIL_RATE_LIMIT_PER_HOUR = 3
    for number in range(3):
        assert ingest(compose(subject=f"Vraag {number}")).status == InboundStatus.PROCESSED
    mailoutbox.clear()

    inbound = ingest(compose(subject="Vraag 4"))

    assert inbound.status == InboundStatus.REFUSED
    assert inbound.reason.startswith("rate limit: more than 3 mails from jan@klant.example")
    assert mailoutbox == []
    assert Ticket.objects.count() == 3


def test_it_refuses_mail_without_a_usable_sender(ingest: Ingest, mailoutbox: list[Any]) -> None:
    inbound = ingest(b"Subject: nobody\r\n\r\nWho wrote this?\r\n")

    assert inbound.status == InboundStatus.REFUSED
    assert inbound.reason == "no usable sender address; not answered"
    assert mailoutbox == []


def test_it_refuses_a_message_over_the_limit_with_a_clear_bounce(
    ingest: Ingest, jan: Contact, settings: Settings, mailoutbox: list[Any]
) -> None:
    settings.MAIL_MAX_BYTES = 2 * 1024 * 1024
    raw = compose(
        subject="Logbestanden",
        attachments=[("log.txt", "text/plain", b"x" * (3 * 1024 * 1024))],
    )

    inbound = ingest(raw)

    assert inbound.status == InboundStatus.REFUSED
    assert inbound.truncated
    assert inbound.size == len(raw)
    assert len(bytes(inbound.raw)) < 10_000  # only the head is kept
    assert inbound.reason.startswith("too large: 4.")
    assert not Ticket.objects.exists()
    (bounce,) = mailoutbox
    assert bounce.subject == "Niet afgeleverd (te groot): Logbestanden"
    assert "tot 2 MB" in bounce.body


def test_it_does_not_bounce_oversized_automated_mail(
    ingest: Ingest, settings: Settings, mailoutbox: list[Any]
) -> None:
    settings.MAIL_MAX_BYTES = 1024
    raw = compose(sender="robot@elsewhere.example", headers={"Precedence": "bulk"}, body="x" * 5000)

    inbound = ingest(raw)

    assert inbound.status == InboundStatus.IGNORED
    assert mailoutbox == []


def test_it_refuses_again_only_once_an_hour(
    ingest: Ingest, klant: Organisation, mailoutbox: list[Any]
) -> None:
    ingest(compose(sender="eve@elsewhere.example", subject="1"))
    second = ingest(compose(sender="eve@elsewhere.example", subject="2"))

    assert second.status == InboundStatus.REFUSED
    assert second.reason.endswith("not answered again within the hour")
    assert len(mailoutbox) == 1


def test_it_ingests_a_20_mb_attachment(ingest: Ingest, jan: Contact) -> None:
    data = bytes(range(256)) * (20 * 1024 * 1024 // 256)

    inbound = ingest(compose(attachments=[("export.bin", "application/octet-stream", data)]))

    assert inbound.status == InboundStatus.PROCESSED
    (attachment,) = Attachment.objects.all()
    assert attachment.filename == "export.bin"
    assert attachment.size == len(data)
    with attachment.file.open("rb") as handle:
        assert handle.read() == data


def test_it_adds_attachments_and_notes_refused_ones(ingest: Ingest, jan: Contact) -> None:
    inbound = ingest(
        compose(
            attachments=[
                ("screenshot.png", "image/png", b"\x89PNG fake image"),
                ("setup.exe", "application/octet-stream", b"MZ not really"),
            ]
        )
    )

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.reason.endswith("1 attachment(s) not accepted")
    ticket = inbound.ticket
    assert ticket is not None
    assert [a.filename for a in ticket.attachments.all()] == ["screenshot.png"]
    (note,) = ticket.messages.all()
    assert note.visibility == Visibility.INTERNAL
    assert "setup.exe" in note.body
    assert note.author_user is not None and note.author_user.username == "mail-intake"
    assert not note.author_user.is_active


def test_it_keeps_a_forwarded_message_as_an_attachment(ingest: Ingest, jan: Contact) -> None:
    inner = compose(sender="leverancier@elders.example", subject="Factuur 42")
    outer = email.message_from_bytes(compose(subject="Fwd: Factuur 42"), policy=email.policy.SMTP)
    outer.add_attachment(email.message_from_bytes(inner, policy=email.policy.SMTP))

    inbound = ingest(outer.as_bytes())

    assert inbound.ticket is not None
    (attachment,) = inbound.ticket.attachments.all()
    assert attachment.content_type == "message/rfc822"


def test_it_quarantines_mail_it_cannot_read_and_runs_it_again(
    ingest: Ingest, jan: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    from servicedesk.mail import intake
    from servicedesk.mail.parse import parse_message

    def unreadable(raw: bytes) -> Any:
        return dataclasses.replace(parse_message(raw), parse_error="RecursionError: too deep")

    monkeypatch.setattr(intake, "parse_message", unreadable)
    raw = compose()

    inbound = ingest(raw)

    assert inbound.status == InboundStatus.QUARANTINED
    assert inbound.reason == "unreadable: RecursionError: too deep"
    assert bytes(inbound.raw) == raw

    monkeypatch.undo()
    again = mail_reprocess(inbound.pk)

    assert again.status == InboundStatus.PROCESSED
    assert again.attempts == 2
    assert again.ticket is not None


def test_it_quarantines_a_failure_and_rolls_back_what_it_did(
    ingest: Ingest, jan: Contact, monkeypatch: pytest.MonkeyPatch, mailoutbox: list[Any]
) -> None:
    from servicedesk.tickets import services

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "attachment_add", broken)
    raw = compose(attachments=[("a.txt", "text/plain", b"hello")])

    inbound = ingest(raw)

    assert inbound.status == InboundStatus.QUARANTINED
    assert inbound.reason.startswith("processing failed: RuntimeError: database hiccup")
    assert "[at " in inbound.reason
    assert not Ticket.objects.exists()
    assert not OutboundMail.objects.exists()
    assert mailoutbox == []
    assert inbound.sender == "jan@klant.example"  # what was read is kept for the admin

    monkeypatch.undo()
    assert mail_reprocess(inbound.pk).status == InboundStatus.PROCESSED


def test_it_runs_only_unfinished_mail_again(ingest: Ingest, jan: Contact) -> None:
    inbound = ingest(compose())

    with pytest.raises(ValueError, match="only received, quarantined or refused"):
        mail_reprocess(inbound.pk)


def test_it_stores_what_it_read(ingest: Ingest, jan: Contact) -> None:
    raw = compose(subject="Onderwerp", message_id="read@klant.example")

    inbound = ingest(raw)

    assert inbound.message_id == "read@klant.example" == message_id_of(raw)
    assert inbound.sender == "jan@klant.example"
    assert inbound.subject == "Onderwerp"
    assert "printen de facturen" in inbound.text


def test_it_counts_reply_tickets_per_organisation(ingest: Ingest, jan: Contact) -> None:
    """A sender of another organisation never lands in this one."""
    other = OrganisationFactory(email_domains="ander.example")

    inbound = ingest(compose(sender="kees@ander.example"))

    assert inbound.ticket is not None
    assert inbound.ticket.organisation == other
    assert inbound.reason == f"new ticket {inbound.ticket.number}"
    # A mailed incident has only a description: the completeness check asks for the rest.
    assert inbound.ticket.status == Status.WAITING_ON_CUSTOMER


def test_the_database_stops_a_concurrent_copy_becoming_a_second_ticket(
    ingest: Ingest, jan: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    from servicedesk.mail.intake import _Pipeline

    raw = compose(message_id="race@klant.example")
    first = ingest(raw)
    # A second worker that checked for duplicates before the first one committed:
    monkeypatch.setattr(_Pipeline, "_duplicate_of", lambda self: None)

    second = ingest(raw)

    assert first.status == InboundStatus.PROCESSED
    assert second.status == InboundStatus.IGNORED
    assert second.reason == "duplicate: processed concurrently"
    assert Ticket.objects.count() == 1  # the second ticket was rolled back


def test_it_makes_no_contact_for_a_new_sender_it_must_refuse_as_reporter(
    ingest: Ingest, klant: Organisation, mailoutbox: list[Any]
) -> None:
    ContractFactory(organisation=klant, reporters=Reporters.CPC_AND_KEY_USERS)
    ContactFactory(organisation=klant, name="Carla Centraal", is_cpc=True, user=None)

    inbound = ingest(compose(sender="nieuw@klant.example"))

    assert inbound.status == InboundStatus.REFUSED
    assert not Contact.objects.filter(email="nieuw@klant.example").exists()
    (answer,) = mailoutbox
    assert "Carla Centraal" in answer.body
    assert answer.body.startswith("Geachte heer/mevrouw,")  # no name in the mail
