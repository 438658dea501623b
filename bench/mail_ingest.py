"""Mail intake: 1,000 mixed messages through `servicedesk ingest-mail` (Maildir) and LMTP.

A throwaway PostgreSQL database (dropped and created) is migrated and seeded through
`servicedesk shell -c` with bulk inserts: 6 products, `--orgs` organisations whose
`email_domains` match the senders, each with 10 contacts and a contract covering all
products (preset "severity-nl-office-hours"), `--tickets` open tickets (numbers SD-000001
on, the number sequence moved past them) and, for the first 4,000 tickets, the
confirmation the desk sent (an `OutboundMail` with a Message-ID, already sent) that
replies can name in In-Reply-To.

Two sets of `--count` messages (different Message-IDs and tickets) are generated, one
for each receiver. The mix, per 20 messages: 5 new reports from known contacts, 1 from a
new address at a known domain (the contact is created), 4 replies threaded by
"[SD-000123]" in the subject, 3 replies threaded by In-Reply-To of a Message-ID the desk
sent, 2 HTML-only new reports, 2 messages with a small attachment (a new report with a
PNG, a reply with a PDF), 1 text+HTML new report, 1 auto-reply (Auto-Submitted,
In-Reply-To of ours) and 1 duplicate Message-ID (a second copy of an earlier message).
Every new report is an incident without the structured fields, so the completeness
check moves it to "waiting on customer" and queues the list to the customer, as in
production.

1. Maildir: the first set is written to a Maildir (new/), `servicedesk ingest-mail DIR`
   runs once over it; wall time and the process's CPU (getrusage of the child) are
   measured. The start-up of the command (Django, the settings) is measured apart on an
   empty Maildir.
2. LMTP: `servicedesk mail_lmtp` is started; once it answers, the second set is sent
   through one `smtplib.LMTP` connection, one transaction per message; wall time and the
   server's CPU (from /proc, sampled before the first and after the last message).
3. Sending: `servicedesk worker --batch` with EMAIL_BACKEND=locmem sends what the intake
   queued (confirmations, completeness requests); its CPU over the mails it sent.

Then the outcomes are counted (processed / ignored / refused / quarantined; expected:
ignored = auto-replies + duplicates, refused 0, quarantined 0, and exit status 1 if
anything was quarantined, with the reasons on stderr). The database is dropped at the
end unless --keep.

With --with-peer, django-helpdesk's `get_email` then runs on 1,000 mixed messages with the
peer's own scripts (../shared/peers/django-helpdesk: init_db.sh, seed.py bulk 10000,
bench_email.py mixed), on the same PostgreSQL server in a throwaway database.

Prints one figure a line, `name: value unit`; progress goes to stderr. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import resource
import secrets
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path

from api_create import (
    CLK_TCK,
    HOST,
    REPO,
    GlobalTimeout,
    figure,
    log,
    port_is_free,
    proc_cpu,
    run_command,
    servicedesk_command,
)
from benchlib import PIN_VERSIONS, BenchError, Database
from benchlib import deadline as time_limit

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/servicedesk_bench_mail"
DESK = "support@desk.example"
CONTACTS_PER_ORG = 10
OUR_MAIL_TICKETS = 4000  # tickets with a sent confirmation whose Message-ID replies name
TARGET_RATE = 150  # msg/s, the issue's target
PEER_CPU_MS = 10.8  # django-helpdesk get_email, CPU per message (the issue)
ISSUE_RATE, ISSUE_CPU_MS = 48, 19  # ours as the issue measured it

SEED = (
    """
import json
from datetime import date, datetime, timedelta, UTC
from django.db import connection
from servicedesk.accounts.models import Contact, Organisation
from servicedesk.catalog.models import Product, ProductGroup
from servicedesk.contracts.models import Contract
from servicedesk.mail.models import OutboundMail
from servicedesk.tickets.models import Status, Ticket, TicketEvent
from servicedesk.tickets.numbering import SEQUENCE

ORGS, TICKETS, PER_ORG, WITH_MAIL = {orgs}, {tickets}, {per_org}, {with_mail}
now = datetime.now(UTC)
products = []
for g in range(2):
    group = ProductGroup.objects.create(name=f"Bench Group {{g}}")
    for p in range(3):
        products.append(Product.objects.create(
            group=group, name=f"Product {{g}}.{{p}}", code=f"bench-{{g}}-{{p}}"))
