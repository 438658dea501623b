"""Two real `servicedesk worker` processes, one killed mid-work: everything done once.

Tickets whose reminders, automatic closes and unassigned alerts fall due while two
workers run, and mail and notifications queued before they start. One worker is frozen
(SIGSTOP) at an arbitrary point of its work while it holds a claim on an outbox row
(preferably while its tick's transaction is open too), and killed there (SIGKILL); a
replacement starts. The database rolls back the tick the dead worker was in, and the
outbox's lease and requeue (shortened through the environment) bring back the row it held
and the tasks it had taken. In the end every due action is done once, with one
notification, and every mail is in the mail folder once.

One kill point is left out: between the mail server's acceptance and the stamp, the
outbox's documented window (the row is sent again, with the same Message-ID). A worker
frozen there is thawed and frozen again a moment later.

PostgreSQL only: several writers at once (SQLite has one). CI runs the suite on
PostgreSQL too.
"""

import datetime
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, StaffRole, Team
from servicedesk.automation import notify
from servicedesk.automation.models import (
    PENDING,
    ActionKind,
    ActionOutcome,
    Audience,
    Notification,
    NotificationChannel,
    Rule,
    ScheduledAction,
)
from servicedesk.mail import outbound
from servicedesk.mail.models import OutboundKind, OutboundMail
from servicedesk.outbox import services
from servicedesk.outbox.models import UNSENT
from servicedesk.tickets.models import EventAction, Status, Ticket, TicketEvent
from tests.factories import ContactFactory, StaffFactory, TeamFactory

