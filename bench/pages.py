"""Page times of the desk, the portal and the API over 10,000 and 100,000 tickets.

For each size in --sizes: a fresh PostgreSQL database (dropped and created) is migrated and
filled with bulk inserts through `servicedesk shell -c` (not the services: far too slow for
100,000 tickets): 5 teams of 4 agents, 40 organisations of skewed size (the largest has
about a fifth of the tickets) with 6 contacts and a contract each, 6 products in 2 groups,
and N tickets aged up to 180 days (most tickets older than a month closed) spread over the
statuses, priorities sev1-sev4 (with priority_rank), organisations, requesters, agents and
teams, with sla_due_at and two SLA clocks (first response, resolution) on every open ticket
and on a quarter of the closed ones, a "created" event and 1-3 messages each. The SQL
statements of each page are counted once (django.test.Client and CaptureQueriesContext in
`servicedesk shell`), then `servicedesk serve --workers 2` is started in its own process
group and each page is requested --warmup times, then --requests times in sequence, signed
in with a session (agent, or the CPC of the largest organisation for the portal) or with an
API token.

With --with-peer, django-helpdesk 2.6.1 then runs after our sizes, with its own scripts
(shared/peers/django-helpdesk): a throwaway database on the same PostgreSQL server
(init_db.sh, `seed.py bulk --peer-tickets`), its gunicorn with as many workers as ours
(serve.sh), and the same timing loop as ours over its dashboard, ticket list (the page,
the DataTables JSON it fetches, and both back to back) and ticket view.

Prints one figure a line, `name: value unit`; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from api_create import (
    HOST,
    GlobalTimeout,
    Server,
    figure,
    find_peer_dir,
    log,
    peer_venv,
    percentile,
    port_is_free,
    run_command,
    servicedesk_command,
)
from benchlib import PIN_VERSIONS, BenchError, Database
from benchlib import deadline as time_limit

TARGET_MS = 150  # every queue page, p95 at 100,000 tickets (the issue)
TARGET_GROWTH = 1.3  # the 100,000 figure within 1.3x the 10,000 figure
QUEUE_PAGES = ("queue", "open", "filtered", "refresh", "search")
PEER_DB_NAME = "helpdesk_peer_pages_bench"
# The first request of the peer's list page's DataTable (as its bench_pages.py): the default
# filter (open and reopened), sorted by created, the first 25 rows.
PEER_LIST_QUERY = (
    "draw=1&start=0&length=25&order%5B0%5D%5Bcolumn%5D=5&order%5B0%5D%5Bdir%5D=asc"
    "&search%5Bvalue%5D=&search%5Bregex%5D=false"
)

SEED = (
    r"""
import json, os, random, time
from datetime import date, timedelta
from django.conf import settings
from django.db import connection
from django.db.models import Exists, Min, OuterRef, Subquery
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from servicedesk.accounts.models import Contact, Organisation, StaffRole, Team, User
from servicedesk.catalog.models import Product, ProductGroup
from servicedesk.contracts.models import Contract
from servicedesk.tickets.models import (
    Message, Status, Ticket, TicketClock, TicketEvent, Visibility,
)

N = int(os.environ["BENCH_TICKETS"])
rnd = random.Random(20261203)
now = timezone.now()
started = time.perf_counter()

agents, teams = [], []
for t in range(5):
    members = [
        User.objects.create_user(
            "agent" if t == 0 and a == 0 else f"agent{t}{a}",
            f"agent{t}{a}@bench.example", None, role=StaffRole.AGENT,
            first_name=f"Agent{t}{a}", last_name="Bench",
        )
        for a in range(4)
    ]
    team = Team.objects.create(name=f"Team {t}", lead=members[0])
    team.members.set(members)
    teams.append(team)
    agents += [(m, team) for m in members]
me = agents[0][0]
token = Token.objects.create(user=me)