people = []
for o in range(ORGS):
    org = Organisation.objects.create(
        name=f"Bench {{o}}", code=f"bench-{{o}}", email_domains=f"org{{o}}.example")
    contract = Contract.objects.create(
        organisation=org, name=f"Maintenance {{o}}", reference=f"BENCH-{{o}}",
        service_level="severity-nl-office-hours", priority_scheme="severity-1-4",
        starts_on=date(2026, 1, 1))
    contract.products.set(products)
    contacts = Contact.objects.bulk_create([
        Contact(organisation=org, name=f"Contact {{o}}.{{c}}",
                email=f"contact{{c}}@org{{o}}.example")
        for c in range(PER_ORG)
    ])
    people += [(org.pk, contract.pk, contact.pk, contact.email) for contact in contacts]
statuses = [Status.NEW, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER]
rows = []
for i in range(TICKETS):
    org, contract, contact, _email = people[i % len(people)]
    created = now - timedelta(minutes=60 + (i * 7919) % (30 * 24 * 60))
    rows.append(Ticket(
        number=f"SD-{{i + 1:06d}}", title=f"Bench ticket {{i}}", requester_id=contact,
        organisation_id=org, contract_id=contract, product=products[i % len(products)],
        priority=f"sev{{1 + i % 4}}", priority_rank=1 + i % 4, status=statuses[i % 4],
        created_at=created, updated_at=created))
made = Ticket.objects.bulk_create(rows, batch_size=5000)
TicketEvent.objects.bulk_create(
    (TicketEvent(ticket_id=t.pk, at=t.created_at, action="created", new_value="new") for t in made),
    batch_size=5000)
with connection.cursor() as cursor:
    cursor.execute("SELECT setval(%s, %s)", [SEQUENCE, TICKETS])
sent = []
for i, t in enumerate(made[:WITH_MAIL]):
    sent.append(OutboundMail(
        ticket_id=t.pk, kind="ticket_created", to=people[i % len(people)][3], language="en",
        subject=f"[{{t.number}}] {{t.title}}", body_text="Thank you.", body_html="",
        message_id=f"bench-sent-{{i}}@desk.example", sent_at=t.created_at, attempts=1,
        dedupe_key=f"bench-sent-{{i}}", created_at=t.created_at))
OutboundMail.objects.bulk_create(sent, batch_size=5000)
with connection.cursor() as cursor:  # no autovacuum nor checkpoint during the runs
    cursor.execute("VACUUM ANALYZE")
    cursor.execute("CHECKPOINT")
"""
    + PIN_VERSIONS
    + """
print("BENCH-SEED " + json.dumps({{
    "contacts": [p[3] for p in people], "tickets": len(made), "sent": len(sent),
}}))
"""
)

COUNTS = """
import json
from django.db.models import Count
from servicedesk.mail.models import InboundMail, OutboundMail
rows = {}
mails = InboundMail.objects.exclude(message_id__contains="warmup.example")
pairs = mails.values_list("source", "status").annotate(n=Count("pk"))
for source, status, n in pairs:
    rows.setdefault(source, {})[status] = n
how = {}
for source, reason in mails.values_list("source", "reason"):
    if reason.startswith("reply to"):
        key = "reply by " + reason.split("(by ", 1)[1].split(")", 1)[0]
    else:
        key = reason.split(" ", 1)[0].split(":", 1)[0]
    how.setdefault(source, {}).setdefault(key, 0)
    how[source][key] += 1
reasons = list(InboundMail.objects.filter(status="quarantined").values_list("pk", "reason")[:20])
refused = list(InboundMail.objects.filter(status="refused").values_list("pk", "reason")[:5])
ours = OutboundMail.objects.exclude(dedupe_key__startswith="bench-sent-")
kinds = dict(ours.values_list("kind").annotate(n=Count("pk")))
print("BENCH-COUNTS " + json.dumps({"by": rows, "how": how,
    "quarantined": reasons, "refused": refused,
    "kinds": kinds, "unsent": ours.filter(sent_at__isnull=True).count(),
    "sent": ours.filter(sent_at__isnull=False).count()}))