pytestmark = [
    pytest.mark.postgresql,  # several writers at once: run by the PostgreSQL pass of CI
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REMINDERS, CLOSES, ALERTS = 60, 30, 30  # tickets with an action that falls due
QUEUED_MAILS, QUEUED_NOTIFICATIONS = 80, 20  # queued before the workers start
CHUNK = 5  # rows per task queued beforehand
WAVES, WAVE_STEP = 6, 0.5  # the actions fall due in waves, WAVE_STEP seconds apart
# The lease well above the time a live worker takes to send what it claimed at once.
LEASE_SECONDS, REQUEUE_SECONDS = 8, 3
TICK_INTERVAL = "0.5"
DEADLINE = 60.0  # seconds for each wait; the whole test takes 10-25 on two busy cores
PREFER_TICK = 5.0  # seconds to wait for a kill point inside a tick's transaction too
POLL = 0.05
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SEPARATOR = b"-" * 79 + b"\n"  # between messages in the file-based backend's files
TABLES = ("mail", "notification")  # the outbox's tables, as `held_claims` names them


def database_url(application: str) -> str:
    """Return the URL of the database this test runs in (each xdist worker has its own),
    for a client that names itself `application` (PostgreSQL's pg_stat_activity)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        user += ":" + quote(str(db["PASSWORD"]), safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    host = quote(db["HOST"] or "localhost", safe="")
    name = quote(db["NAME"], safe="")
    return (
        f"postgres://{user}{'@' if user else ''}{host}{port}/{name}?application_name={application}"
    )


@dataclass
class Worker:
    """A `servicedesk worker` process, its name in the database, and its log."""

    process: subprocess.Popen[bytes]
    name: str
    log: Path

    @property
    def claims_as(self) -> str:
        """Return how its claims begin (`outbox.tasks.worker_name`: host, process, thread)."""
        return f"{socket.gethostname()}:{self.process.pid}:"

    def alive(self) -> bool:
        return self.process.poll() is None

    def in_transaction(self) -> bool:
        """Return whether one of its connections is in a transaction that wrote or locked
        rows (its tick, doing due actions: the task runner's claims commit at once)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = %s AND backend_xid IS NOT NULL",
                [self.name],
            )
            (count,) = cursor.fetchone()
        return bool(count)


@dataclass
class Workers:
    """Starts worker processes against the test database; stops what is left at the end."""

    folder: Path
    env: dict[str, str]
    started: list[Worker] = field(default_factory=list)

    def start(self) -> Worker:
        name = f"servicedesk-worker-{len(self.started)}"
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 -- our own command, no shell
                [sys.executable, "-m", "servicedesk", "worker", "--interval", TICK_INTERVAL],
                env={**self.env, "DATABASE_URL": database_url(name)},
                cwd=self.folder,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(process, name, log)
        self.started.append(worker)
        return worker

    def stop(self) -> None:
        """SIGTERM (the current task finishes), then SIGKILL whatever still runs."""
        for worker in self.started:
            if worker.alive():
                worker.process.send_signal(signal.SIGCONT)  # in case it was left frozen
                worker.process.terminate()
        for worker in self.started:
            try:
                worker.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()

    def logs(self) -> str:
        return "\n".join(
            f"--- {w.log.name} (pid {w.process.pid}, exit {w.process.returncode}):\n"
            + w.log.read_text(errors="replace")[-3000:]
            for w in self.started
        )


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    """The folder the workers' file-based mail backend writes to."""
    folder = tmp_path / "sent"
    folder.mkdir()
    return folder


@pytest.fixture
def workers(tmp_path: Path, spool: Path) -> Iterator[Workers]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "servicedesk.settings",
        "SERVICEDESK_DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": "workers-exactly-once",
        "DEBUG": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(spool),
        "DEFAULT_FROM_EMAIL": django_settings.DEFAULT_FROM_EMAIL,
        "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "OUTBOX_REQUEUE_AFTER_SECONDS": str(REQUEUE_SECONDS),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    pool = Workers(tmp_path, env)
    try:
        yield pool
    finally:
        pool.stop()  # never leave a process connected to the test database


def sent_message_ids(spool: Path) -> Counter[str]:
    """Return the Message-ID of every mail in the folder, counted."""
    found: Counter[str] = Counter()
    for path in spool.iterdir():
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                message = email.message_from_bytes(raw, policy=email.policy.default)
                found[str(message.get("Message-ID", "")).strip()] += 1
    return found


def notification_message_id(notification: Notification) -> str:
    """Return the Message-ID the notification channel sends a notification with."""
    return str(notify._message(notification).extra_headers["Message-ID"])


def by_notification_channel() -> Q:
    """The notifications the notification channel mails (the others are handed over or
    stay on the timeline)."""
    return Q(channel=NotificationChannel.EMAIL) & ~Q(
        audience=Audience.CUSTOMER, rule__in=notify.CUSTOMER_MAIL_RULES
    )


def held_claims(worker: Worker) -> dict[str, tuple[str, int]]:
    """Return the unsent rows the worker holds a claim on, by the Message-ID they go with."""
    claimed = Q(UNSENT, claimed_at__isnull=False, claimed_by__startswith=worker.claims_as)
    held = {
        f"<{message_id}>": ("mail", pk)
        for pk, message_id in OutboundMail.objects.filter(claimed).values_list("pk", "message_id")
    }
    for notification in Notification.objects.filter(claimed).select_related("ticket"):
        held[notification_message_id(notification)] = ("notification", notification.pk)
    return held


@contextmanager
def frozen(worker: Worker) -> Iterator[None]:
    """Stop the worker (all its threads) for the block; let it run on after, if alive."""
    os.kill(worker.process.pid, signal.SIGSTOP)
    _, status = os.waitpid(worker.process.pid, os.WUNTRACED)  # once all threads stopped
    if not os.WIFSTOPPED(status):  # it had ended: the wait collected it
        worker.process.returncode = os.waitstatus_to_exitcode(status)
        raise AssertionError(f"{worker.name} ended by itself:\n{worker.log.read_text()}")
    try:
        yield
    finally:
        if worker.process.returncode is None:
            os.kill(worker.process.pid, signal.SIGCONT)


@dataclass
class Kill:
    """Who was killed, and the rows whose claims it held (by Message-ID)."""

    worker: Worker
    held: dict[str, tuple[str, int]]


def kill_while_sending(workers: Workers, spool: Path) -> Kill:
    """SIGKILL one of the workers at a moment it holds a claim on an unsent row (not after
    the mail went out); for the first PREFER_TICK seconds only while its tick's transaction
    is open too."""
    started = time.monotonic()
    while time.monotonic() < started + DEADLINE:
        for worker in workers.started:
            with frozen(worker):
                held = held_claims(worker)
                if (
                    held
                    and (worker.in_transaction() or time.monotonic() > started + PREFER_TICK)
                    and not held.keys() & sent_message_ids(spool).keys()
                ):
                    worker.process.kill()
                    worker.process.wait()
                    return Kill(worker, held)
            time.sleep(POLL)
    raise AssertionError(f"no worker held a claim: {progress()}\n{workers.logs()}")


def wait_for(what: str, done: Callable[[], bool], workers: Workers) -> None:
    deadline = time.monotonic() + DEADLINE
    while not done():
        assert time.monotonic() < deadline, (
            f"not {what} within {DEADLINE} s: {progress()}\n{workers.logs()}"
        )
        time.sleep(POLL)


def progress() -> dict[str, int]:
    """Return what is left: pending actions, unsent notifications and mail."""
    return {
        "pending actions": ScheduledAction.objects.filter(PENDING).count(),
        "unsent notifications": Notification.objects.filter(UNSENT).count(),
        "unsent mail": OutboundMail.objects.filter(UNSENT).count(),
    }


def all_done() -> bool:
    """Return whether no action is pending and no outbox row is unsent."""
    return not any(progress().values())


@dataclass
class Work:
    reminders: list[Ticket]
    closes: list[Ticket]
    alerts: list[Ticket]
    lead_email: str


def tickets(prefix: str, count: int, requester: Contact, **fields: object) -> list[Ticket]:
    at = timezone.now() - datetime.timedelta(days=30)
    return Ticket.objects.bulk_create(
        Ticket(
            number=f"{prefix}-{i:05d}",
            title=f"{prefix} {i}",
            requester=requester,
            organisation_id=requester.organisation_id,
            priority="normal",
            created_at=at,
            updated_at=at,
            **fields,
        )
        for i in range(count)
    )


def schedule(kind: ActionKind, tickets: list[Ticket], while_status: str = "") -> None:
    """Schedule the action for each ticket, due tomorrow: the waves bring it forward."""
    now = timezone.now()
    ScheduledAction.objects.bulk_create(
        ScheduledAction(
            ticket=ticket,
            kind=kind,
            while_status=while_status,
            due_at=now + datetime.timedelta(days=1),
            created_at=now - datetime.timedelta(days=21),
        )
        for ticket in tickets
    )


def queue_beforehand(work: Work, team: Team) -> None:
    """Queue mail and staff notifications in committed transactions, a task per chunk."""
    everyone = [*work.reminders, *work.closes, *work.alerts]
    for start in range(0, QUEUED_MAILS, CHUNK):
        with transaction.atomic(), outbound.mail_batch():
            for ticket in everyone[start : start + CHUNK]:
                outbound.mail_on_reminder(ticket, which=2, dedupe_key=f"queued:{ticket.pk}")
    now = timezone.now()
    for start in range(0, QUEUED_NOTIFICATIONS, CHUNK):
        with transaction.atomic():
            rows = [
                Notification(
                    ticket=ticket,
                    rule=Rule.TOP_PRIORITY_REPORTED,
                    audience=Audience.STAFF,
                    role="team_lead",
                    user_id=team.lead_id,
                    email=work.lead_email,
                    channel=NotificationChannel.EMAIL,
                    subject=f"Queued {ticket.number}",
                    body="Queued before the workers started.",
                    dedupe_key=f"queued:{ticket.pk}",
                    created_at=now,
                )
                for ticket in work.alerts[start : start + CHUNK]
            ]
            services.outbox_add(notify.NOTIFICATIONS, rows, at=now)


def desk_with_due_work() -> tuple[Work, Team]:
    requester = ContactFactory(name="Carla Klant")
    lead = StaffFactory(role=StaffRole.TEAM_LEAD, first_name="Lea", last_name="Lead")
    team = TeamFactory(lead=lead)
    waiting = {"status": Status.WAITING_ON_CUSTOMER}
    work = Work(
        reminders=tickets("REM", REMINDERS, requester, **waiting),
        closes=tickets("CLO", CLOSES, requester, **waiting),
        alerts=tickets("ALR", ALERTS, requester, team=team),
        lead_email=lead.email,
    )
    schedule(ActionKind.REMINDER_1, work.reminders, Status.WAITING_ON_CUSTOMER)
    schedule(ActionKind.AUTO_CLOSE, work.closes, Status.WAITING_ON_CUSTOMER)
    schedule(ActionKind.UNASSIGNED_ALERT, work.alerts)
    return work, team


def fall_due_in_waves() -> None:
    """Bring the actions forward: due from now on, in WAVES waves WAVE_STEP seconds apart."""
    now = timezone.now()
    ids = list(ScheduledAction.objects.order_by("?").values_list("pk", flat=True))
    for wave in range(WAVES):
        due = now + datetime.timedelta(seconds=wave * WAVE_STEP)
        ScheduledAction.objects.filter(pk__in=ids[wave::WAVES]).update(due_at=due)


def test_it_does_everything_once_when_a_worker_is_killed_mid_work(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, workers: Workers, spool: Path
) -> None:
    settings.TASKS = DB_TASKS  # queued here, run by the worker processes
    # What is queued here is looked at again after the workers' periods, not the defaults.
    monkeypatch.setattr(services, "LEASE", datetime.timedelta(seconds=LEASE_SECONDS))
    monkeypatch.setattr(services, "REQUEUE_AFTER", datetime.timedelta(seconds=REQUEUE_SECONDS))
    work, team = desk_with_due_work()
    queue_beforehand(work, team)

    workers.start(), workers.start()
    wait_for("sending", lambda: bool(sent_message_ids(spool)), workers)
    fall_due_in_waves()
    kill = kill_while_sending(workers, spool)
    assert [worker.alive() for worker in workers.started] == [
        worker is not kill.worker for worker in workers.started
    ], workers.logs()
    workers.start()  # the replacement
    wait_for("all done", all_done, workers)
    workers.stop()

    # Every due action done once: a tick killed in its transaction left nothing behind.
    actions = ScheduledAction.objects.all()
    assert actions.count() == REMINDERS + CLOSES + ALERTS
    assert set(actions.values_list("outcome", "attempts")) == {(ActionOutcome.DONE, 1)}
    # One notification each, with one timeline event; each automatic close closed once.
    caused = Notification.objects.exclude(dedupe_key__startswith="queued:")
    assert Counter(caused.values_list("rule", flat=True)) == {
        Rule.REMINDER_1: REMINDERS,
        Rule.AUTO_CLOSE: CLOSES,
        Rule.UNASSIGNED_ALERT: ALERTS,
    }
    assert set(Counter(caused.values_list("ticket_id", flat=True)).values()) == {1}
    notified = [EventAction.NOTIFIED, EventAction.NOTIFIED_STAFF]
    assert TicketEvent.objects.filter(action__in=notified).count() == caused.count()
    closes = TicketEvent.objects.filter(
        action=EventAction.STATUS_CHANGED, new_value=Status.CLOSED
    ).values_list("ticket_id", flat=True)
    assert sorted(closes) == sorted(ticket.pk for ticket in work.closes)

    # Every mail sent once: each row stamped, its Message-ID once in the folder, no other.
    mails = OutboundMail.objects.all()
    assert Counter(mails.values_list("kind", flat=True)) == {
        OutboundKind.REMINDER: REMINDERS + QUEUED_MAILS,
        OutboundKind.CLOSED: CLOSES,
    }
    alerts = Notification.objects.filter(by_notification_channel()).select_related("ticket")
    assert alerts.count() == ALERTS + QUEUED_NOTIFICATIONS
    expected = {f"<{message_id}>" for message_id in mails.values_list("message_id", flat=True)}
    expected |= {notification_message_id(notification) for notification in alerts}
    sent = sent_message_ids(spool)
    assert [message_id for message_id, count in sent.items() if count > 1] == []
    assert set(sent) == expected
    # Each sent on its first claim, but what the dead worker held: on a second claim, by
    # another worker, once its lease had run out.
    held = {table: {pk for name, pk in kill.held.values() if name == table} for table in TABLES}
    for table, rows in (("mail", mails), ("notification", alerts)):
        assert set(rows.exclude(pk__in=held[table]).values_list("attempts", flat=True)) == {1}
        for attempts, claimed_by in rows.filter(pk__in=held[table]).values_list(
            "attempts", "claimed_by"
        ):
            assert attempts == 2
            assert not claimed_by.startswith(kill.worker.claims_as)
