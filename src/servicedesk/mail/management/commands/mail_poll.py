"""`servicedesk mail_poll`: read the IMAP mailboxes (admin: Mailboxes) into the desk.

Polls every active mailbox every `--interval` seconds (MAIL_POLL_INTERVAL, default 60)
until stopped; `--once` polls once and exits (for cron and tests), with exit status 1
when a mailbox could not be read.
"""

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from servicedesk.mail.imap import mailboxes_poll
from servicedesk.mail.outbound import mail_retry_unsent


class Command(BaseCommand):
    help = "Read new mail from the IMAP mailboxes into the desk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="poll once, then stop")
        parser.add_argument(
            "--mailbox", action="append", default=[], help="only this mailbox (repeatable)"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=float(getattr(settings, "MAIL_POLL_INTERVAL", 60)),
            help="seconds between polls (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0:
            raise CommandError("--interval must be positive")
        if options["once"]:
            if not self._poll(options["mailbox"]):
                raise CommandError("a mailbox could not be read (see above)")
            return
        stopped = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stopped.set())
        while not stopped.is_set():
            close_old_connections()
            self._poll(options["mailbox"])
            mail_retry_unsent()
            stopped.wait(options["interval"])

    def _poll(self, names: list[str]) -> bool:
        reports = mailboxes_poll(names=names or None)
        for report in reports:
            (self.stderr if report.error else self.stdout).write(str(report))
        return not any(report.error for report in reports)
