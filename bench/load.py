"""Sustained mixed load: agents, customers, API clients and mail against serve + worker.

A fresh PostgreSQL database (dropped and created) is migrated and filled with pages.py's
seed (`--tickets`, default 100,000, bulk inserts), then made ready for the load: agents and
portal customers get a password, the ticket number sequence is moved past the seeded
tickets, the SLA warnings and breaches already passed are marked recorded (as on a desk
that has been running), and `--actions` tickets of an organisation nobody in the load
touches get one scheduled action each (reminders, automatic closes, unassigned alerts)
that falls due during the run.

Then, on 127.0.0.1 only: two `servicedesk serve` (gunicorn) on two ports, three
`servicedesk worker --interval 5` and one `servicedesk mail_lmtp`, all on the one database
(`--single`: one server and one worker). Mail goes to Django's file backend in a temporary
folder, so what every process sent can be counted afterwards. Locust (headless,
bench/load_locustfile.py) signs its users in during `--login-time`, then runs `--rate`
requests a second for `--warmup` + `--duration` seconds (only the duration is measured),
the users spread over the servers; one worker is SIGKILLed a third of the way into the
measured time and started again. After the load the bench waits until the
scheduled actions are done and the outbox is empty (`--drain`), then checks: every mail
the LMTP server accepted is a ticket or a ticket message; every watched action was done
exactly once with its notification; every mail the desk stored was sent exactly once.

Prints one figure a line, `name: value unit`; progress goes to stderr. Exit status 1 on any
error, lost mail, action done twice or not at all, or mail sent twice or not at all.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from api_create import (
    HOST,
    BackendMeter,
    GlobalTimeout,
    Server,
    children,
    figure,
    log,
    machine_busy,
    percentile,
    port_is_free,
    proc_cpu,
    run_command,
    servicedesk_command,
)
from benchlib import PIN_VERSIONS, BenchError, Database, proc_memory
from benchlib import deadline as time_limit
from pages import SEED as PAGES_SEED

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/servicedesk_bench_load"
LOCUSTFILE = Path(__file__).resolve().parent / "load_locustfile.py"
TARGET_P99_MS = 800
TARGET_RSS_MB = 150
LEASE_S = 600  # outbox.services.LEASE: a claim held by a killed worker is retried after this

# What the users do, in tasks a second at a total of 30 requests a second (scaled to
# --rate), with the requests each task makes. Agents: 14 requests/s, customers 8, API
# clients 5.5, mail 2.5. A new ticket every 0.3 s (portal 0.75/s, API 1.5/s, mail 1.25/s).
REFERENCE_RATE = 30.0
MIX: dict[str, dict[str, tuple[float, int]]] = {
    "agent": {
        "queue_mine": (2.0, 1),
        "queue_open": (1.0, 1),
        "queue_filtered": (0.5, 1),
        "queue_refresh": (2.5, 1),  # the queue page's hx-trigger="every 30s"
        "search": (0.25, 1),
        "ticket": (4.75, 1),
        "reply": (1.0, 2),  # the ticket page, then the reply
        "status": (0.5, 2),  # the ticket page, then the status change
    },
    "customer": {
        "tickets": (2.0, 1),
        "ticket": (2.0, 1),
        "report": (0.75, 2),  # the form, then the report
        "reply": (1.25, 2),  # the ticket, then the reply
    },
    "api": {"list": (2.5, 1), "detail": (1.5, 1), "create": (1.5, 1)},
    "mail": {"new_report": (1.25, 1), "reply": (1.25, 1)},
}
# Tasks a second one user of each kind runs: an agent clicks every 1.7 s, a customer every
# 2.5 s; an integration and an MTA are faster. Sets how many users (and sign-ins) there are.
PACE = {"agent": 0.6, "customer": 0.4, "api": 1.0, "mail": 1.25}

LOAD_SEED = r"""
# bench/load.py, after pages.py's seed in the same shell: uses its names (N, rnd, now,
# agents, teams, orgs, products, made, prefix, ...).
from django.contrib.auth.hashers import make_password
from django.db.models import F
from servicedesk.automation.models import ScheduledAction
from servicedesk.tickets.numbering import SEQUENCE

started = time.perf_counter()
hashed = make_password(os.environ["BENCH_PASSWORD"])  # one hash: signing in costs as usual
agent_names = [user.username for user, _team in agents]
User.objects.filter(username__in=agent_names).update(password=hashed)
customers = []
for o in range(1, min(int(os.environ["BENCH_CUSTOMERS"]), len(orgs) - 1) + 1):
    contact = Contact.objects.get(pk=orgs[o][2][1])
    user = User.objects.create_user(f"customer{o}", contact.email, None)
    Contact.objects.filter(pk=contact.pk).update(user=user)
    customers.append(user.username)
