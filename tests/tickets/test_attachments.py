"""attachment_add: size and type checks, safe names, files under MEDIA_ROOT."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, User
from servicedesk.tickets.models import Attachment, Ticket, TicketEvent, Visibility
from servicedesk.tickets.services import attachment_add, ticket_add_message
from tests.factories import make_ticket
from tests.tickets.helpers import fields_of, login_of, upload

pytestmark = pytest.mark.usefixtures("media")

NINE = datetime.datetime(2030, 1, 2, 9, 0, tzinfo=datetime.UTC)


def files_under(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_it_stores_the_file_under_media_root(ticket: Ticket, contact: Contact, media: Path) -> None:
    attachment = attachment_add(
        ticket=ticket,
        upload=upload("screenshot.png", b"\x89PNG pixels"),
        actor=login_of(contact),
        now=NINE,
    )

    attachment.refresh_from_db()
    path = Path(attachment.file.path)
    assert path.is_relative_to(media / "attachments" / str(ticket.pk))
    assert path.read_bytes() == b"\x89PNG pixels"
    assert files_under(media) == [path]
    assert (attachment.filename, attachment.size, attachment.content_type) == (
        "screenshot.png",
        len(b"\x89PNG pixels"),
        "image/png",
    )
    assert (attachment.uploaded_by, attachment.internal) == (login_of(contact), False)
    assert Ticket.objects.get(pk=ticket.pk).updated_at == NINE


def test_it_stores_under_a_name_of_its_own(ticket: Ticket, agent: User) -> None:
    first = attachment_add(ticket=ticket, upload=upload("report.pdf"), actor=agent)
    second = attachment_add(ticket=ticket, upload=upload("report.pdf"), actor=agent)
    assert "report" not in first.file.name
    assert first.file.name != second.file.name
    assert first.filename == second.filename == "report.pdf"


def test_it_records_an_event(ticket: Ticket, agent: User) -> None:
    attachment_add(ticket=ticket, upload=upload("log.txt"), actor=agent)
    attachment_add(ticket=ticket, upload=upload("dump.txt"), actor=agent, internal=True)
    events = TicketEvent.objects.filter(ticket=ticket).exclude(action="created")
    assert [(e.action, e.new_value, e.actor) for e in events] == [
        ("attachment_added", "log.txt", agent),
        ("attachment_internal", "dump.txt", agent),
    ]


@pytest.mark.parametrize(
    "name, stored_as",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/absolute/path/notes.txt", "notes.txt"),
    ],
)
def test_it_strips_directories_from_the_name(
    ticket: Ticket, agent: User, media: Path, name: str, stored_as: str
) -> None:
    attachment = attachment_add(ticket=ticket, upload=upload(name), actor=agent)
    assert attachment.filename == stored_as
    assert Path(attachment.file.path).resolve().is_relative_to(media.resolve())


def test_it_strips_directories_even_from_an_uncleaned_name(
    ticket: Ticket, agent: User, media: Path
) -> None:
    # UploadedFile cleans its name on assignment; other sources (mail intake) may not.
    raw = upload()
    raw._name = "../../etc/passwd"  # type: ignore[attr-defined]
    attachment = attachment_add(ticket=ticket, upload=raw, actor=agent)
    assert attachment.filename == "passwd"
    assert Path(attachment.file.path).resolve().is_relative_to(media.resolve())


def test_it_refuses_an_empty_file(ticket: Ticket, agent: User, media: Path) -> None:
    with pytest.raises(ValidationError) as error:
        attachment_add(ticket=ticket, upload=upload("empty.txt", b""), actor=agent)
    assert fields_of(error.value) == {"file"}
    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_it_refuses_a_file_over_the_limit(
    ticket: Ticket, agent: User, media: Path, settings: Settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError) as error:
        attachment_add(ticket=ticket, upload=upload("big.txt", b"x" * 11), actor=agent)
    assert fields_of(error.value) == {"file"}
    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_it_accepts_a_file_of_exactly_the_limit(
    ticket: Ticket, agent: User, settings: Settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 10
    assert attachment_add(ticket=ticket, upload=upload("ok.txt", b"x" * 10), actor=agent).size == 10


@pytest.mark.parametrize("name", ["setup.exe", "SETUP.EXE", "invoice.pdf.exe", "run.ps1"])
def test_it_refuses_blocked_file_types(ticket: Ticket, agent: User, media: Path, name: str) -> None:
    with pytest.raises(ValidationError) as error:
        attachment_add(ticket=ticket, upload=upload(name), actor=agent)
    assert fields_of(error.value) == {"file"}
    assert not Attachment.objects.exists()
    assert files_under(media) == []
    assert not TicketEvent.objects.filter(ticket=ticket).exclude(action="created").exists()


def test_it_attaches_to_a_message_of_the_same_ticket(ticket: Ticket, agent: User) -> None:
    message = ticket_add_message(ticket=ticket, author=agent, body="See the log")
    attachment = attachment_add(ticket=ticket, upload=upload(), actor=agent, message=message)
    assert list(message.attachments.all()) == [attachment]


def test_it_refuses_a_message_of_another_ticket(
    ticket: Ticket, contact: Contact, agent: User
) -> None:
    other = make_ticket(contact)
    message = ticket_add_message(
        ticket=other, author=agent, body="Note", visibility=Visibility.INTERNAL
    )
    with pytest.raises(ValidationError) as error:
        attachment_add(ticket=ticket, upload=upload(), actor=agent, message=message)
    assert fields_of(error.value) == {"message"}
    assert not Attachment.objects.exists()


def test_it_keeps_internal_files_for_staff(ticket: Ticket, contact: Contact) -> None:
    with pytest.raises(ValidationError) as error:
        attachment_add(ticket=ticket, upload=upload(), actor=login_of(contact), internal=True)
    assert fields_of(error.value) == {"internal"}
    assert not Attachment.objects.exists()


def test_it_makes_a_file_on_an_internal_note_internal(ticket: Ticket, agent: User) -> None:
    note = ticket_add_message(
        ticket=ticket, author=agent, body="Log attached", visibility=Visibility.INTERNAL
    )
    attachment = attachment_add(ticket=ticket, upload=upload(), actor=agent, message=note)
    assert attachment.internal is True


def test_it_refuses_a_file_from_a_customer_who_may_not_see_the_ticket(
    ticket: Ticket, other_contact: Contact
) -> None:
    with pytest.raises(ValidationError) as error:
        attachment_add(ticket=ticket, upload=upload(), actor=login_of(other_contact))
    assert fields_of(error.value) == {"ticket"}
    assert not Attachment.objects.exists()