products = []
for g in range(2):
    group = ProductGroup.objects.create(name=f"Group {g}")
    for p in range(3):
        products.append(Product.objects.create(group=group, name=f"Product {g}.{p}",
                                               code=f"p-{g}-{p}"))

orgs = []  # (organisation, contract, [contact ids], weight)
for o in range(40):
    org = Organisation.objects.create(name=f"Organisation {o:02d}", code=f"org-{o}")
    contract = Contract.objects.create(
        organisation=org, name=f"Maintenance {o}", reference=f"C-{o}",
        service_level="severity-nl-office-hours", priority_scheme="severity-1-4",
        starts_on=date(2025, 1, 1),
    )
    contract.products.set(products)
    contacts = [
        Contact.objects.create(organisation=org, name=f"Contact {o}.{c}",
                               email=f"c{c}@org{o}.example", is_cpc=(c == 0))
        for c in range(6)
    ]
    orgs.append((org, contract, [c.pk for c in contacts], 1.0 / (o + 1)))
big = orgs[0]
cpc_user = User.objects.create_user("cpc", "c0@org0.example", None)
Contact.objects.filter(pk=big[2][0]).update(user=cpc_user)
weights = [w for *_, w in orgs]

WORDS = ("invoice run stops", "printer queue stuck", "login fails", "report too slow",
         "export to excel empty", "payroll totals wrong", "mail not sent", "VAT rounding",
         "licence expired", "backup warning", "screen freezes", "import rejects file")
OPEN_MIX = ([Status.NEW] * 15 + [Status.IN_PROGRESS] * 40 + [Status.WAITING_ON_CUSTOMER] * 15
            + [Status.WAITING_ON_SUPPLIER] * 8 + [Status.PARKED] * 4
            + [Status.SOLUTION_OFFERED] * 12 + [Status.REOPENED] * 6)
HOURS = {1: 4, 2: 8, 3: 24, 4: 72}
prefix = settings.TICKET_NUMBER_PREFIX
rows, open_flags = [], []
for i in range(N):
    org, contract, contacts, _ = rnd.choices(orgs, weights)[0]
    age = timedelta(seconds=rnd.randrange(180 * 86400))
    created = now - age
    closed = rnd.random() < (0.97 if age > timedelta(days=30) else 0.35)
    status = Status.CLOSED if closed else rnd.choice(OPEN_MIX)
    rank = rnd.choices((1, 2, 3, 4), (5, 20, 50, 25))[0]
    agent, team = rnd.choice(agents)
    assigned = status != Status.NEW or rnd.random() < 0.3
    updated = min(now, created + timedelta(minutes=rnd.randrange(1, 20 * 24 * 60)))
    due = None
    if not closed and status not in (Status.WAITING_ON_CUSTOMER, Status.PARKED,
                                     Status.SOLUTION_OFFERED):
        due = created + timedelta(hours=HOURS[rank] * (1 + rnd.random() * 4))
    product = rnd.choice(products) if rnd.random() < 0.8 else None
    words = rnd.choice(WORDS)
    rows.append(Ticket(
        number=f"{prefix}-{i + 1:06d}",
        title=f"{words[0].upper()}{words[1:]} ({i % 997})",
        description=f"Since this morning: {words}. Customer {org.code} asked us to look. " * 3,
        requester_id=rnd.choice(contacts), organisation=org, contract=contract,
        product=product, impact="medium", urgency="medium",
        priority=f"sev{rank}", priority_rank=rank, status=status,
        assignee=agent if assigned else None, team=team,
        created_at=created, updated_at=updated,
        first_response_at=created + timedelta(minutes=30) if status != Status.NEW else None,
        resolved_at=updated if closed else None, closed_at=updated if closed else None,
        sla_due_at=due, sla_next_check_at=due,
    ))
    open_flags.append(not closed)
made = Ticket.objects.bulk_create(rows, batch_size=5000)
del rows
print(f"tickets {time.perf_counter() - started:.1f} s", flush=True)

def chunks(generator, size=10000):
    batch = []
    for item in generator:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch

