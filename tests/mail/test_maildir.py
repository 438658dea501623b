"""A Maildir taken in by several processes: every message once, conversations together."""

import io
import mailbox
from pathlib import Path

import pytest
from django.core.management import call_command

from servicedesk.accounts.models import Contact
from servicedesk.mail.maildir import PARALLEL_FROM, maildir_messages, partition, thread_root
from servicedesk.mail.models import InboundMail, InboundStatus
from servicedesk.tickets.models import Message, Ticket
from tests.factories import ContactFactory, ContractFactory
from tests.mail.helpers import compose


def test_it_places_a_message_by_the_root_of_its_conversation() -> None:
    original = compose(message_id="root@klant.example")
    reply = compose(
        message_id="reply@klant.example",
        headers={
            "In-Reply-To": "<mid@klant.example>",
            "References": "<Root@klant.example> <mid@klant.example>",
        },
    )
    answer = compose(
        message_id="answer@klant.example", headers={"In-Reply-To": "<root@klant.example>"}
    )

    assert thread_root(original) == "root@klant.example"
    assert thread_root(reply) == "root@klant.example"
    assert thread_root(answer) == "root@klant.example"


def test_it_keeps_a_conversation_in_one_share_in_order(tmp_path: Path) -> None:
    folder = mailbox.Maildir(tmp_path / "maildir", create=True)
    for n in range(30):
        folder.add(compose(message_id=f"root{n}@klant.example"))
        folder.add(
            compose(
                message_id=f"re{n}@klant.example",
                headers={"References": f"<root{n}@klant.example>"},
            )
        )
    files = maildir_messages(tmp_path / "maildir")

    shares = partition(files, 3)

    assert sorted(path for share in shares for path in share) == sorted(files)
    assert all(shares)  # 30 conversations over 3 shares: none is left empty
    for share in shares:
        roots = [thread_root(path.read_bytes()) for path in share]
        for root in set(roots):
            positions = [
                files.index(path) for path in share if thread_root(path.read_bytes()) == root
            ]
            assert len(positions) == 2 and positions == sorted(positions)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("ingest_mail", *args, stdout=out)
    return out.getvalue()


@pytest.mark.postgresql  # forked processes each with a connection: the PostgreSQL pass of CI
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_takes_in_a_maildir_with_several_processes_each_message_once(tmp_path: Path) -> None:
    jan = ContactFactory(email="jan@klant.example", user=None)
    ContractFactory(organisation=jan.organisation)
    # The central point of contact sees every ticket of the organisation: their answer
    # joins the ticket (anyone else's would open one of their own).
    colleague = ContactFactory(
        organisation=jan.organisation, email="piet@klant.example", user=None, is_cpc=True
    )
    folder = mailbox.Maildir(tmp_path / "maildir", create=True)
    reports = 24
    for n in range(reports):
        folder.add(compose(subject=f"Storing {n}", message_id=f"report{n}@klant.example"))
    for n in range(0, reports, 2):  # a colleague answers all on half of them
        folder.add(
            compose(
                sender=f"Piet <{colleague.email}>",
                subject=f"Re: Storing {n}",
                body=f"Bij ons ook, storing {n}.\n",
                message_id=f"colleague{n}@klant.example",
                headers={
                    "In-Reply-To": f"<report{n}@klant.example>",
                    "References": f"<report{n}@klant.example>",
                },
            )
        )
    for n in range(0, reports, 4):  # and the MTA delivers some reports twice
        folder.add(compose(subject=f"Storing {n}", message_id=f"report{n}@klant.example"))
    total = reports + reports // 2 + reports // 4
    assert total >= PARALLEL_FROM

    output = run("--jobs", "2", str(tmp_path / "maildir"))

    assert len(output.splitlines()) == total
    assert InboundMail.objects.count() == total
    assert Ticket.objects.count() == reports
    assert InboundMail.objects.filter(status=InboundStatus.IGNORED).count() == reports // 4
    for n in range(0, reports, 2):
        ticket = Ticket.objects.get(title=f"Storing {n}")
        assert Message.objects.filter(ticket=ticket, body__contains=f"storing {n}.").count() == 1
    assert not InboundMail.objects.filter(status=InboundStatus.QUARANTINED).exists()


def test_it_refuses_a_negative_number_of_jobs(db: None, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    mailbox.Maildir(tmp_path / "maildir", create=True)
    with pytest.raises(CommandError, match="--jobs"):
        run("--jobs", "-1", str(tmp_path / "maildir"))


def test_it_takes_in_a_small_maildir_in_this_process(jan: Contact, tmp_path: Path) -> None:
    folder = mailbox.Maildir(tmp_path / "maildir", create=True)
    for n in range(3):
        folder.add(compose(subject=f"Klein {n}"))

    output = run("--jobs", "4", str(tmp_path / "maildir"))

    assert output.count("processed") == 3
    assert Ticket.objects.count() == 3