User.objects.filter(username__in=customers).update(password=hashed)

# A desk that has been running has looked at every clock whose warning or due time passed.
TicketClock.objects.filter(state="breached", breach_recorded_at__isnull=True).update(
    breach_recorded_at=F("breached_at"))
TicketClock.objects.filter(warn_at__lte=now, warning_recorded_at__isnull=True).update(
    warning_recorded_at=F("warn_at"))
Ticket.objects.filter(sla_next_check_at__lte=now).update(sla_next_check_at=None)

# The watched tickets: an organisation no user of the load works for, an agent who is away.
K = int(os.environ["BENCH_ACTIONS"])
quiet = Organisation.objects.create(name="Organisation quiet", code="org-quiet")
qcontract = Contract.objects.create(
    organisation=quiet, name="Maintenance quiet", reference="C-quiet",
    service_level="severity-nl-office-hours", priority_scheme="severity-1-4",
    starts_on=date(2025, 1, 1),
)
qcontract.products.set(products)
qcontacts = [
    Contact.objects.create(organisation=quiet, name=f"Quiet {c}", email=f"q{c}@quiet.example")
    for c in range(10)
]
away = User.objects.create_user("agent-away", "agent-away@bench.example", None,
                                role=StaffRole.AGENT, first_name="Away", last_name="Bench")
teams[0].members.add(away)
KINDS = (["reminder_1"] * 8 + ["reminder_2"] * 5 + ["auto_close"] * 3
         + ["unassigned_alert"] * 4)  # per 20
rows = []
for j in range(K):
    alert = KINDS[j % 20] == "unassigned_alert"
    rows.append(Ticket(
        number=f"{prefix}-{N + j + 1:06d}", title=f"Waiting for the customer's answer ({j})",
        description="The customer was asked for the log files. " * 3,
        requester=qcontacts[j % 10], organisation=quiet, contract=qcontract,
        product=products[j % len(products)], impact="medium", urgency="medium",
        priority="sev3", priority_rank=3,
        status=Status.NEW if alert else Status.WAITING_ON_CUSTOMER,
        assignee=None if alert else away, team=teams[0],
        created_at=now - timedelta(days=20), updated_at=now - timedelta(days=15),
        first_response_at=None if alert else now - timedelta(days=19, hours=20),
    ))
qmade = Ticket.objects.bulk_create(rows)
TicketEvent.objects.bulk_create(
    TicketEvent(ticket_id=t.pk, at=t.created_at, action="created", new_value="new")
    for t in qmade)
with connection.cursor() as cursor:
    cursor.execute("SELECT setval(%s, %s)", [SEQUENCE, N + K])
later = now + timedelta(days=2)  # load.py sets the watched ones due when the load starts
done = {"done_at": now - timedelta(days=8), "outcome": "done", "attempts": 1}
actions = []
def add(ticket, kind, due, **state):
    actions.append(ScheduledAction(
        ticket_id=ticket.pk, kind=kind, due_at=due, created_at=now - timedelta(days=15),
        while_status="" if kind == "unassigned_alert" else ticket.status, **state))
for j, t in enumerate(qmade):
    kind = KINDS[j % 20]
    if kind == "unassigned_alert":
        add(t, kind, later)
    elif kind == "reminder_1":
        add(t, "reminder_1", later)
        add(t, "reminder_2", later + timedelta(days=7))
        add(t, "auto_close", later + timedelta(days=14))
    elif kind == "reminder_2":
        add(t, "reminder_1", now - timedelta(days=8), **done)
        add(t, "reminder_2", later)
        add(t, "auto_close", later + timedelta(days=7))
    else:
        add(t, "reminder_1", now - timedelta(days=8), **done)
        add(t, "reminder_2", now - timedelta(days=1),
            **{**done, "done_at": now - timedelta(days=1)})
        add(t, "auto_close", later)
ScheduledAction.objects.bulk_create(actions)
watched = list(ScheduledAction.objects.filter(ticket__in=qmade, due_at=later)
               .order_by("pk").values_list("pk", flat=True))

# Mail: new reports from the contacts of every organisation, replies from the requesters of
# open tickets, in turn (the locustfile takes them in this order), so that no sender comes
# near MAIL_RATE_LIMIT_PER_HOUR (30): a refused mail would count as lost.
emails = dict(Contact.objects.values_list("pk", "email"))
senders = [emails[pk] for c in range(2, 6) for _org, _contract, contacts, _w in orgs
           for pk in contacts[c:c + 1]]