def messages():
    for t in made:
        for m in range(rnd.randint(1, 3)):
            staff = m % 2 == 1
            yield Message(
                ticket_id=t.pk, author_user=(t.assignee if staff else None),
                author_contact_id=None if staff else t.requester_id,
                visibility=Visibility.INTERNAL if staff and m == 1 and t.pk % 3 == 0
                else Visibility.PUBLIC,
                body=f"Message {m} on {t.number}: {t.title}. " * 4,
                created_at=t.created_at + timedelta(minutes=m * 45),
            )

for batch in chunks(messages()):
    Message.objects.bulk_create(batch)
for batch in chunks(TicketEvent(ticket_id=t.pk, at=t.created_at, action="created",
                                new_value="new") for t in made):
    TicketEvent.objects.bulk_create(batch)
print(f"messages and events {time.perf_counter() - started:.1f} s", flush=True)

def clocks():
    for t, is_open in zip(made, open_flags):
        if not is_open and t.pk % 4:
            continue
        rank = t.priority_rank
        for key, metric, hours in (("first_response", "first_response", HOURS[rank] / 4),
                                   ("resolution", "resolution", HOURS[rank] * 5)):
            due = t.created_at + timedelta(hours=hours)
            if key == "first_response" and t.first_response_at:
                state = "met"
            elif not is_open:
                state = "met"
            elif t.status in (Status.WAITING_ON_CUSTOMER, Status.PARKED, Status.SOLUTION_OFFERED):
                state = "paused"
            else:
                state = "breached" if due < now else "running"
            yield TicketClock(
                ticket_id=t.pk, key=key, metric=metric, state=state, priority=t.priority,
                target_seconds=int(hours * 3600), objective_percent=95.0,
                started_at=t.created_at, due_at=due, warn_at=due - timedelta(hours=hours / 4),
                met_at=t.first_response_at if state == "met" else None,
                breached_at=due if state == "breached" else None,
                remaining_seconds=int((due - now).total_seconds()), computed_at=now,
            )

for batch in chunks(clocks()):
    TicketClock.objects.bulk_create(batch)
# What the SLA code keeps on each ticket from its clocks, for the queues.
own = TicketClock.objects.filter(ticket=OuterRef("pk")).order_by()
Ticket.objects.update(
    sla_warn_at=Subquery(
        own.filter(state="running").values("ticket").annotate(m=Min("warn_at")).values("m")
    ),
    sla_breached=Exists(own.filter(state="breached")),
)
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
print(f"clocks, vacuum analyze {time.perf_counter() - started:.1f} s", flush=True)