"""

# Per 20 messages (see the module docstring).
MIX = (
    ["new"] * 5
    + ["new-unknown", "subject", "subject", "subject", "subject"]
    + ["in-reply-to"] * 3
    + ["html", "html", "attach-new", "attach-reply", "alternative", "auto-reply", "duplicate"]
)
BODY = (
    "Hello,\n\nSince this morning the {what} does not work: users get an error when they "
    "open it.\nWe restarted the application, without result.\n\nKind regards,\n{name}\n"
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + bytes(1500)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 2000 + b"\n%%EOF\n"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class PostgresCpu:
    """CPU seconds of the whole PostgreSQL server on 127.0.0.1: the postmaster, its live
    children and the children it reaped (backends that ended, e.g. LMTP's per-message
    connections). Includes other databases' work and autovacuum: a quiet server is assumed."""

    def __init__(self, db: Database) -> None:
        self.pid = 0
        with suppress(Exception), db.connect() as conn:
            row = conn.execute("SHOW data_directory").fetchone()
            pidfile = Path(row[0]) / "postmaster.pid"
            self.pid = int(pidfile.read_text().split()[0])
            proc_cpu(self.pid)

    def __bool__(self) -> bool:
        return self.pid > 0

    def read(self) -> float:
        if not self.pid:
            return 0.0
        total = 0.0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(entry) == self.pid:
                total += sum(int(x) for x in fields[11:15]) / CLK_TCK
            elif int(fields[1]) == self.pid:
                total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        return total


# --------------------------------------------------------------------------- the messages


def make_messages(
    count: int, run: str, contacts: list[str], first_ticket: int, tickets: int
) -> tuple[list[tuple[str, bytes]], dict[str, int]]:
    """Return `count` (sender, raw bytes) and how many of each kind.

    Replies go to tickets first_ticket, first_ticket + 7, ... (their requester writes);
    In-Reply-To replies and auto-replies name our Message-ID of such a ticket (< 4,000).
    """
    people = len(contacts)
    out: list[tuple[str, bytes]] = []
    kinds: dict[str, int] = {}
    now = datetime.now(UTC)
    for i in range(count):
        kind = MIX[i % len(MIX)]
        kinds[kind] = kinds.get(kind, 0) + 1
        if kind == "duplicate":
            out.append(out[i - 19])  # the same message delivered twice (a "new" one)
            continue
        ticket = (first_ticket + i * 7) % tickets  # 0-based index of a seeded ticket
        if kind in ("in-reply-to", "auto-reply"):
            ticket = (first_ticket + i * 3) % OUR_MAIL_TICKETS
        number = f"SD-{ticket + 1:06d}"
        if kind in ("subject", "in-reply-to", "auto-reply", "attach-reply"):
            sender = contacts[ticket % people]  # the ticket's requester
        elif kind == "new-unknown":
            sender = f"new-{run}-{i}@org{i % (people // CONTACTS_PER_ORG)}.example"
        else:
            sender = contacts[(i * 13 + len(run)) % people]
        name = sender.split("@")[0].replace(".", " ").title()
        msg = EmailMessage()
        msg["From"] = f"{name} <{sender}>"
        msg["To"] = DESK
        msg["Date"] = format_datetime(now - timedelta(seconds=count - i))
        msg["Message-ID"] = f"<{run}-{i}.{secrets.token_hex(4)}@mail.{sender.split('@')[1]}>"
        what = f"report module {i % 37}"
        text = BODY.format(what=what, name=name)
        if kind in ("subject", "attach-reply"):
            msg["Subject"] = f"Re: [{number}] Bench ticket {ticket}"
            text = f"Thank you, it works again.\n\n{name}\n\n> Earlier text\n> quoted\n"
        elif kind in ("in-reply-to", "auto-reply"):
            msg["Subject"] = f"Re: Bench ticket {ticket}"
            msg["In-Reply-To"] = f"<bench-sent-{ticket}@desk.example>"
            msg["References"] = f"<bench-sent-{ticket}@desk.example>"
            text = f"Here is the screenshot you asked for... no, it is still broken.\n\n{name}\n"
            if kind == "auto-reply":
                del msg["Subject"]
                msg["Subject"] = f"Automatic reply: Bench ticket {ticket}"
                msg["Auto-Submitted"] = "auto-replied"
                text = "I am out of the office until Monday.\n"
        else:
            msg["Subject"] = f"The {what} fails ({run} {i})"
        if kind == "html":
            html = f"<html><body><p>Hello,</p><p>The <b>{what}</b> fails.</p><p>{name}</p>"
            msg.set_content(html + "</body></html>", subtype="html")
        elif kind == "alternative":
            msg.set_content(text)
            msg.add_alternative(f"<html><body><pre>{text}</pre></body></html>", subtype="html")
        else:
            msg.set_content(text)
        if kind == "attach-new":
            msg.add_attachment(PNG, maintype="image", subtype="png", filename="screenshot.png")
        elif kind == "attach-reply":
            msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="log.pdf")
        out.append((sender, msg.as_bytes()))
    return out, kinds