by_requester = {}
for t in made:
    if t.status != Status.CLOSED:
        by_requester.setdefault(t.requester_id, []).append(t.number)
mail_tickets = [(numbers[i], emails[pk]) for i in range(8)
                for pk, numbers in sorted(by_requester.items()) if i < len(numbers)]
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
    cursor.execute("CHECKPOINT")
print("BENCH-LOAD " + json.dumps({
    "agents": agent_names, "customers": customers, "watched": watched,
    "senders": senders, "mail_tickets": mail_tickets,
    "contacts": [pk for _o, _c, contacts, _w in orgs for pk in contacts[2:]],
    "products": [p.pk for p in products],
    "seconds": round(time.perf_counter() - started, 1),
}))
"""

ARM = r"""
import json, os
from datetime import timedelta
from django.utils import timezone
from servicedesk.automation.models import ScheduledAction

ids = json.loads(os.environ["BENCH_WATCHED"])
first, span = float(os.environ["BENCH_ARM_FIRST"]), float(os.environ["BENCH_ARM_SPAN"])
now = timezone.now()
for i, pk in enumerate(ids):
    due = now + timedelta(seconds=first + span * i / max(len(ids) - 1, 1))
    ScheduledAction.objects.filter(pk=pk).update(due_at=due)
print("BENCH-ARMED", len(ids))
"""

DRAIN = r"""
import json, os, sys, time
from django.utils import timezone
from servicedesk.automation.models import PENDING, Notification, ScheduledAction
from servicedesk.mail.models import OutboundMail
from servicedesk.outbox.models import UNSENT

ids = json.loads(os.environ["BENCH_WATCHED"])
limit = time.monotonic() + float(os.environ["BENCH_DRAIN"])
while True:
    left = {
        "actions": ScheduledAction.objects.filter(
            PENDING, pk__in=ids, due_at__lte=timezone.now()).count(),
        "mails": OutboundMail.objects.filter(UNSENT).count(),
        "notifications": Notification.objects.filter(UNSENT).count(),
    }
    if not any(left.values()) or time.monotonic() > limit:
        break
    time.sleep(3)
print("BENCH-DRAIN " + json.dumps(left))
"""

CHECK = r"""
import json, os, re
from collections import Counter
from pathlib import Path
from django.db.models import Count
from servicedesk.automation.models import Notification, NotificationChannel, ScheduledAction
from servicedesk.automation.notify import _message, by_mail_channel
from servicedesk.mail.models import InboundMail, OutboundMail
from servicedesk.tickets.models import TicketEvent

out = {}
# Every mail the LMTP server accepted: a new ticket or a message on one.
lines = Path(os.environ["BENCH_ACCEPTED"]).read_text().splitlines()
accepted = [json.loads(line) for line in lines if line]
stored = {}
for mid, status, ticket, message in InboundMail.objects.filter(
        message_id__in=[mid for mid, _sender in accepted]).values_list(
        "message_id", "status", "ticket_id", "ticket_message_id"):
    if status == "processed" and (ticket or message):
        stored[mid] = True
    else:
        stored.setdefault(mid, False)
lost = [mid for mid, _sender in accepted if not stored.get(mid)]
out["accepted"] = len(accepted)
out["lost"] = len(lost)
out["lost_examples"] = [
    list(row) for row in InboundMail.objects.filter(message_id__in=lost[:5]).values_list(
        "message_id", "status", "reason")] or lost[:5]
out["inbound"] = dict(InboundMail.objects.values_list("status").annotate(n=Count("pk")))

# The watched scheduled actions: done once, with a notification each, nothing twice.
twice, not_done, notes, outcomes = [], [], Counter(), Counter()
for action in ScheduledAction.objects.filter(pk__in=json.loads(os.environ["BENCH_WATCHED"])):
    n = Notification.objects.filter(ticket_id=action.ticket_id, rule=action.kind).count()
    events = TicketEvent.objects.filter(
        ticket_id=action.ticket_id, action__in=("notified", "notified_staff"),
        field=action.kind).count()
    closes = TicketEvent.objects.filter(
        ticket_id=action.ticket_id, action="status_changed", new_value="closed").count()
    notes[n] += 1
    outcomes[action.outcome or ("cancelled" if action.cancelled_at else "pending")] += 1
    if action.done_at is None or action.outcome != "done" or n == 0:
        not_done.append([action.pk, action.kind, action.outcome, n, action.last_error[:200]])
    if (action.attempts > 1 and not action.last_error) or events > n or closes > 1:
        twice.append([action.pk, action.kind, action.attempts, n, events, closes])
