"""Outgoing mail: text + HTML by the contact's language, threading headers, retries.

The ticket services queue the notices themselves (a new ticket's confirmation, a staff
member's public reply, a status change the customer is told of): calling a hook again for
the same event queues nothing.
"""

import datetime
import email
import email.policy
from email.message import EmailMessage
from typing import Any

import pytest
import time_machine
from django.core import mail as django_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, Language
from servicedesk.mail import outbound
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.mail.outbound import (
    mail_batch,
    mail_compose,
    mail_deliver,
    mail_on_closed,
    mail_on_public_reply,
    mail_on_reminder,
    mail_on_status_changed,
    mail_on_ticket_created,
    mail_retry_unsent,
)
from servicedesk.mail.quotes import REPLY_MARKERS, split_reply
from servicedesk.mail.threading import read_reply_address
from servicedesk.outbox import services as outbox_services
from servicedesk.tickets import services
from servicedesk.tickets.models import Status, Ticket, Visibility
from tests.factories import ContactFactory, ContractFactory, StaffFactory, make_ticket
from tests.mail.conftest import Ingest
from tests.mail.helpers import compose


def as_received(mail: Any) -> EmailMessage:
    """Return a sent mail as its recipient's mail client parses it."""
    message = email.message_from_bytes(mail.message().as_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.fixture
def ticket(jan: Contact) -> Ticket:
    return make_ticket(requester=jan, title="Facturen printen niet")


def test_it_composes_multipart_text_and_html_with_our_headers(ticket: Ticket) -> None:
    mail = mail_compose(
        kind=OutboundKind.TICKET_CREATED,
        to="jan@klant.example",
        language="en",
        ticket=ticket,
        context={"name": "Jan"},
        in_reply_to="first@klant.example",
        references=["first@klant.example"],
    )

    message = as_received(mail)
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    assert message["Subject"] == f"[{ticket.number}] Facturen printen niet"
    assert message["From"] == "Service desk <support@desk.example>"
    assert message["Message-ID"].endswith("@desk.example>")
    assert message["In-Reply-To"] == "<first@klant.example>"
    assert message["References"] == "<first@klant.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Loop"] == "support@desk.example"
    reply_to = message["Reply-To"]
    assert read_reply_address(reply_to, secret="test-reply-secret") == ticket.number
    assert text.get_content().startswith(REPLY_MARKERS["en"] + "\n\n")
    assert "Dear Jan," in text.get_content()
    assert ticket.number in text.get_content()
    assert REPLY_MARKERS["en"] in html.get_content()
    assert f"https://desk.example/portal/tickets/{ticket.number}/" in html.get_content()