def write_maildir(path: Path, messages: list[tuple[str, bytes]]) -> None:
    folder = mailbox.Maildir(path, create=True)
    for _sender, raw in messages:
        folder.add(raw)


# --------------------------------------------------------------------------- the runs


def run_maildir(
    env: dict[str, str],
    tmp: Path,
    messages: list[tuple[str, bytes]],
    pg: PostgresCpu,
    profile: Path | None = None,
) -> dict:
    empty = tmp / "empty"
    mailbox.Maildir(empty, create=True)
    cpu = children_cpu()
    started = time.perf_counter()
    run_command([servicedesk_command(), "ingest-mail", str(empty)], env, tmp, 120, "startup")
    startup = time.perf_counter() - started
    startup_cpu = children_cpu() - cpu
    maildir = tmp / "Maildir"
    write_maildir(maildir, messages)
    log(f"ingest-mail: {len(messages)} messages from {maildir}")
    cpu = children_cpu()
    db_cpu = pg.read()
    started = time.perf_counter()
    command = [servicedesk_command(), "ingest-mail", str(maildir)]
    if profile:
        command[:1] = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "servicedesk"]
    out = run_command(command, env, tmp, 1200, "ingest")
    seconds = time.perf_counter() - started
    cpu = children_cpu() - cpu
    db_cpu = pg.read() - db_cpu
    lines = [line for line in out.splitlines() if "inbound mail #" in line]
    return {
        "seconds": seconds,
        "cpu": cpu,
        "startup": startup,
        "startup_cpu": startup_cpu,
        "lines": len(lines),
        "db_cpu": db_cpu,
    }


