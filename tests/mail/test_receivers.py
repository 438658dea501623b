"""The receivers and the sender against real servers on 127.0.0.1.

SMTP out: an aiosmtpd sink that the desk's mailer sends to. LMTP in: our aiosmtpd LMTP
server, fed with smtplib.LMTP. IMAP in: a private Dovecot the poller reads from. Also
the webhook and `servicedesk ingest-mail`.
"""

import email
import email.policy
import io
import mailbox
import smtplib
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from imap_tools import MailBoxUnencrypted
from imap_tools.mailbox import BaseMailBox
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact
from servicedesk.mail.imap import mailbox_poll
from servicedesk.mail.lmtp import IntakeController
from servicedesk.mail.models import (
    InboundMail,
    InboundStatus,
    Mailbox,
    OutboundKind,
    OutboundMail,
    Security,
)
from servicedesk.tickets.models import Ticket
from tests.mail.conftest import Ingest
from tests.mail.helpers import compose
from tests.mail.servers import PASSWORD, Dovecot, SmtpSink, free_port

TOKEN = "webhook-token-for-tests"


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


# Sending through a real SMTP server


@pytest.fixture
def smtp_sink(settings: Settings) -> Iterator[SmtpSink]:
    """An SMTP server on 127.0.0.1 that the desk's default mailer sends to."""
    with SmtpSink() as sink:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 10},
            }
        }
        yield sink


def test_it_sends_the_confirmation_over_smtp_and_threads_the_answer(
    ingest: Ingest, jan: Contact, smtp_sink: SmtpSink
) -> None:
    ticket = ingest(compose(message_id="question@klant.example")).ticket
    assert ticket is not None

    # The confirmation, then the completeness check's question (a mailed incident has only
    # a description).
    raw, _question = smtp_sink.messages
    envelopes = smtp_sink.captured.envelopes
    assert [envelope.rcpt_tos for envelope in envelopes] == [["Jan@Klant.example"]] * 2
    sent = parse(raw)
    confirmation = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.TICKET_CREATED)
    assert sent["Message-ID"] == f"<{confirmation.message_id}>"
    assert sent["In-Reply-To"] == "<question@klant.example>"
    assert sent["Auto-Submitted"] == "auto-generated"
    text = sent.get_body(("plain",))
    html = sent.get_body(("html",))
    assert text is not None and html is not None
    assert ticket.number in text.get_content() and ticket.number in html.get_content()

    # The customer answers the mail as a mail client does: on top, the rest quoted.
    quoted = "\n".join(f"> {line}" for line in text.get_content().splitlines())
    answer = compose(
        to=sent["Reply-To"],
        subject=f"Re: {sent['Subject']}",
        body=f"Nog een vraag.\n\nOp 2 maart schreef Servicedesk:\n{quoted}\n",
        headers={"In-Reply-To": sent["Message-ID"], "References": sent["Message-ID"]},
    )
    inbound = ingest(answer)

    assert inbound.ticket == ticket
    assert inbound.ticket_message is not None
    assert inbound.ticket_message.body == "Nog een vraag."
    assert len(smtp_sink.messages) == 2  # a reply is not confirmed


def test_it_keeps_mail_the_server_did_not_take_for_a_retry(
    ingest: Ingest, jan: Contact, settings: Settings
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }

    inbound = ingest(compose())

    assert inbound.status == InboundStatus.PROCESSED
    rows = inbound.ticket.outbound_mails.all()  # type: ignore[union-attr]
    assert len(rows) == 2  # the confirmation and the completeness check's question
    for row in rows:
        assert row.sent_at is None and row.attempts == 1 and row.last_error


# LMTP


# The LMTP server writes from its own thread, so these tests commit (transactional_db).
# Their rollback is serialized like the other committing tests' (tests/automation): a
# plain flush re-creates the content types, over which a later serialized test then
# fails to restore the database.


@pytest.fixture
def lmtp_server(
    transactional_db: None, django_db_serialized_rollback: None
) -> Iterator[IntakeController]:
    controller = IntakeController(host="127.0.0.1", port=free_port(), server_name="desk.test")
    controller.start()
    yield controller
    controller.stop()


def test_it_takes_mail_over_lmtp(lmtp_server: IntakeController, jan: Contact) -> None:
    raw = compose(message_id="lmtp@klant.example")

    with smtplib.LMTP("127.0.0.1", lmtp_server.port) as client:
        refused = client.sendmail("jan@klant.example", ["support@desk.example"], raw)

    assert refused == {}
    inbound = InboundMail.objects.get()
    assert inbound.source == "lmtp"
    assert inbound.envelope_to == "support@desk.example"
    assert inbound.status == InboundStatus.PROCESSED
    assert bytes(inbound.raw).replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
    assert Ticket.objects.get().requester == jan