mine = Ticket.objects.filter(assignee=me).exclude(status=Status.CLOSED).order_by("pk")
numbers = list(mine.values_list("number", flat=True)[:20])
sessions = {}
for name, user in (("agent", me), ("cpc", cpc_user)):
    client = Client()
    client.force_login(user)
    sessions[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
"""
    + PIN_VERSIONS
    + r"""
print("BENCH-SEED " + json.dumps({
    "token": token.key, "sessions": sessions, "cookie": settings.SESSION_COOKIE_NAME,
    "numbers": numbers, "team": teams[1].pk,
    "tickets": Ticket.objects.count(), "open": Ticket.objects.exclude(status="closed").count(),
    "mine": mine.count(), "messages": Message.objects.count(),
    "clocks": TicketClock.objects.count(),
    "big_org_tickets": Ticket.objects.filter(organisation=big[0]).count(),
    "seconds": round(time.perf_counter() - started, 1),
}))
"""
)

COUNT = r"""
import json
import os
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from servicedesk.accounts.models import User

pages = json.loads(os.environ["BENCH_PAGES"])
agent, cpc = User.objects.get(username="agent"), User.objects.get(username="cpc")
clients = {"agent": Client(), "cpc": Client(), "token": Client()}
clients["agent"].force_login(agent)
clients["cpc"].force_login(cpc)
token = Token.objects.get(user=agent).key
result = {}
for name, (who, path, headers) in pages.items():
    client = clients[who]
    if who == "token":
        headers = {**headers, "Authorization": f"Token {token}"}
    client.get(path, headers=headers)  # the first request fills caches; count the second
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    result[name] = [response.status_code, len(queries)]
print("BENCH-COUNT " + json.dumps(result))
"""


PEER_SESSION = r"""
import json, os, re
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from helpdesk.models import Ticket

client = Client()
client.force_login(get_user_model().objects.get(username="admin"))
html = client.get("/tickets/").content.decode()
found = re.search(r"/datatables_ticket_list/[^\"'?\s]+", html).group(0)
data = f"{found}?{os.environ['BENCH_LIST_QUERY']}"
listed = client.get(data).json()
ids = [row["id"] for row in listed["data"]][:20]
queries = {}
for name, path in (("dashboard", "/dashboard/"), ("list html", "/tickets/"),
                   ("list data", data), ("ticket", f"/tickets/{ids[0]}/")):
    client.get(path)  # the first request fills caches; count the second
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    queries[name] = [response.status_code, len(captured)]
print("BENCH-PEER " + json.dumps({
    "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
    "cookie": settings.SESSION_COOKIE_NAME, "data": data, "ids": ids,
    "listed": listed["recordsTotal"], "tickets": Ticket.objects.count(),
    "open": Ticket.objects.filter(status__in=(1, 2)).count(), "queries": queries,
}))
"""


def pages(seed: dict) -> dict[str, tuple[str, str, dict[str, str]]]:
    """name: (who, path, extra headers). The ticket page's path is the first of the numbers."""
    refresh = {"HX-Request": "true", "HX-Target": "queue-region", "HX-Trigger": "queue-region"}
    return {
        "queue": ("agent", "/desk/queues/mine/", {}),
        "open": ("agent", "/desk/queues/open/", {}),
        "filtered": (
            "agent",
            f"/desk/queues/open/?status=in_progress&priority=sev3&team={seed['team']}",
            {},
        ),
        "refresh": ("agent", "/desk/queues/mine/", refresh),
        "search": ("agent", "/desk/queues/all/?q=printer+queue", {}),
        "ticket": ("agent", f"/desk/tickets/{seed['numbers'][0]}/", {}),
        "portal": ("cpc", "/portal/?scope=organisation", {}),
        "api list": ("token", "/api/v1/tickets/", {"Accept": "application/json"}),
    }


def get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, int]:
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, len(response.read())
    except (OSError, http.client.HTTPException):
        conn.close()  # gunicorn's sync workers close after a response; reconnect once
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, len(response.read())


@dataclass
class Page:
    """One timed page: sample i requests `rounds[i % len(rounds)]`, whose paths are fetched
    back to back and timed as one; the first `warmup` samples are not counted."""

    rounds: list[tuple[str, ...]]
    headers: dict[str, str]
    requests: int
    warmup: int