def run_lmtp(
    env: dict[str, str],
    tmp: Path,
    port: int,
    messages: list[tuple[str, bytes]],
    deadline: float,
    pg: PostgresCpu,
) -> dict:
    log_path = tmp / "lmtp.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(
            [servicedesk_command(), "mail_lmtp", "--host", HOST, "--port", str(port)],
            env=env,
            cwd=tmp,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while True:
            if proc.poll() is not None:
                raise BenchError(f"mail_lmtp exited: {log_path.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise BenchError("mail_lmtp did not start")
            with suppress(OSError), socket.create_connection((HOST, port), timeout=1):
                break
            time.sleep(0.2)
        client = smtplib.LMTP(HOST, port)
        # Warm-up: one message the desk ignores (an auto-reply from nobody we know).
        warm = EmailMessage()
        warm["From"] = "robot@warmup.example"
        warm["To"] = DESK
        warm["Subject"] = "Out of office"
        warm["Message-ID"] = "<warmup@warmup.example>"
        warm["Auto-Submitted"] = "auto-replied"
        warm.set_content("Away.\n")
        client.sendmail("robot@warmup.example", [DESK], warm.as_bytes(policy=SMTP))
        log(f"lmtp: {len(messages)} messages to {HOST}:{port}")
        errors: list[str] = []
        # On the wire lines end in CRLF (smtplib sends bytes as they are).
        wire = [
            (sender, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            for sender, raw in messages
        ]
        cpu = proc_cpu(proc.pid)
        db_cpu = pg.read()
        started = time.perf_counter()
        for sender, raw in wire:
            try:
                client.sendmail(sender, [DESK], raw)
            except smtplib.SMTPException as error:
                errors.append(str(error))
        seconds = time.perf_counter() - started
        cpu = proc_cpu(proc.pid) - cpu
        db_cpu = pg.read() - db_cpu
        with suppress(smtplib.SMTPException, OSError):
            client.quit()
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return {"seconds": seconds, "cpu": cpu, "errors": errors, "db_cpu": db_cpu}


def run_worker(env: dict[str, str], tmp: Path) -> dict:
    worker_env = {**env, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    cpu = children_cpu()
    started = time.perf_counter()
    run_command(
        [servicedesk_command(), "worker", "--batch", "-v0"], worker_env, tmp, 1200, "worker"
    )
    return {"seconds": time.perf_counter() - started, "cpu": children_cpu() - cpu}


def counts(env: dict[str, str], tmp: Path) -> dict:
    out = run_command([servicedesk_command(), "shell", "-c", COUNTS], env, tmp, 120, "count")
    return json.loads(out.split("BENCH-COUNTS ", 1)[1].splitlines()[0])


def run_peer(peer_dir: Path, db: Database, tmp: Path, count: int, pg: PostgresCpu) -> dict:
    """django-helpdesk's `get_email` on 1,000 mixed messages from a local mail dir, with
    its own scripts (init_db.sh, seed.py bulk 10000, bench_email.py mixed N), on this
    PostgreSQL server in a throwaway database."""
    # The peer's setup.sh installs it under ${TMPDIR:-/tmp}/peers/django-helpdesk/venv.
    default = Path(tempfile.gettempdir()) / "peers" / "django-helpdesk" / "venv"
    venv = Path(os.environ.get("PEER_VENV", str(default)))
    if not (venv / "bin" / "python").exists():
        raise BenchError(f"no peer venv at {venv}: run {peer_dir}/setup.sh (or set PEER_VENV)")
    peer_db = Database.from_url(db.url.rsplit("/", 1)[0] + "/helpdesk_peer_mail_bench")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env.update(
        PEER_DB="postgres",
        PG_HOST=HOST,
        PG_PORT=str(db.conninfo["port"]),
        PG_USER=str(db.conninfo["user"]),
        PG_DB=peer_db.name,
        PEER_WORK=str(tmp / "peer"),
        VENV=str(venv),
    )
    script = 'source env.sh && bash init_db.sh >/dev/null && "$PY" seed.py bulk 10000 >/dev/null'
    try:
        log("peer: init_db.sh, seed.py bulk 10000")
        run_command(["bash", "-c", script], env, peer_dir, 900, "peer seed")
        log(f"peer: bench_email.py mixed {count}")
        db_cpu = pg.read()
        out = run_command(
            ["bash", "-c", f'source env.sh && "$PY" bench_email.py mixed {count}'],
            env,
            peer_dir,
            900,
            "peer bench_email.py",
        )
        db_cpu = pg.read() - db_cpu
    finally:
        with suppress(BenchError):
            peer_db.drop()
    result = json.loads(out.strip().splitlines()[-1])
    result["db_cpu"] = db_cpu
    return result


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--count", type=int, default=1000, help="messages per receiver")
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--port", type=int, default=18025, help="LMTP port")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--with-peer", action="store_true", help="also django-helpdesk get_email")
    parser.add_argument(
        "--profile", type=Path, metavar="PATH", help="cProfile the Maildir ingest into PATH"
    )
    parser.add_argument(
        "--peer-dir", type=Path, default=REPO.parent / "shared" / "peers" / "django-helpdesk"
    )
    args = parser.parse_args(argv)
    if args.tickets < OUR_MAIL_TICKETS:
        parser.error(f"--tickets must be at least {OUR_MAIL_TICKETS}")
    if args.count < 20:
        parser.error("--count must be at least 20")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.with_peer and not (args.peer_dir / "bench_email.py").exists():
        print(f"error: no django-helpdesk scripts in {args.peer_dir}", file=sys.stderr)
        return 2
    try:
        db = Database.from_url(args.database_url)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not port_is_free(args.port):
        print(f"error: {HOST}:{args.port} is in use; pass --port", file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.timeout
    tmp = Path(tempfile.mkdtemp(prefix="servicedesk-bench-mail-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env.update(
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        DATABASE_URL=db.url,
        SERVICEDESK_DATA_DIR=str(tmp / "data"),
        SECRET_KEY=secrets.token_urlsafe(50),
        MAIL_REPLY_SECRET=secrets.token_urlsafe(30),
        DEFAULT_FROM_EMAIL=DESK,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="false",
    )
    env.setdefault("LOG_LEVEL", "WARNING")
    created_db = False
    failed = False
    try:
        with time_limit(args.timeout, GlobalTimeout):
            log(f"database {db.name}: drop and create")
            db.recreate()
            created_db = True
            log("migrate")
            run_command([servicedesk_command(), "migrate", "-v0"], env, tmp, 600, "migrate")
            log(f"seed: {args.orgs} organisations, {args.tickets} tickets")
            started = time.perf_counter()
            seed_code = SEED.format(
                orgs=args.orgs,
                tickets=args.tickets,
                per_org=CONTACTS_PER_ORG,
                with_mail=OUR_MAIL_TICKETS,
            )
            out = run_command(
                [servicedesk_command(), "shell", "-c", seed_code], env, tmp, 600, "seed"
            )
            seed = json.loads(out.split("BENCH-SEED ", 1)[1].splitlines()[0])
            log(f"seeded in {time.perf_counter() - started:.1f} s: {seed['tickets']} tickets")
            contacts = seed["contacts"]
            maildir_msgs, kinds = make_messages(args.count, "md", contacts, 0, args.tickets)
            lmtp_msgs, _ = make_messages(args.count, "lmtp", contacts, 1, args.tickets)

            pg = PostgresCpu(db)
            if not pg:
                log("PostgreSQL's postmaster.pid is not readable: no db cpu figures")
            md = run_maildir(env, tmp, maildir_msgs, pg, args.profile)
            lm = run_lmtp(env, tmp, args.port, lmtp_msgs, deadline, pg)
            before = counts(env, tmp)
            log(f"worker --batch: sending {before['unsent']} queued mails (locmem backend)")
            wk = run_worker(env, tmp)
            after = counts(env, tmp)

            n = args.count
            figure("messages", n, "per receiver")
            figure("tickets before", args.tickets)
            figure("ingest", n / md["seconds"], "msg/s")
            figure("ingest excl. start-up", n / (md["seconds"] - md["startup"]), "msg/s")
            figure("ingest lmtp", n / lm["seconds"], "msg/s")
            figure("ingest cpu per message", md["cpu"] / n * 1000, "ms")
            figure(
                "ingest cpu per message excl. start-up",
                (md["cpu"] - md["startup_cpu"]) / n * 1000,
                "ms",
            )
            figure("ingest lmtp cpu per message", lm["cpu"] / n * 1000, "ms")
            figure("ingest start-up", md["startup"], "s")
            if pg:
                figure("ingest db cpu per message", md["db_cpu"] / n * 1000, "ms")
                figure("ingest lmtp db cpu per message", lm["db_cpu"] / n * 1000, "ms")
            sent = after["sent"]
            figure("sent", sent, "mails")
            figure("send cpu per message", wk["cpu"] / max(sent, 1) * 1000, "ms")
            figure("send", sent / wk["seconds"], "mails/s")
            figure("lmtp errors", len(lm["errors"]))
            if lm["errors"]:
                log(f"first LMTP error: {lm['errors'][0]}")
                failed = True
            for source, label in (("maildir", "maildir"), ("lmtp", "lmtp")):
                statuses = after["by"].get(source, {})
                for status in ("processed", "ignored", "refused", "quarantined"):
                    figure(f"{label} {status}", statuses.get(status, 0))
            for source in ("maildir", "lmtp"):
                for key, number in sorted(after["how"].get(source, {}).items()):
                    figure(f"{source} outcome {key}", number)
            figure("expected ignored", kinds["auto-reply"] + kinds["duplicate"], "per receiver")
            figure("queued not sent after worker", after["unsent"])
            for kind, number in sorted(after["kinds"].items()):
                figure(f"outbound {kind}", number)
            for pk, reason in after["refused"]:
                log(f"refused #{pk}: {reason}")
            if after["quarantined"]:
                failed = True
                log("QUARANTINED (should be 0):")
                for pk, reason in after["quarantined"]:
                    log(f"  #{pk}: {reason}")
            figure("target", TARGET_RATE, "msg/s")
            figure("peer cpu per message (issue)", PEER_CPU_MS, "ms")
            figure("ours in the issue", ISSUE_RATE, f"msg/s, {ISSUE_CPU_MS} ms cpu")
            if args.with_peer:
                peer = run_peer(args.peer_dir, db, tmp, n, pg)
                figure("peer ingest", float(peer["msgs_per_s"]), "msg/s")
                figure(
                    "peer ingest excl. start-up", float(peer["msgs_per_s_excl_startup"]), "msg/s"
                )
                figure("peer cpu per message", peer["command_cpu_s"] / peer["n"] * 1000, "ms")
                if pg:
                    figure("peer db cpu per message", peer["db_cpu"] / peer["n"] * 1000, "ms")
                figure("peer new tickets", int(peer["new_tickets"]))
                figure("peer follow-ups", int(peer["new_followups"]))
                if peer.get("rc") or peer.get("left_in_dir"):
                    log(f"peer get_email: rc {peer.get('rc')}, {peer.get('left_in_dir')} left")
                    failed = True
    except (BenchError, GlobalTimeout) as error:
        print(f"error: {error}", file=sys.stderr)
        failed = True
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    finally:
        db.release(created=created_db, keep=args.keep, log=log)
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