out["twice"], out["not_done"] = twice, not_done
out["notifications_per_action"] = dict(notes)
out["outcomes"] = dict(outcomes)

# Every mail the desk stored, sent once: the outbound mails, and the staff notifications
# the outbox sends itself (customer notices go out as outbound mails).
sent = Counter()
pattern = re.compile(rb"^Message-ID:[ \t]*<([^>\s]+)>", re.M | re.I)
for path in Path(os.environ["BENCH_MAIL_DIR"]).iterdir():
    sent.update(m.group(1).decode() for m in pattern.finditer(path.read_bytes()))
expected = set(OutboundMail.objects.values_list("message_id", flat=True))
for note in Notification.objects.filter(channel=NotificationChannel.EMAIL).select_related("ticket"):
    if not by_mail_channel(note.rule, note.audience, note.channel):
        expected.add(_message(note).extra_headers["Message-ID"].strip("<>"))
out["mails_expected"] = len(expected)
out["mails_sent"] = sum(sent.values())
out["sent_twice"] = sorted(mid for mid, n in sent.items() if n > 1)
out["not_sent"] = sorted(expected - set(sent))
out["unknown"] = sorted(set(sent) - expected)[:20]
out["given_up"] = (OutboundMail.objects.filter(failed_at__isnull=False).count()
                   + Notification.objects.filter(failed_at__isnull=False).count())
out["outbound_kinds"] = dict(OutboundMail.objects.values_list("kind").annotate(n=Count("pk")))
print("BENCH-CHECK " + json.dumps(out))
"""

SETTINGS = """\
# Written by bench/load.py: the desk's settings, with mail to files that every process
# writes, so that what was sent can be counted afterwards.
import os

from servicedesk.settings import *  # noqa: F403
from servicedesk.settings import MAILERS

MAILERS["default"]["OPTIONS"] = {"file_path": os.environ["BENCH_MAIL_DIR"]}
"""


def marker(out: str, name: str) -> dict:
    """Return the JSON a shell script printed after `name `."""
    try:
        return json.loads(out.split(f"{name} ", 1)[1].splitlines()[0])
    except (IndexError, json.JSONDecodeError):
        raise BenchError(f"no {name} line in the output:\n{out[-2000:]}") from None


# --------------------------------------------------------------------------- processes


class Daemon:
    """A long-running command in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.name, self.args, self.env, self.cwd = name, args, env, cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = cwd / f"{name}.log"
        self.cpu_done = 0.0  # CPU of earlier lives of this daemon (before a kill)
        self.cpu_last = 0.0  # CPU of this life when last read

    def start(self) -> None:
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(
                self.args,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc is not None else 0

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def cpu(self) -> float:
        """CPU seconds of this daemon over all its lives (of a life that ended: when it
        was last asked)."""
        if self.alive():
            self.cpu_last = proc_cpu(self.pid)
        return self.cpu_done + self.cpu_last

    def kill(self) -> None:
        """SIGKILL, as a crash would: no clean-up, no rollback but the database's own."""
        if self.proc is None:
            return
        self.cpu_done += self.cpu()
        self.cpu_last = 0.0
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def wait_for_port(daemon: Daemon, port: int, deadline: float) -> None:
    limit = min(deadline, time.monotonic() + 60)
    while time.monotonic() < limit:
        if not daemon.alive():
            raise BenchError(f"{daemon.name} exited:\n{daemon.log_tail()}")
        with suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.2)
    raise BenchError(f"{daemon.name} does not listen on {HOST}:{port}")


def gunicorn_workers(server: Server) -> list[int]:
    return children(server.proc.pid) if server.proc is not None else []


# --------------------------------------------------------------------------- the plan


def user_plan(rate: float) -> dict[str, dict]:
    """Per kind of user: how many, tasks a second each, and the weight of each task."""
    scale = rate / REFERENCE_RATE
    plan = {}
    for kind, tasks in MIX.items():
        task_rate = sum(r for r, _ in tasks.values()) * scale
        count = max(1, math.ceil(task_rate / PACE[kind]))
        plan[kind] = {
            "count": count,
            "pace": task_rate / count,
            "weights": {name: max(1, round(r * 20)) for name, (r, _) in tasks.items()},
        }
    return plan


def requests_per_second(rate: float) -> float:
    scale = rate / REFERENCE_RATE
    return sum(r * n for tasks in MIX.values() for r, n in tasks.values()) * scale