def test_it_answers_552_over_lmtp_for_a_message_over_the_limit(
    settings: Settings, transactional_db: None, django_db_serialized_rollback: None
) -> None:
    settings.MAIL_MAX_BYTES = 10_000
    controller = IntakeController(host="127.0.0.1", port=free_port(), server_name="desk.test")
    controller.start()
    try:
        with smtplib.LMTP("127.0.0.1", controller.port) as client:
            # A sender that announces the size is refused at once...
            with pytest.raises(smtplib.SMTPSenderRefused) as announced:
                client.sendmail("a@klant.example", ["support@desk.example"], b"x" * 20_000)
            assert announced.value.smtp_code == 552
            client.rset()
            # ...and one that does not, after its data.
            client.mail("a@klant.example")
            client.rcpt("support@desk.example")
            code, _ = client.data(b"Subject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 300)
    finally:
        controller.stop()

    assert code == 552
    assert not InboundMail.objects.exists()  # the MTA keeps it and bounces it


# The webhook


def post(client: Client, raw: bytes, **extra: Any) -> Any:
    extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {TOKEN}")
    return client.post("/mail/inbound", data=raw, content_type="message/rfc822", **extra)


def test_the_webhook_takes_a_raw_message(client: Client, jan: Contact) -> None:
    response = post(client, compose())

    assert response.status_code == 202
    inbound = InboundMail.objects.get(pk=response.json()["id"])
    assert response.json()["status"] == "processed"
    assert inbound.source == "webhook"
    assert inbound.ticket is not None


def test_the_webhook_files_mail_under_a_mailbox(client: Client, jan: Contact) -> None:
    box = Mailbox.objects.create(name="sales", host="-", username="-")

    response = client.post(
        "/mail/inbound?mailbox=sales",
        data=compose(),
        content_type="message/rfc822",
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
    )

    assert response.status_code == 202
    assert InboundMail.objects.get().mailbox == box


@pytest.mark.parametrize(
    "authorization", ["", f"Token {TOKEN}", "Bearer wrong", f"Bearer {TOKEN}x"]
)
def test_the_webhook_refuses_without_the_token(
    client: Client, db: None, authorization: str
) -> None:
    response = post(client, compose(), HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not InboundMail.objects.exists()


def test_the_webhook_is_off_without_a_token(client: Client, db: None, settings: Settings) -> None:
    settings.MAIL_WEBHOOK_TOKEN = ""

    assert post(client, compose(), HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_the_webhook_refuses_too_large_messages(
    client: Client, db: None, settings: Settings
) -> None:
    settings.MAIL_MAX_BYTES = 1000

    response = post(client, compose(body="x" * 2000))

    assert response.status_code == 413
    assert not InboundMail.objects.exists()


def test_the_webhook_wants_a_raw_message(client: Client, db: None) -> None:
    response = client.post("/mail/inbound", data={"a": "b"}, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 415
    assert post(client, b"\r\n\r\n").status_code == 400
    assert client.get("/mail/inbound", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


# servicedesk ingest-mail


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest_mail", *args, stdout=out)
    return out.getvalue()


def test_ingest_mail_reads_standard_input(jan: Contact, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(compose())))

    output = run_command()

    inbound = InboundMail.objects.get()
    assert inbound.source == "stdin"
    assert output.startswith(f"stdin: inbound mail #{inbound.pk} processed SD-")


def test_ingest_mail_reads_files_and_maildirs(jan: Contact, tmp_path: Path) -> None:
    single = tmp_path / "one.eml"
    single.write_bytes(compose(subject="Een"))
    folder = mailbox.Maildir(tmp_path / "maildir", create=True)
    folder.add(compose(subject="Twee"))
    folder.add(compose(subject="Drie"))

    output = run_command(str(single), str(tmp_path / "maildir"))

    assert output.count("processed") == 3
    assert sorted(InboundMail.objects.values_list("source", flat=True)) == [
        "file",
        "maildir",
        "maildir",
    ]
    assert sorted(Ticket.objects.values_list("title", flat=True)) == ["Drie", "Een", "Twee"]


@pytest.mark.parametrize("make", ["missing", "plain-directory"])
def test_ingest_mail_stops_on_an_unreadable_path(db: None, tmp_path: Path, make: str) -> None:
    good = tmp_path / "good.eml"
    good.write_bytes(compose())
    bad = tmp_path / "bad"
    if make == "plain-directory":
        bad.mkdir()

    with pytest.raises(CommandError, match="bad"):
        run_command(str(good), str(bad))

    assert not InboundMail.objects.exists()  # checked before anything was ingested


def test_ingest_mail_runs_stored_mail_again(jan: Contact, ingest: Ingest) -> None:
    jan.active = False
    jan.save()
    refused = ingest(compose())
    assert refused.status == InboundStatus.REFUSED
    jan.active = True
    jan.save()

    output = run_command("--reprocess", str(refused.pk))

    assert f"#{refused.pk}: inbound mail #{refused.pk} processed" in output
    with pytest.raises(CommandError, match="only received, quarantined or refused"):
        run_command("--reprocess", str(refused.pk))


# IMAP against Dovecot


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    try:
        server = Dovecot()
        server.start()
    except RuntimeError as error:
        pytest.fail(str(error))
    yield server
    server.stop()


@pytest.fixture
def imap_box(dovecot: Dovecot, db: None) -> Mailbox:
    """A mailbox of a fresh Dovecot user, configured as the desk's support mailbox."""
    return Mailbox.objects.create(
        name="support",
        address="support@desk.example",
        host="127.0.0.1",
        port=dovecot.port,
        security=Security.NONE,
        username=dovecot.new_user(),
        password=PASSWORD,
        processed_folder="Processed",
    )


def imap(box: Mailbox) -> BaseMailBox:
    return MailBoxUnencrypted("127.0.0.1", box.port).login(box.username, PASSWORD)


def deliver(box: Mailbox, *messages: bytes, seen: bool = False) -> None:
    with imap(box) as client:
        for raw in messages:
            client.append(raw, "INBOX", flag_set=["\\Seen"] if seen else [])


def count(box: Mailbox, folder: str) -> int:
    with imap(box) as client:
        if not client.folder.exists(folder):
            return 0
        client.folder.set(folder)
        return len(client.uids("ALL"))


def test_the_poller_ingests_new_mail_and_moves_it_away(imap_box: Mailbox, jan: Contact) -> None:
    deliver(imap_box, compose(subject="Eerste"), compose(subject="Tweede"))

    report = mailbox_poll(imap_box)

    assert report.error == "" and report.fetched == 2
    assert report.statuses == {"processed": 2}
    assert sorted(Ticket.objects.values_list("title", flat=True)) == ["Eerste", "Tweede"]
    assert set(InboundMail.objects.values_list("source", "mailbox")) == {
        ("imap:support", imap_box.pk)
    }
    assert (count(imap_box, "INBOX"), count(imap_box, "Processed")) == (0, 2)
    assert mailbox_poll(imap_box).fetched == 0
    imap_box.refresh_from_db()
    assert imap_box.last_polled_at is not None and imap_box.last_error == ""


def test_the_poller_marks_mail_read_without_a_processed_folder(
    imap_box: Mailbox, jan: Contact
) -> None:
    imap_box.processed_folder = ""
    imap_box.save()
    deliver(imap_box, compose(subject="Al gelezen"), seen=True)
    deliver(imap_box, compose(subject="Nieuw"))

    report = mailbox_poll(imap_box)

    assert report.fetched == 1
    assert list(Ticket.objects.values_list("title", flat=True)) == ["Nieuw"]
    with imap(imap_box) as client:
        assert len(client.uids("UNSEEN")) == 0 and len(client.uids("ALL")) == 2
    assert mailbox_poll(imap_box).fetched == 0


def test_the_poller_loses_and_doubles_nothing_when_moving_fails(
    imap_box: Mailbox, jan: Contact, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver(imap_box, compose(subject="Eén keer"))

    def broken(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise OSError("connection reset")

    with monkeypatch.context() as patch:
        patch.setattr(BaseMailBox, "move", broken)
        first = mailbox_poll(imap_box)
    second = mailbox_poll(imap_box)

    assert first.error == "OSError: connection reset"
    assert second.statuses == {"ignored": 1}  # the same mail again: a duplicate
    assert Ticket.objects.count() == 1
    assert (count(imap_box, "INBOX"), count(imap_box, "Processed")) == (0, 1)


def test_the_poller_reports_a_mailbox_it_cannot_read(imap_box: Mailbox) -> None:
    # (Not a wrong password: Dovecot would slow down later logins from 127.0.0.1.)
    imap_box.port = free_port()
    imap_box.save()

    report = mailbox_poll(imap_box)

    assert report.error
    imap_box.refresh_from_db()
    assert imap_box.last_error == report.error
    with pytest.raises(CommandError, match="could not be read"):
        call_command("mail_poll", "--once", stdout=io.StringIO(), stderr=io.StringIO())
