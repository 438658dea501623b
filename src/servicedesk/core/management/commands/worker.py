"""`servicedesk worker`: run background work: queued tasks and the scheduler tick.

The tick (time-based rules, SLA clocks, the outbox's unsent rows; see `automation.tick`)
runs in a thread every `--interval` seconds; the main thread runs the django-tasks-db
worker, which processes queued tasks (the outbox's sending) and handles SIGINT/SIGTERM.
A tick interrupted by the shutdown is rolled back by the database and done by the next
one.

Any number of workers may run against one PostgreSQL database: ticks claim tickets with
SELECT ... FOR UPDATE SKIP LOCKED and tasks are claimed the same way.
"""

import logging
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

from servicedesk.automation.tick import TickReport, tick
from servicedesk.outbox.tasks import worker_name

logger = logging.getLogger("servicedesk.automation")


def uses_database_queue() -> bool:
    """Return whether tasks are queued in the database (so this process must run them)."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def run_tick() -> TickReport | None:
    """Run one tick in this thread, with a fresh connection; log and swallow failures."""
    close_old_connections()
    try:
        return tick(worker=worker_name())
    except Exception:
        logger.exception("tick failed; the next one retries")
        return None
    finally:
        connection.close()


class TickLoop(threading.Thread):
    """Runs a tick at start and then every `interval` seconds until stopped."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="servicedesk-tick", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            run_tick()
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()


class Command(BaseCommand):
    help = (
        "Run background work: queued tasks, and every minute a tick that applies the "
        "time-based rules (reminders, automatic close, alerts, SLA checks)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="run one tick, then the queued tasks, then stop (for cron and tests)",
        )
        parser.add_argument(
            "--batch", action="store_true", help="process what is queued, then stop (no tick)"
        )
        parser.add_argument(
            "--no-tick", action="store_true", help="process tasks only; another worker ticks"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=60.0,
            help="seconds between ticks (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0:
            raise CommandError("--interval must be positive")
        database_queue = uses_database_queue()
        if options["batch"]:
            if database_queue:
                self._tasks(batch=True, verbosity=options["verbosity"])
            return
        if options["once"]:
            report = tick(worker=worker_name())
            self.stdout.write(f"tick: {report}")
            if database_queue:
                self._tasks(batch=True, verbosity=options["verbosity"])
            return
        loop = None if options["no_tick"] else TickLoop(options["interval"])
        if loop is not None:
            loop.start()
        try:
            if database_queue:
                self._tasks(batch=False, verbosity=options["verbosity"])
            elif loop is not None:
                loop.join()  # tasks run elsewhere (another backend): only tick here
        finally:
            if loop is not None:
                loop.stop()

    def _tasks(self, *, batch: bool, verbosity: int) -> None:
        call_command(
            "db_worker", batch=batch, reload=False, startup_delay=not batch, verbosity=verbosity
        )