@dataclass
class Desk:
    """The processes of one run: servers, workers, the LMTP server and Locust."""

    servers: list[Server]
    workers: list[Daemon]
    lmtp: Daemon
    locust: Daemon

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far, by part."""
        return {
            "server": sum(s.cpu() for s in self.servers),
            "worker": sum(w.cpu() for w in self.workers),
            "lmtp": self.lmtp.cpu(),
            "locust": self.locust.cpu(),
        }

    def memory(self) -> dict[str, list[tuple[float, float]]]:
        """(resident, peak) MiB of every gunicorn worker, every worker, the LMTP server."""
        return {
            "server": [proc_memory(pid) for s in self.servers for pid in gunicorn_workers(s)],
            "worker": [proc_memory(w.pid) for w in self.workers],
            "lmtp": [proc_memory(self.lmtp.pid)],
        }

    def stop(self) -> None:
        self.locust.stop()
        for daemon in [*self.workers, self.lmtp]:
            daemon.stop()
        for server in self.servers:
            server.stop()


@dataclass
class Measured:
    """What the load phase measured (CPU over the measured part, after the warm-up)."""

    started_wall: float = 0.0  # when Locust started (time.time())
    warmup: float = 0.0  # seconds after that when the measurement began (sign-in, warm-up)
    seconds: float = 0.0  # measured seconds
    cpu: dict[str, float] = field(default_factory=dict)
    db_cpu: float = 0.0
    busy_cores: float = 0.0
    killed_at: float | None = None  # seconds after the start, and time.monotonic() then
    killed_monotonic: float = 0.0
    ended_monotonic: float = 0.0
    memory: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


def run_load(
    args: argparse.Namespace,
    desk: Desk,
    plan: dict,
    tmp: Path,
    backends: BackendMeter,
    deadline: float,
) -> Measured:
    """Run Locust to its end; meter the part after the warm-up; kill and restart a worker.

    The users sign in during the first --login-time seconds and start their tasks together
    at the plan's `start_at`; the first --warmup seconds of the load are not measured."""
    result = Measured()
    plan["start_at"] = time.time() + args.login_time
    (tmp / "plan.json").write_text(json.dumps(plan))
    desk.locust.env["BENCH_LOAD_PLAN"] = str(tmp / "plan.json")
    desk.locust.start()
    started = time.monotonic()
    result.started_wall = plan["start_at"] - args.login_time
    unmeasured = args.login_time + args.warmup
    kill_at = unmeasured + args.duration / 3 if len(desk.workers) > 1 else None
    cpu0: dict[str, float] = {}
    busy0 = (0.0, 0.0)
    while desk.locust.alive():
        if time.monotonic() > deadline:
            raise GlobalTimeout("the load ran past --timeout")
        elapsed = time.monotonic() - started
        if not cpu0 and elapsed >= unmeasured:
            cpu0, busy0, result.warmup = desk.cpu(), machine_busy(), elapsed
            backends.start()
            log("warm-up over: measuring")
        if kill_at is not None and result.killed_at is None and elapsed >= kill_at:
            victim = desk.workers[1]
            log(f"SIGKILL {victim.name} (pid {victim.pid}) at {elapsed:.0f} s, then restart")
            victim.kill()
            result.killed_at, result.killed_monotonic = elapsed, time.monotonic()
            time.sleep(2)
            victim.start()
        desk.locust.cpu()  # its last reading counts once it has exited
        for daemon in [desk.lmtp, *desk.workers]:
            if not daemon.alive():
                raise BenchError(f"{daemon.name} exited:\n{daemon.log_tail()}")
        time.sleep(0.5)
    result.ended_monotonic = time.monotonic()
    code = desk.locust.proc.returncode if desk.locust.proc is not None else None
    if code not in (0, 1):  # 1: some requests failed, which the figures say
        raise BenchError(f"locust failed ({code}):\n{desk.locust.log_tail()}")
    if not cpu0:
        raise BenchError("the load ended before the warm-up was over")
    result.seconds = result.ended_monotonic - started - result.warmup
    result.cpu = {k: v - cpu0[k] for k, v in desk.cpu().items()}
    result.db_cpu = backends.stop()
    busy1 = machine_busy()
    share = (busy1[0] - busy0[0]) / max(busy1[1] - busy0[1], 1e-9)
    result.busy_cores = share * (os.cpu_count() or 1)
    result.memory = desk.memory()  # at the end of the load, before anything is stopped
    return result


def locust_args(args: argparse.Namespace, users: int, tmp: Path) -> list[str]:
    return [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(max(1, math.ceil(users / 15))),  # all users signed in within about 15 s
        "-t",
        f"{args.login_time + args.warmup + args.duration}s",
        "--stop-timeout",
        "30",
        "--csv",
        str(tmp / "locust"),  # Locust's own summary, kept with --keep
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]


