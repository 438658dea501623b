"""`servicedesk mail_lmtp`: an LMTP server (or SMTP with --smtp) that an MTA delivers to.

Point the MTA's transport at it, e.g. Postfix `mailbox_transport = lmtp:inet:127.0.0.1:8025`
or a transport map entry for the desk's addresses. Runs until SIGINT/SIGTERM.
"""

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from servicedesk.mail.lmtp import IntakeController


class Command(BaseCommand):
    help = "Receive mail over LMTP (or SMTP) and feed it to the intake pipeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8025, help="port (default: 8025)")
        parser.add_argument("--smtp", action="store_true", help="speak SMTP instead of LMTP")

    def handle(self, *args: Any, **options: Any) -> None:
        lmtp = not options["smtp"]
        controller = IntakeController(host=options["host"], port=options["port"], lmtp=lmtp)
        stopped = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stopped.set())
        controller.start()
        protocol = "LMTP" if lmtp else "SMTP"
        self.stdout.write(f"{protocol} intake listening on {options['host']}:{options['port']}")
        try:
            while not stopped.wait(1.0):
                pass
        finally:
            controller.stop()
