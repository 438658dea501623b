"""`servicedesk ingest-mail [PATH ...]`: feed raw messages to the intake pipeline.

Without paths one message is read from standard input (for an MTA's pipe transport or
procmail). A path is a message file (.eml) or a Maildir (its new/ and cur/ messages; the
Maildir is only read: running twice makes the second copies duplicates). Every path is
checked before anything is ingested: an unreadable one stops the command with exit
status 1. A Maildir is taken in by several processes on PostgreSQL (`--jobs`, see
`mail.maildir`). `--reprocess ID ...` runs stored mail through the pipeline again.
"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicedesk.mail import config
from servicedesk.mail.intake import mail_ingest, mail_reprocess
from servicedesk.mail.maildir import default_jobs, ingest_maildir
from servicedesk.mail.models import InboundMail, Mailbox


def is_maildir(path: Path) -> bool:
    return all((path / part).is_dir() for part in ("cur", "new", "tmp"))


class Command(BaseCommand):
    help = (
        "Ingest raw RFC 5322 messages from standard input, files or Maildirs, or run stored "
        "mail through the pipeline again (--reprocess)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", help="message files or Maildirs (default: stdin)")
        parser.add_argument(
            "--mailbox", default="", help="file the mail under this mailbox (its team, product)"
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=0,
            help=(
                "processes taking in a Maildir (default: the cores, at most 4, on PostgreSQL; "
                "1 on SQLite); a conversation's messages stay in one process, in order"
            ),
        )
        parser.add_argument(
            "--reprocess",
            type=int,
            nargs="+",
            metavar="ID",
            help="run these inbound mails (quarantined, refused, received) again",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reprocess"]:
            if options["paths"]:
                raise CommandError("give either paths or --reprocess, not both")
            self._reprocess(options["reprocess"])
            return
        box = None
        if options["mailbox"]:
            box = Mailbox.objects.filter(name=options["mailbox"]).first()
            if box is None:
                raise CommandError(f"no mailbox named {options['mailbox']!r}")
        paths = [Path(path) for path in options["paths"]]
        for path in paths:
            self._check(path)
        if not paths:
            self._ingest(sys.stdin.buffer.read(), source="stdin", box=box, label="stdin")
            return
        if options["jobs"] < 0:
            raise CommandError("--jobs must be 0 (the default) or more")
        jobs = options["jobs"] or default_jobs()
        with config.addresses_read_once():
            for path in paths:
                if path.is_dir():
                    lines = ingest_maildir(path, mailbox=box, describe=describe, jobs=jobs)
                    for line in lines:
                        self.stdout.write(line)
                else:
                    self._ingest(path.read_bytes(), source="file", box=box, label=str(path))

    def _check(self, path: Path) -> None:
        if not path.exists():
            raise CommandError(f"{path}: no such file or directory")
        if path.is_dir():
            if not is_maildir(path):
                raise CommandError(f"{path}: a directory, but not a Maildir (cur/, new/, tmp/)")
            return
        try:
            with path.open("rb") as handle:
                handle.read(1)
        except OSError as error:
            raise CommandError(f"{path}: cannot be read ({error.strerror})") from None

    def _ingest(self, raw: bytes, *, source: str, box: Mailbox | None, label: str) -> None:
        inbound = mail_ingest(raw, source=source, mailbox=box)
        self._report(inbound, label)

    def _reprocess(self, ids: list[int]) -> None:
        failed = []
        for pk in ids:
            try:
                inbound = mail_reprocess(pk)
            except InboundMail.DoesNotExist:
                failed.append(f"#{pk}: no such inbound mail")
                continue
            except ValueError as error:
                failed.append(str(error))
                continue
            self._report(inbound, f"#{pk}")
        if failed:
            raise CommandError("; ".join(failed))

    def _report(self, inbound: InboundMail, label: str) -> None:
        self.stdout.write(describe(inbound, label))


def describe(inbound: InboundMail, label: str) -> str:
    """Return the command's line about an ingested mail."""
    ticket = f" {inbound.ticket.number}" if inbound.ticket else ""
    return f"{label}: inbound mail #{inbound.pk} {inbound.status}{ticket}: {inbound.reason}"