@pytest.mark.parametrize(
    ("language", "greeting", "marker"),
    [
        (Language.DUTCH, "Beste Jan Jansen,", "--antwoord boven deze lijn--"),
        (Language.FRENCH, "Bonjour Jan Jansen,", "--répondez au-dessus de cette ligne--"),
        (Language.ENGLISH, "Dear Jan Jansen,", "--reply above this line--"),
    ],
)
def test_it_writes_in_the_contacts_language(
    jan: Contact,
    language: str,
    greeting: str,
    marker: str,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    jan.language = language
    jan.save()

    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(requester=jan, title="Facturen printen niet")

    (row,) = OutboundMail.objects.filter(ticket=ticket)
    assert (row.kind, row.language) == (OutboundKind.TICKET_CREATED, language)
    (mail,) = mailoutbox
    text = as_received(mail).get_body(("plain",))
    assert text is not None
    content = text.get_content()
    assert content.splitlines()[0] == marker
    assert greeting in content
    html = as_received(mail).get_body(("html",))
    assert html is not None and f'lang="{language}"' in html.get_content()


def test_it_escapes_what_people_wrote_in_the_html(
    jan: Contact, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(requester=jan, title="<script>alert(1)</script> & co")

    (mail,) = mailoutbox  # the confirmation
    message = as_received(mail)
    html = message.get_body(("html",))
    text = message.get_body(("plain",))
    assert html is not None and text is not None
    assert "<script>" not in html.get_content()
    assert "&lt;script&gt;" in html.get_content()
    assert "<script>alert(1)</script> & co" in text.get_content()  # plain text stays plain


def test_it_confirms_a_ticket_once(
    jan: Contact, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(requester=jan, title="Facturen printen niet")  # confirms it
        again = mail_on_ticket_created(ticket)

    assert again is None
    (row,) = OutboundMail.objects.filter(ticket=ticket)
    assert (row.kind, row.dedupe_key) == (
        OutboundKind.TICKET_CREATED,
        f"ticket_created:{ticket.pk}",
    )
    (mail,) = mailoutbox
    assert mail.to == [jan.email]
    assert mail.extra_headers["Message-ID"] == f"<{row.message_id}>"
    assert row.sent_at is not None


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the kind of every notice asked of `mail_queue` by the hooks, stored or not."""
    kinds: list[str] = []
    real = outbound.mail_queue

    def spy(**kwargs: Any) -> OutboundMail | None:
        kinds.append(kwargs["kind"])
        return real(**kwargs)

    monkeypatch.setattr(outbound, "mail_queue", spy)
    return kinds


def confirmation_lookups(context: CaptureQueriesContext, ticket: Ticket) -> int:
    """Return how many queries looked for the ticket's confirmation by its dedupe key."""
    key = f"ticket_created:{ticket.pk}'"
    return sum(
        1
        for query in context.captured_queries
        if query["sql"].startswith("SELECT") and '"mail_outboundmail"' in query["sql"]
        if key in query["sql"]
    )


def test_it_queues_a_mailed_tickets_confirmation_once(
    ingest: Ingest, jan: Contact, queued: list[str], mailoutbox: list[Any]
) -> None:
    with CaptureQueriesContext(connection) as context:
        inbound = ingest(compose())

    assert inbound.ticket is not None
    # Asked once (by ticket_create): the intake asks no more, and the unique dedupe key
    # alone keeps a second out, so nothing looks for it before storing it.
    assert queued.count(OutboundKind.TICKET_CREATED) == 1
    assert confirmation_lookups(context, inbound.ticket) == 0
    rows = OutboundMail.objects.filter(ticket=inbound.ticket, kind=OutboundKind.TICKET_CREATED)
    (row,) = rows
    assert row.sent_at is not None
    assert jan.email in {mail.to[0] for mail in mailoutbox}


def test_it_queues_the_confirmation_of_a_reply_become_a_new_ticket_once(
    ingest: Ingest, jan: Contact, queued: list[str], mailoutbox: list[Any]
) -> None:
    ContractFactory(organisation=jan.organisation, reopen_within=datetime.timedelta(days=14))
    first = ingest(compose(message_id="first@klant.example")).ticket
    assert first is not None
    services.ticket_transition(ticket=first, actor=StaffFactory(), status=Status.CLOSED, note="Ok")
    queued.clear()

    with time_machine.travel(timezone.now() + datetime.timedelta(days=30)):
        reply = ingest(
            compose(body="Weer kapot.", headers={"In-Reply-To": "<first@klant.example>"})
        )

    assert reply.ticket is not None and reply.ticket != first  # a new, linked ticket
    assert queued.count(OutboundKind.TICKET_CREATED) == 1
    confirmations = OutboundMail.objects.filter(kind=OutboundKind.TICKET_CREATED)
    assert confirmations.filter(ticket=reply.ticket).count() == 1


def test_it_mails_a_public_agent_reply_threaded_under_the_conversation(
    ingest: Ingest, jan: Contact, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    ticket = ingest(compose(message_id="first@klant.example")).ticket
    assert ticket is not None
    # Ours so far: the confirmation (and the desk's question, if the report was incomplete).
    ours = list(
        OutboundMail.objects.filter(ticket=ticket)
        .order_by("created_at", "pk")
        .values_list("message_id", flat=True)
    )
    agent = StaffFactory(first_name="Aart", last_name="Agent")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        message = services.ticket_add_message(
            ticket=ticket, body="Probeer de printer opnieuw te starten.", author=agent
        )
        assert mail_on_public_reply(message) is None  # the service queued it

    (mail,) = mailoutbox
    reply = OutboundMail.objects.get(ticket_message=message)
    assert reply.kind == OutboundKind.AGENT_REPLY
    assert mail.extra_headers["Message-ID"] == f"<{reply.message_id}>"
    received = as_received(mail)
    assert received["Subject"] == f"Re: [{ticket.number}] Facturen printen niet"
    assert received["In-Reply-To"] == f"<{ours[-1]}>"
    assert received["References"].split() == [
        "<first@klant.example>",
        *(f"<{message_id}>" for message_id in ours),
    ]
    assert received["Auto-Submitted"] is None  # a person wrote it
    text = received.get_body(("plain",))
    assert text is not None
    content = text.get_content()
    assert "Probeer de printer opnieuw te starten." in content
    assert "Aart Agent" in content
    # The customer's answer above the marker is all that is taken from their reply.
    answer = f"Dat hielp.\n\n{content}"
    assert split_reply(answer)[0] == "Dat hielp."


def test_it_sends_nothing_for_internal_notes_or_the_customers_own_messages(
    ticket: Ticket, jan: Contact, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    agent = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        note = services.ticket_add_message(
            ticket=ticket, body="Intern.", author=agent, visibility=Visibility.INTERNAL
        )
        own = services.ticket_add_message(ticket=ticket, body="Van de klant.", contact=jan)
        assert mail_on_public_reply(note) is None
        assert mail_on_public_reply(own) is None

    assert mailoutbox == []
    kinds = OutboundMail.objects.filter(ticket=ticket).values_list("kind", flat=True)
    assert list(kinds) == [OutboundKind.TICKET_CREATED]  # queued when the ticket was made


def test_it_mails_status_changes_and_the_closing_text(
    ticket: Ticket, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    agent = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_transition(ticket=ticket, actor=agent, status=Status.IN_PROGRESS)
        # Queued by the service: the hook, called again for the change, adds nothing.
        again = mail_on_status_changed(ticket, old=Status.NEW, new=Status.IN_PROGRESS, actor=agent)
        assert again is None
        services.ticket_transition(
            ticket=ticket, actor=agent, status=Status.CLOSED, note="De driver is bijgewerkt."
        )
        again = mail_on_status_changed(
            ticket,
            old=Status.IN_PROGRESS,
            new=Status.CLOSED,
            actor=agent,
            note="De driver is bijgewerkt.",
        )
        assert again is None
        # The customer's own doing, or the automation's, sends nothing here.
        assert mail_on_status_changed(ticket, old="closed", new="in_progress", actor=None) is None
        assert mail_on_status_changed(ticket, old="new", new="reopened", actor=agent) is None

    status_mail, closed_mail = mailoutbox
    kinds = OutboundMail.objects.filter(ticket=ticket).values_list("kind", flat=True)
    assert sorted(kinds) == sorted(
        [OutboundKind.TICKET_CREATED, OutboundKind.STATUS_CHANGED, OutboundKind.CLOSED]
    )
    assert "In behandeling" in status_mail.body
    assert closed_mail.subject == f"[{ticket.number}] Gesloten: Facturen printen niet"
    assert "De driver is bijgewerkt." in closed_mail.body
    assert "heropenen" in closed_mail.body


def test_it_mails_reminders_with_the_closing_date(
    ticket: Ticket, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    close_on = datetime.datetime(2026, 3, 23, 9, 0, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        mail_on_reminder(ticket, which=2, close_on=close_on, dedupe_key="r2")
        mail_on_reminder(ticket, which=2, close_on=close_on, dedupe_key="r2")
        mail_on_closed(ticket, text="Geen reactie ontvangen.", reopen_within_days=14)

    reminder, closed = mailoutbox
    assert reminder.subject == f"[{ticket.number}] Herinnering: Facturen printen niet"
    assert "tweede herinnering" in reminder.body
    assert "wacht op uw reactie" in reminder.body
    assert "23 maart 2026" in reminder.body
    assert "binnen 14 dagen" in closed.body


@pytest.mark.parametrize(
    ("language", "asks", "closes"),
    [
        ("nl", "oplossing aangeboden", "beschouwen wij het probleem als opgelost"),
        ("fr", "proposé une solution", "considérerons le problème comme résolu"),
        ("en", "offered a solution", "consider it solved"),
    ],
)
def test_it_reminds_of_a_solution_offered_in_its_own_words(
    ticket: Ticket, jan: Contact, language: str, asks: str, closes: str
) -> None:
    jan.language = language
    jan.save()
    close_on = datetime.datetime(2026, 3, 23, 9, 0, tzinfo=datetime.UTC)

    row = mail_on_reminder(
        ticket, which=1, close_on=close_on, waiting_for=Status.SOLUTION_OFFERED, dedupe_key="r1"
    )

    assert row is not None
    for body in (row.body_text, row.body_html):
        assert asks in body and closes in body
        assert "second" not in body and "tweede" not in body and "second rappel" not in body


def test_it_retries_a_failed_send_with_back_off(
    jan: Contact,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    def refuse(self: Any, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(django_mail.EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(requester=jan)  # its confirmation fails to go out

    row = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.TICKET_CREATED)
    assert row.sent_at is None and row.attempts == 1
    assert row.last_error == "ConnectionRefusedError: no mail server"
    assert row.next_attempt_at is not None and row.next_attempt_at > timezone.now()
    assert mail_retry_unsent() == 0  # not due yet

    monkeypatch.undo()
    assert mail_retry_unsent(now=row.next_attempt_at) == 1  # queued, and run at once

    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""
    (mail,) = mailoutbox
    assert mail.extra_headers["Message-ID"] == f"<{row.message_id}>"


def test_it_gives_up_after_the_last_attempt(
    jan: Contact, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(outbox_services, "MAX_ATTEMPTS", 1)
    monkeypatch.setattr(django_mail.EmailMessage, "send", lambda self, fail_silently=False: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(requester=jan)

    row = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.TICKET_CREATED)
    assert row.attempts == 1 and row.last_error.startswith("ZeroDivisionError")
    assert row.failed_at is not None and row.next_attempt_at is None
    assert mail_retry_unsent(now=timezone.now() + datetime.timedelta(days=1)) == 0


def test_it_never_sends_a_mail_twice(
    jan: Contact, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(requester=jan)
    row = OutboundMail.objects.get(ticket=ticket)
    assert row.sent_at is not None

    assert mail_deliver([row.pk, row.pk]) == 0
    assert len(mailoutbox) == 1


def test_it_skips_requesters_without_mail(ticket: Ticket, jan: Contact) -> None:
    jan.active = False
    jan.save()

    assert mail_on_reminder(ticket, which=1) is None
    assert mail_on_closed(ticket, text="Opgelost.") is None


def test_it_confirms_nothing_to_a_requester_without_an_address(jan: Contact) -> None:
    jan.email = ""
    jan.save()

    ticket = make_ticket(requester=jan)

    assert not OutboundMail.objects.filter(ticket=ticket).exists()
    assert mail_on_ticket_created(ticket) is None


def test_it_answers_in_english_when_it_does_not_write_the_language(db: None) -> None:
    contact = ContactFactory(language="de")

    ticket = make_ticket(requester=contact)

    row = OutboundMail.objects.get(ticket=ticket, kind=OutboundKind.TICKET_CREATED)
    assert row.language == "en"
    assert row.body_text.startswith(REPLY_MARKERS["en"])


# Mails the channel sends but other apps write (their templates, their tests).
RENDERED_ELSEWHERE = {OutboundKind.SURVEY, OutboundKind.OPS_DIGEST}


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
@pytest.mark.parametrize("kind", [kind for kind in OutboundKind if kind not in RENDERED_ELSEWHERE])
def test_every_notice_renders_in_every_language(
    ticket: Ticket, kind: OutboundKind, language: str
) -> None:
    context = {
        "name": "Jan",
        "body": "Antwoord",
        "author": "Aart",
        "status": "In behandeling",
        "note": "Toelichting",
        "which": 2,
        "close_on": "23 maart 2026",
        "reopen_days": 14,
        "subject": "Onderwerp",
        "address": "jan@klant.example",
        "organisation": "Klant BV",
        "reporters": ["Carla Centraal"],
        "size_mb": "31.0",
        "limit_mb": 30,
    }
    with_ticket = kind not in outbound.ANSWER_KINDS

    subject, text, html = outbound.render(
        kind=kind, language=language, ticket=ticket if with_ticket else None, context=context
    )

    assert subject and "{" not in subject
    assert "{%" not in text and "{{" not in text and "{%" not in html and "{{" not in html
    assert f'<html lang="{language}">' in html
    if with_ticket:
        assert ticket.number in subject
        assert text.startswith(REPLY_MARKERS[language])
    else:
        assert "Onderwerp" in subject


def test_it_stores_a_batch_together_and_once(
    ticket: Ticket,
    django_capture_on_commit_callbacks: Any,
    django_assert_num_queries: Any,
    mailoutbox: list[Any],
) -> None:
    mail_on_reminder(ticket, which=1, dedupe_key="seen-before")
    others = [make_ticket(requester=ticket.requester) for _ in range(3)]
    OutboundMail.objects.exclude(dedupe_key="seen-before").delete()  # their confirmations

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        django_assert_num_queries(4),  # known keys, a savepoint, the insert, its release
        mail_batch(),
    ):
        rows = [mail_on_reminder(t, which=1, dedupe_key=f"r:{t.pk}") for t in others]
        mail_on_reminder(others[0], which=2, dedupe_key=f"r:{others[0].pk}")  # again
        mail_on_reminder(ticket, which=1, dedupe_key="seen-before")
        assert all(row is not None and row.pk is None for row in rows)  # stored at the end

    assert len(callbacks) == 1  # one task sends them all
    stored = OutboundMail.objects.exclude(dedupe_key="seen-before")
    assert sorted(stored.values_list("dedupe_key", flat=True)) == sorted(
        f"r:{t.pk}" for t in others
    )
    assert "This is a second reminder." not in stored.get(ticket=others[0]).body_text
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(t.requester.email for t in others)


def test_it_stores_nothing_of_a_batch_that_fails(ticket: Ticket) -> None:
    OutboundMail.objects.all().delete()
    with pytest.raises(RuntimeError), mail_batch():
        mail_on_reminder(ticket, which=1, dedupe_key="r1")
        raise RuntimeError("the caller's transaction fails")

    assert not OutboundMail.objects.exists()
    with mail_batch(), mail_batch():  # a nested batch belongs to the outer one
        mail_on_reminder(ticket, which=1, dedupe_key="r1")
        assert not OutboundMail.objects.exists()
    assert OutboundMail.objects.get().dedupe_key == "r1"