def read_records(path: Path) -> list[list]:
    """The requests the locustfile recorded: [start, name, ms, ok, reason]."""
    rows = []
    with suppress(FileNotFoundError), open(path) as f:
        for line in f:
            with suppress(json.JSONDecodeError):
                rows.append(json.loads(line))
    return rows


def report(
    args: argparse.Namespace,
    desk: Desk,
    seed: dict,
    watched: list[int],
    measured: Measured,
    records: list[list],
    check: dict,
    drain_seconds: float,
) -> bool:
    """Print the figures (stdout) and what went wrong (stderr); return whether it failed."""
    begin = measured.started_wall + measured.warmup
    window = [r for r in records if r[0] >= begin]
    latencies = [r[2] for r in window]
    errors = [r for r in records if not r[3]]
    users = sum(p["count"] for p in user_plan(args.rate).values())
    memory = measured.memory
    figure("tickets", seed["tickets"])
    figure("servers", len(desk.servers))
    figure("gunicorn workers per server", args.workers)
    figure("workers", len(desk.workers))
    figure("users", users)
    figure("target rate", round(requests_per_second(args.rate), 1), "requests/s")
    figure("load rate", len(window) / max(measured.seconds, 1e-9), "requests/s")
    figure("load requests", len(window))
    for p in (50, 95, 99):
        figure(f"load p{p}", round(percentile(latencies, p)), "ms")
    figure("errors", len(errors))
    figure("mails accepted", check["accepted"])
    figure("mails lost", check["lost"])
    figure("worker rss", round(max(r for r, _ in memory["worker"])), "MB")
    figure("server rss", round(max(r for r, _ in memory["server"])), "MB")
    figure("server rss peak", round(max(peak for _, peak in memory["server"])), "MB")
    figure("lmtp rss", round(memory["lmtp"][0][0]), "MB")
    figure("watched actions", len(watched))
    figure("done twice", len(check["twice"]))
    figure("not done", len(check["not_done"]))
    figure("mails sent", check["mails_sent"])
    figure("mails sent twice", len(check["sent_twice"]))
    figure("mails not sent", len(check["not_sent"]))
    if measured.killed_at is not None:
        figure("worker killed at", round(measured.killed_at), "s")
    figure("drain", round(drain_seconds), "s")
    n = max(len(window), 1)
    figure("server cpu per request", measured.cpu["server"] / n * 1000, "ms")
    figure("db cpu per request", measured.db_cpu / n * 1000, "ms")
    for part in ("worker", "lmtp", "locust"):
        figure(f"{part} cpu", round(measured.cpu[part] / measured.seconds, 2), "cores")
    ours = (sum(measured.cpu.values()) + measured.db_cpu) / measured.seconds
    figure("machine busy", round(measured.busy_cores, 2), "cores")
    figure("other load", round(max(measured.busy_cores - ours, 0.0), 2), "cores")
    figure("target p99", TARGET_P99_MS, "ms")
    figure("target server rss", TARGET_RSS_MB, "MB")

    by_name: dict[str, list[list]] = {}
    for row in window:
        by_name.setdefault(row[1], []).append(row)
    for name in sorted(by_name):
        ms = [r[2] for r in by_name[name]]
        bad = sum(1 for r in by_name[name] if not r[3])
        print(
            f"endpoint {name}: {len(ms)} requests, p50 {percentile(ms, 50):.0f} ms, "
            f"p95 {percentile(ms, 95):.0f} ms, p99 {percentile(ms, 99):.0f} ms, "
            f"max {max(ms):.0f} ms, {bad} errors",
            flush=True,
        )

    reasons: dict[str, int] = {}
    for row in errors:
        key = f"{row[1]}: {row[4]}"[:240]
        reasons[key] = reasons.get(key, 0) + 1
    for key, count in sorted(reasons.items(), key=lambda kv: -kv[1])[:10]:
        log(f"error x{count}: {key}")
    for name, rows in (
        ("lost mail", check["lost_examples"] if check["lost"] else []),
        ("done twice", check["twice"][:5]),
        ("not done", check["not_done"][:5]),
        ("sent twice", check["sent_twice"][:5]),
        ("not sent", check["not_sent"][:5]),
        ("unknown mail", check["unknown"][:5]),
    ):
        for row in rows:
            log(f"{name}: {row}")
    log(
        f"actions: outcomes {check['outcomes']}, notifications per action "
        f"{check['notifications_per_action']}; inbound {check['inbound']}; "
        f"outbound {check['outbound_kinds']}; given up {check['given_up']}"
    )
    return bool(
        errors
        or check["lost"]
        or check["twice"]
        or check["not_done"]
        or check["sent_twice"]
        or check["not_sent"]
    )


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=30.0, help="requests a second (30)")
    parser.add_argument("--duration", type=int, default=600, help="measured seconds (600)")
    parser.add_argument(
        "--login-time",
        type=int,
        default=60,
        help="seconds for the users to sign in before the load starts (60)",
    )
    parser.add_argument(
        "--warmup", type=int, default=30, help="seconds of load first, not measured (30)"
    )
    parser.add_argument("--single", action="store_true", help="one server and one worker, no kill")
    parser.add_argument("--ports", default="18281,18282", help="the servers' ports")
    parser.add_argument("--lmtp-port", type=int, default=18291)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--task-workers", type=int, default=3, help="servicedesk workers (3)")
    parser.add_argument("--interval", type=float, default=5.0, help="their tick interval (5 s)")
    parser.add_argument("--actions", type=int, default=200, help="watched scheduled actions")
    parser.add_argument(
        "--drain",
        type=int,
        default=None,
        help="at most this many s after the load for the outbox to empty (default: until a "
        "claim the killed worker held has expired, at least 120 s)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    parser.add_argument("--timeout", type=int, default=3600, help="give up after this many s")
    args = parser.parse_args(argv)
    try:
        args.port_list = [int(p) for p in args.ports.split(",") if p.strip()]
    except ValueError:
        parser.error("--ports: comma-separated port numbers")
    if args.single:
        args.port_list, args.task_workers = args.port_list[:1], 1
    if len(args.port_list) < 1 or args.task_workers < 1 or args.workers < 1:
        parser.error("at least one port, one worker and one gunicorn worker")
    if (
        args.tickets < 1000
        or args.rate <= 0
        or args.duration < 10
        or min(args.warmup, args.login_time) < 0
    ):
        parser.error("--tickets at least 1000, --duration at least 10 s, --rate above 0")
    if not 1 <= args.actions <= 5000:
        parser.error("--actions between 1 and 5000")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        db = Database.from_url(args.database_url)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not (Path(sys.executable).parent / "locust").exists():
        print("error: no `locust`: pip install -e '.[bench]' into .venv", file=sys.stderr)
        return 2
    for port in [*args.port_list, args.lmtp_port]:
        if not port_is_free(port):
            print(f"error: {HOST}:{port} is in use; pass --ports / --lmtp-port", file=sys.stderr)
            return 2

    deadline = time.monotonic() + args.timeout
    tmp = Path(tempfile.mkdtemp(prefix="servicedesk-bench-load-"))
    (tmp / "load_settings.py").write_text(SETTINGS)
    mail_dir = tmp / "sent"
    mail_dir.mkdir()
    plan_users = user_plan(args.rate)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTHON"))}
    env.update(
        DJANGO_SETTINGS_MODULE="load_settings",
        PYTHONPATH=str(tmp),
        DATABASE_URL=db.url,
        SERVICEDESK_DATA_DIR=str(tmp / "data"),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="false",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        BENCH_MAIL_DIR=str(mail_dir),
        BENCH_TICKETS=str(args.tickets),
        BENCH_ACTIONS=str(args.actions),
        BENCH_CUSTOMERS=str(plan_users["customer"]["count"]),
        BENCH_PASSWORD=secrets.token_urlsafe(12),
    )
    cmd = servicedesk_command()
    # The bench collects the static files once, before the servers start, so that two
    # servers do not collect into the same folder at once.
    servers = [
        Server(env, tmp, port, args.workers, extra_args=("--no-collectstatic",), start_timeout=300)
        for port in args.port_list
    ]
    for server in servers:
        server.log_path = tmp / f"server-{server.port}.log"
    desk = Desk(
        servers=servers,
        workers=[
            Daemon(f"worker-{i + 1}", [cmd, "worker", "--interval", f"{args.interval:g}"], env, tmp)
            for i in range(args.task_workers)
        ],
        lmtp=Daemon(
            "lmtp", [cmd, "mail_lmtp", "--host", HOST, "--port", str(args.lmtp_port)], env, tmp
        ),
        locust=Daemon("locust", [], {**env, "PYTHONPATH": str(LOCUSTFILE.parent)}, tmp),
    )
    backends: BackendMeter | None = None
    created_db = False
    failed = False
    try:
        with time_limit(args.timeout, GlobalTimeout):
            log(f"database {db.name}: drop and create, migrate")
            db.recreate()
            created_db = True
            run_command([cmd, "migrate", "-v0"], env, tmp, 600, "migrate")
            log(f"seeding {args.tickets} tickets (pages.py's seed, then the load's)")
            left = max(deadline - time.monotonic(), 10)
            code = PAGES_SEED + LOAD_SEED + PIN_VERSIONS
            out = run_command([cmd, "shell", "-c", code], env, tmp, left, "seed")
            seed, load_seed = marker(out, "BENCH-SEED"), marker(out, "BENCH-LOAD")
            watched = load_seed["watched"]
            log(
                f"seeded in {seed['seconds'] + load_seed['seconds']:.0f} s: {seed['tickets']} "
                f"tickets, {seed['open']} open; {len(watched)} watched actions"
            )
            log("collectstatic (once, for all servers)")
            run_command([cmd, "collectstatic", "--noinput", "-v0"], env, tmp, 900, "static")
            for server in servers:
                log(f"serve: {args.workers} gunicorn workers on {HOST}:{server.port}")
                server.start(deadline)
            desk.lmtp.start()
            wait_for_port(desk.lmtp, args.lmtp_port, deadline)
            for worker in desk.workers:
                worker.start()
            log(f"{len(desk.workers)} worker(s), a tick every {args.interval:g} s; LMTP")

            # The watched actions fall due from 15 s into the measured time to 80 % of it.
            env_watch = {**env, "BENCH_WATCHED": json.dumps(watched)}
            env_arm = {
                **env_watch,
                "BENCH_ARM_FIRST": str(args.login_time + args.warmup + 15),
                "BENCH_ARM_SPAN": str(max(args.duration * 0.8 - 15, 1)),
            }
            run_command([cmd, "shell", "-c", ARM], env_arm, tmp, 120, "arm")

            plan = {
                "hosts": [f"http://{HOST}:{s.port}" for s in servers],
                "lmtp_host": HOST,
                "lmtp_port": args.lmtp_port,
                "password": env["BENCH_PASSWORD"],
                "token": seed["token"],
                "team": seed["team"],
                "agent_numbers": seed["numbers"] or ["SD-000001"],
                "users": plan_users,
                "record": str(tmp / "requests.jsonl"),
                "accepted": str(tmp / "accepted.jsonl"),
                **{
                    key: load_seed[key]
                    for key in ("agents", "customers", "senders", "mail_tickets", "contacts")
                },
                "products": load_seed["products"],
            }
            users = sum(p["count"] for p in plan_users.values())
            desk.locust.args = locust_args(args, users, tmp)
            log(
                f"locust: {users} users ("
                + ", ".join(f"{k} {p['count']}" for k, p in plan_users.items())
                + f") signing in for {args.login_time} s, then "
                f"{requests_per_second(args.rate):.1f} requests/s for {args.warmup} + "
                f"{args.duration} s over {len(servers)} server(s)"
            )
            backends = BackendMeter(db)
            measured = run_load(args, desk, plan, tmp, backends, deadline)

            drain = args.drain
            if drain is None:
                drain = 120
                if measured.killed_at is not None:  # a claim the killed worker held: retried
                    lease_over = measured.killed_monotonic + LEASE_S + 3 * args.interval + 30
                    drain = max(drain, math.ceil(lease_over - measured.ended_monotonic))
            log(f"load over; waiting up to {drain} s for the actions and the outbox")
            drain_started = time.monotonic()
            env_drain = {**env_watch, "BENCH_DRAIN": str(drain)}
            out = run_command([cmd, "shell", "-c", DRAIN], env_drain, tmp, drain + 120, "drain")
            drain_seconds = time.monotonic() - drain_started
            log(f"drained in {drain_seconds:.0f} s; left: {marker(out, 'BENCH-DRAIN')}")
            env_check = {**env_watch, "BENCH_ACCEPTED": plan["accepted"]}
            out = run_command([cmd, "shell", "-c", CHECK], env_check, tmp, 600, "check")
            check = marker(out, "BENCH-CHECK")
            records = read_records(Path(plan["record"]))
            failed = report(args, desk, seed, watched, measured, records, check, drain_seconds)
    except (BenchError, GlobalTimeout) as error:
        print(f"error: {error}", file=sys.stderr)
        failed = True
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the clean-up leaves nothing
        if backends is not None:
            with suppress(Exception):
                backends.close()
        desk.stop()
        if created_db and not args.keep:
            try:
                db.drop()
            except Exception as error:  # the figures are out; say why the drop failed
                log(f"could not drop database {db.name}: {error}")
        if args.keep:
            log(f"kept database {db.name} and the logs in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