def time_pages(
    port: int, plan: dict[str, Page], deadline: float, label: str = "", timeout: float = 60
) -> dict[str, list[float]]:
    """Sequential GETs of every page on one connection; {name: latencies in s}."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    results: dict[str, list[float]] = {}
    try:
        for name, page in plan.items():
            latencies = []
            for i in range(page.warmup + page.requests):
                if time.monotonic() > deadline:
                    raise GlobalTimeout("no time left while requesting the pages")
                paths = page.rounds[i % len(page.rounds)]
                started = time.perf_counter()
                answers = [get(conn, path, page.headers) for path in paths]
                elapsed = time.perf_counter() - started
                for path, (status, _) in zip(paths, answers, strict=True):
                    if status != 200:
                        raise BenchError(f"GET {path} ({label}{name}) answered {status}")
                if i >= page.warmup:
                    latencies.append(elapsed)
            results[name] = latencies
            size = sum(length for _, length in answers)
            log(f"{label}{name}: p95 {percentile(latencies, 95) * 1000:.0f} ms ({size} bytes)")
    finally:
        conn.close()
    return results


def time_ours(
    port: int, seed: dict, warmup: int, count: int, deadline: float
) -> dict[str, list[float]]:
    """Our pages (see `pages`), the ticket page in turn over the seeded numbers."""
    auth = {
        "agent": {"Cookie": f"{seed['cookie']}={seed['sessions']['agent']}"},
        "cpc": {"Cookie": f"{seed['cookie']}={seed['sessions']['cpc']}"},
        "token": {"Authorization": f"Token {seed['token']}"},
    }
    # desk:home redirects to the agent's queue ("mine"): check it once.
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        status, _ = get(conn, "/desk/", auth["agent"])
    finally:
        conn.close()
    if status != 302:
        raise BenchError(f"GET /desk/ answered {status}, not the redirect to the queue")
    plan = {}
    for name, (who, path, extra) in pages(seed).items():
        rounds: list[tuple[str, ...]] = [(path,)]
        if name == "ticket":
            rounds = [(f"/desk/tickets/{number}/",) for number in seed["numbers"]]
        plan[name] = Page(rounds, {**auth[who], **extra}, count, warmup)
    return time_pages(port, plan, deadline)


def run_size(args: argparse.Namespace, db: Database, size: int, deadline: float) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="servicedesk-bench-pages-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env.update(
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        DATABASE_URL=db.url,
        SERVICEDESK_DATA_DIR=str(tmp / "data"),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DEBUG="false",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        BENCH_TICKETS=str(size),
    )
    server = Server(env, tmp, args.port, args.workers)
    created_db = False
    try:
        log(f"[{size}] database {db.name}: drop and create, migrate")
        db.recreate()
        created_db = True
        run_command([servicedesk_command(), "migrate", "-v0"], env, tmp, 600, "migrate")
        log(f"[{size}] seeding (bulk inserts through servicedesk shell)")
        left = max(deadline - time.monotonic(), 10)
        out = run_command([servicedesk_command(), "shell", "-c", SEED], env, tmp, left, "seed")
        seed = json.loads(out.split("BENCH-SEED ", 1)[1].splitlines()[0])
        log(
            f"[{size}] seeded in {seed['seconds']} s: "
            f"{seed['tickets']} tickets, {seed['open']} open, {seed['mine']} the agent's, "
            f"{seed['messages']} messages, {seed['clocks']} clocks, "
            f"{seed['big_org_tickets']} of the largest organisation"
        )
        # DEBUG is off: the pages need the static files manifest (serve collects it too).
        run_command(
            [servicedesk_command(), "collectstatic", "--noinput", "-v0"], env, tmp, 300, "static"
        )
        env["BENCH_PAGES"] = json.dumps(pages(seed))
        left = max(deadline - time.monotonic(), 10)
        out = run_command([servicedesk_command(), "shell", "-c", COUNT], env, tmp, left, "count")
        counts = json.loads(out.split("BENCH-COUNT ", 1)[1].splitlines()[0])
        for name, (status, _) in counts.items():
            if status != 200:
                raise BenchError(f"counting queries: {name} answered {status}")
        log(f"[{size}] serve: {args.workers} gunicorn workers on {HOST}:{args.port}")
        server.start(deadline)
        latencies = time_ours(args.port, seed, args.warmup, args.requests, deadline)
        server.stop()
        return {"seed": seed, "counts": counts, "latencies": latencies}
    finally:
        server.stop()
        db.release(created=created_db, keep=args.keep, log=log)
        shutil.rmtree(tmp, ignore_errors=True)


def run_peer(args: argparse.Namespace, peer_dir: Path, db: Database, deadline: float) -> dict:
    """django-helpdesk at --peer-tickets tickets, timed like ours; its server stopped and its
    database dropped (unless --keep) in the end."""
    peer_db = db.sibling(PEER_DB_NAME)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}

    def left(most: float) -> float:
        return min(max(deadline - time.monotonic(), 10), most)

    venv = peer_venv(peer_dir, dict(env), left(1200))
    tmp = Path(tempfile.mkdtemp(prefix="servicedesk-bench-pages-peer-"))
    # Its settings read PG_*; its state (gunicorn pid file, media) goes to a folder of ours,
    # so that it never meets another bench's peer.
    env.update(
        PEER_DB="postgres",
        PG_HOST=HOST,
        PG_PORT=str(db.conninfo["port"]),
        PG_USER=str(db.conninfo["user"]),
        PG_DB=peer_db.name,
        PEER_WORK=str(tmp / "peer"),
        VENV=str(venv),
        HTTP_PORT=str(args.peer_port),
        WORKERS=str(args.workers),
        BENCH_LIST_QUERY=PEER_LIST_QUERY,
    )
    if "password" in db.conninfo:
        env["PGPASSWORD"] = str(db.conninfo["password"])

    def peer(script: str, what: str, *argv: str, timeout: float = 600) -> str:
        # Through env.sh, as its own scripts run: it sets the venv, PYTHONPATH and settings.
        command = ["bash", "-c", f"source ./env.sh && {script}", *argv]
        return run_command(command, env, peer_dir, left(timeout), f"peer {what}")

    created = served = False
    try:
        log(f"peer: database {peer_db.name} (init_db.sh), seed.py bulk {args.peer_tickets}")
        created = True
        peer("bash init_db.sh", "init_db.sh")
        started = time.perf_counter()
        peer('exec "$PY" seed.py bulk "$0"', "seed.py", str(args.peer_tickets), timeout=3600)
        seconds = time.perf_counter() - started
        out = peer('exec "$PY" "$HERE/peerproj/manage.py" shell -c "$0"', "session", PEER_SESSION)
        seed = json.loads(out.split("BENCH-PEER ", 1)[1].splitlines()[0])
        for name, (status, _) in seed["queries"].items():
            if status != 200:
                raise BenchError(f"peer: counting queries: {name} answered {status}")
        log(
            f"peer: seeded in {seconds:.1f} s: {seed['tickets']} tickets, {seed['open']} open "
            f"or reopened, {seed['listed']} in the list"
        )
        log(f"peer: serve.sh start: {args.workers} gunicorn workers on {HOST}:{args.peer_port}")
        served = True
        peer("bash serve.sh start", "serve.sh start", timeout=120)
        headers = {"Cookie": f"{seed['cookie']}={seed['session']}"}
        data = seed["data"]
        plan: dict[str, list[tuple[str, ...]]] = {
            "dashboard": [("/dashboard/",)],
            "list html": [("/tickets/",)],
            "list data": [(data,)],
            "list total": [("/tickets/", data)],
            "ticket": [(f"/tickets/{pk}/",) for pk in seed["ids"]],
        }
        timed = {name: Page(r, headers, args.requests, args.warmup) for name, r in plan.items()}
        if args.peer_api_requests:  # tens of seconds a request at 100,000: no warm-up
            api = {**headers, "Accept": "application/json"}
            timed["api list"] = Page([("/api/tickets/",)], api, args.peer_api_requests, 0)
        latencies = time_pages(args.peer_port, timed, deadline, "peer ", timeout=300)
        return {"seed": seed, "seconds": seconds, "latencies": latencies}
    finally:
        if served:
            with suppress(BenchError, subprocess.SubprocessError):
                run_command(["bash", "serve.sh", "stop"], env, peer_dir, 60, "peer serve.sh stop")
        peer_db.release(created=created, keep=args.keep, log=log)
        shutil.rmtree(tmp, ignore_errors=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/servicedesk_bench_pages"
    )
    parser.add_argument("--tickets", type=int, default=100_000, help="one size (default)")
    parser.add_argument("--sizes", default="", help="comma-separated sizes, e.g. 10000,100000")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="uncounted requests per page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18182)
    parser.add_argument("--keep", action="store_true", help="keep the (last) database")
    parser.add_argument("--timeout", type=int, default=3600, help="give up after this many s")
    parser.add_argument(
        "--with-peer", action="store_true", help="then django-helpdesk 2.6.1, timed the same way"
    )
    parser.add_argument("--peer-dir", type=Path, default=None, help="its scripts")
    parser.add_argument("--peer-tickets", type=int, default=100_000)
    parser.add_argument("--peer-port", type=int, default=18083)
    parser.add_argument(
        "--peer-api-requests",
        type=int,
        default=0,
        help="timed GET /api/tickets/ of the peer (~40 s each at 100,000; default 0: none)",
    )
    args = parser.parse_args(argv)
    try:
        args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()] or [args.tickets]
    except ValueError:
        parser.error("--sizes: comma-separated whole numbers")
    if min(args.size_list) < 100 or args.requests < 1 or args.warmup < 0:
        parser.error("sizes of at least 100 tickets, --requests at least 1")
    if args.peer_tickets < 100 or args.peer_api_requests < 0:
        parser.error("--peer-tickets at least 100, --peer-api-requests at least 0")
    if args.with_peer and args.peer_port == args.port:
        parser.error("--peer-port must differ from --port")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        db = Database.from_url(args.database_url)
        peer_dir = find_peer_dir(args.peer_dir) if args.with_peer else None
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for port, option in ((args.port, "--port"), (args.peer_port, "--peer-port")):
        if (option == "--port" or peer_dir) and not port_is_free(port):
            print(f"error: {HOST}:{port} is in use; pass {option}", file=sys.stderr)
            return 2
    deadline = time.monotonic() + args.timeout
    results: dict[int, dict] = {}
    failed = False
    try:
        with time_limit(args.timeout, GlobalTimeout):
            for size in args.size_list:
                results[size] = run_size(args, db, size, deadline)
                seed, counts = results[size]["seed"], results[size]["counts"]
                figure(f"[{size}] tickets", seed["tickets"])
                figure(f"[{size}] open", seed["open"])
                figure(f"[{size}] agent's open", seed["mine"])
                figure(f"[{size}] largest organisation", seed["big_org_tickets"])
                figure(f"[{size}] seed", float(seed["seconds"]), "s")
                for name, latencies in results[size]["latencies"].items():
                    figure(f"[{size}] {name} p95", percentile(latencies, 95) * 1000, "ms")
                    figure(f"[{size}] {name} median", percentile(latencies, 50) * 1000, "ms")
                for name, (_, queries) in counts.items():
                    figure(f"[{size}] {name} queries", queries)
            if peer_dir is not None:
                peer = run_peer(args, peer_dir, db, deadline)
                seed = peer["seed"]
                figure("peer tickets", seed["tickets"])
                figure("peer open", seed["open"])
                figure("peer seed", peer["seconds"], "s")
                for name, latencies in peer["latencies"].items():
                    figure(f"peer {name} p95", percentile(latencies, 95) * 1000, "ms")
                    figure(f"peer {name} median", percentile(latencies, 50) * 1000, "ms")
                for name, (_, queries) in seed["queries"].items():
                    figure(f"peer {name} queries", queries)
                figure("peer gunicorn workers", args.workers)
    except (BenchError, GlobalTimeout) as error:
        print(f"error: {error}", file=sys.stderr)
        failed = True
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    if len(results) >= 2:
        small, large = min(results), max(results)
        worst = 0.0
        for name in QUEUE_PAGES:
            a = percentile(results[small]["latencies"][name], 95)
            b = percentile(results[large]["latencies"][name], 95)
            worst = max(worst, b / a if a else 0.0)
            figure(f"{name} growth {large}/{small}", round(b / a, 2) if a else 0.0, "x")
        figure("worst queue growth", round(worst, 2), "x")
    if results:
        figure("target queue p95", TARGET_MS, "ms")
        figure("target growth", TARGET_GROWTH, "x")
    with suppress(Exception):
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
