"""Ticket creation through the REST API: 1 and 4 concurrent clients against `servicedesk serve`.

Sets up a fresh PostgreSQL database (dropped and created), migrates it, seeds an agent with an
API token, products, and organisations with contacts and a contract each (SLA presets), starts
`servicedesk serve` (gunicorn) on 127.0.0.1 only, warms it up, then times `--count` times
`POST /api/v1/tickets/` with one client and again with four concurrent clients. With
--with-peer it then measures django-helpdesk's REST create with 4 clients in the same run
(scripts in shared/peers/django-helpdesk). See bench/README.md.

Prints one figure a line, `name: value unit`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import BenchError, Database
from benchlib import deadline as time_limit

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TICKETS_PATH = "/api/v1/tickets/"
TARGET_C4 = 200  # tickets/s, from the issue
BASELINE_C4 = 80  # django-helpdesk's REST API, 4 clients, PostgreSQL, quiet machine (the issue)
CLK_TCK = os.sysconf("SC_CLK_TCK")

SEED = """
import json
from rest_framework.authtoken.models import Token
from servicedesk.accounts.models import Contact, Organisation, User
from servicedesk.catalog.models import Product, ProductGroup
from servicedesk.contracts.models import Contract


try:  # the SLA presets give the valid service levels and priority schemes
    from servicedesk.sla.presets import PRESETS
except ImportError:
    PRESETS = {}

agent = User.objects.create_user("bench-agent", "bench-agent@example.com", None, role="agent")
token = Token.objects.create(user=agent)
products = []
for g in range(2):
    group = ProductGroup.objects.create(name=f"Bench Group {g}")
    for p in range(3):
        product = Product.objects.create(
            group=group, name=f"Product {g}.{p}", code=f"bench-{g}-{p}"
        )
        products.append(product)
wanted = ["impact-urgency-nl-office-hours", "four-levels-nl-office-hours", "saas-high-medium-low"]
levels = [PRESETS[key] for key in wanted if key in PRESETS] or list(PRESETS.values())
contacts, contracts = [], 0
for o in range(3):
    org = Organisation.objects.create(name=f"Bench Organisation {o}", code=f"bench-org-{o}")
    for c in range(4):
        contact = Contact.objects.create(
            organisation=org, name=f"Contact {o}.{c}", email=f"contact{o}.{c}@bench{o}.example.com"
        )
        contacts.append(contact.pk)
    if levels:  # each organisation a contract covering all products, under its own preset
        preset = levels[o % len(levels)]
        contract = Contract.objects.create(
            organisation=org,
            name=f"Maintenance {o}",
            reference=f"BENCH-{o}",
            service_level=preset.key,
            priority_scheme=preset.scheme.key,
        )
        contract.products.set(products)
        contracts += 1
print("BENCH-SEED " + json.dumps({
    "token": token.key,
    "contacts": contacts,
    "products": [p.pk for p in products],
    "contracts": contracts,
}))
"""


class GlobalTimeout(Exception):
    """The whole benchmark ran longer than --timeout."""


def log(message: str) -> None:
    """Progress on stderr, so that stdout carries only the figures."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def figure(name: str, value: float | int, unit: str = "") -> None:
    text = f"{value:.1f}" if isinstance(value, float) else str(value)
    print(f"{name}: {text}{' ' + unit if unit else ''}", flush=True)


# --------------------------------------------------------------------------- /proc accounting


def _stat_fields(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def proc_cpu(pid: int, *, reaped_children: bool = False) -> float:
    """CPU seconds (user + system) of one process; 0 when it is gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:  # children that already exited (e.g. a restarted gunicorn worker)
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLK_TCK


def children(pid: int) -> list[int]:
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None and int(fields[1]) == pid:
                kids.append(int(entry))
    return kids


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds over all cores since boot."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLK_TCK, sum(values) / CLK_TCK


# --------------------------------------------------------------------------- database


class BackendMeter:
    """CPU of the PostgreSQL backends that serve the bench database (from /proc).

    Django recycles its connections (CONN_MAX_AGE, 60 s by default), so a backend may exit
    in the middle of a run and take its CPU figure with it. A light thread therefore samples
    the backends every `interval` seconds; what a backend spent after its last sample is lost.
    """

    def __init__(self, db: Database, interval: float = 0.5) -> None:
        self.conn = db.connect(db.name)
        self.dbname = db.name
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}

    def _sample(self) -> dict[int, float]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.dbname],
        ).fetchall()
        return {pid: proc_cpu(pid) for (pid,) in rows}

    def _record(self) -> None:
        for pid, cpu in self._sample().items():
            if cpu > 0:  # 0: the backend exited between the query and the /proc read
                self._first.setdefault(pid, 0.0)  # born during the run: all its CPU counts
                self._last[pid] = cpu

    def start(self) -> None:
        self._first = {pid: cpu for pid, cpu in self._sample().items() if cpu > 0}
        self._last = dict(self._first)
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(self.interval):
                self._record()

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        """Stop sampling; return the CPU seconds the backends used since start()."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self._record()
        return sum(cpu - self._first.get(pid, 0.0) for pid, cpu in self._last.items())

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self.conn.close()


# --------------------------------------------------------------------------- server


def servicedesk_command() -> str:
    for candidate in (Path(sys.executable).parent / "servicedesk", REPO / ".venv/bin/servicedesk"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("servicedesk")
    if found is None:
        raise BenchError("no `servicedesk` command: install the project into .venv first")
    return found


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def run_command(args: list[str], env: dict[str, str], cwd: Path, timeout: float, what: str) -> str:
    try:
        result = subprocess.run(
            args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what}: no result after {timeout:.0f} s") from None
    if result.returncode != 0:
        raise BenchError(f"{what} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result.stdout


class Server:
    """`servicedesk serve` in its own process group; stopped by its own pid/group only."""

    def __init__(
        self,
        env: dict[str, str],
        cwd: Path,
        port: int,
        workers: int,
        *,
        extra_args: tuple[str, ...] = (),
        start_timeout: float = 120,
    ) -> None:
        self.env, self.cwd, self.port, self.workers = env, cwd, port, workers
        self.extra_args, self.start_timeout = extra_args, start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = cwd / "server.log"

    def start(self, deadline: float) -> None:
        args = [servicedesk_command(), "serve", "--host", HOST, "--port", str(self.port)]
        args += ["--workers", str(self.workers), *self.extra_args]
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                args,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        limit = min(deadline, time.monotonic() + self.start_timeout)
        while time.monotonic() < limit:
            if self.proc.poll() is not None:
                raise BenchError(f"server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                status, _ = request(self.port, "GET", "/health", timeout=2)
            except OSError:
                status = 0
            if status == 200:
                return
            time.sleep(0.2)
        raise BenchError(f"server did not answer /health with 200 in time:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def cpu(self) -> float:
        """CPU seconds of the gunicorn master, its workers and workers that already exited."""
        if self.proc is None:
            return 0.0
        master = self.proc.pid
        return proc_cpu(master, reaped_children=True) + sum(proc_cpu(p) for p in children(master))

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is the master's pid
        with suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            self.proc.wait(timeout=5)


# --------------------------------------------------------------------------- client


def request(
    port: int, method: str, path: str, body: bytes | None = None, timeout: float = 30
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body, {"Content-Type": "application/json"} if body else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def make_bodies(count: int, start: int, contacts: list[int], products: list[int]) -> list[bytes]:
    """Request bodies, encoded before the clock starts: complete incident reports (every field
    `tickets.completeness` requires), so no ticket takes the incomplete-report path."""
    bodies = []
    for i in range(start, start + count):
        bodies.append(
            json.dumps(
                {
                    "requester": contacts[i % len(contacts)],
                    "title": f"Invoice run stops at customer {i}",
                    "kind": "incident",
                    "product": products[i % len(products)] if i % 5 else None,
                    "impact": ("low", "medium", "high")[i % 3],
                    "urgency": ("high", "medium", "low")[i % 3],
                    "description": "The nightly invoice run stops halfway with an error. " * 4,
                    "steps_taken": "Started the run again by hand; it stopped at the same place.",
                    "expected_result": "All invoices of the month are created.",
                    "actual_result": f"Only part of the invoices exist (run {i}).",
                    # A complete incident report: the desk's completeness check sends a report
                    # lacking any required field back to the customer at once (an extra
                    # transition and mail), which django-helpdesk's create does not have.
                    "reproducible": "yes",
                    "administration": "Main company",
                    "affected_users": "The accounting team",
                    "business_impact": "Invoices cannot be sent this month.",
                }
            ).encode()
        )
    return bodies


@dataclass
class RunResult:
    count: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_cpu: float = 0.0
    db_cpu: float = 0.0
    client_cpu: float = 0.0
    busy_cores: float = 0.0

    @property
    def rate(self) -> float:
        return (self.count - len(self.errors)) / self.seconds if self.seconds else 0.0

    def p95_ms(self) -> float:
        return percentile(self.latencies, 95) * 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def post_tickets(
    port: int, token: str, bodies: list[bytes], clients: int, deadline: float
) -> RunResult:
    """POST every body, `clients` threads each with its own connection; wall time and latencies.

    http.client keeps the connection open; gunicorn's sync workers close it after each response,
    and http.client then reconnects by itself for the next request.
    """
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    work = iter(bodies)
    lock = threading.Lock()
    stop = threading.Event()
    latencies: list[float] = []
    errors: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine: list[float] = []
        my_errors: list[str] = []
        try:
            while not stop.is_set():
                with lock:
                    body = next(work, None)
                if body is None:
                    break
                if time.monotonic() > deadline:
                    my_errors.append("global timeout")
                    break
                started = time.perf_counter()
                try:
                    conn.request("POST", TICKETS_PATH, body, headers)
                    response = conn.getresponse()
                    data = response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as error:
                    conn.close()
                    status, data = 0, repr(error).encode()
                mine.append(time.perf_counter() - started)
                if status != 201 or b'"number"' not in data:
                    my_errors.append(f"{status} {data[:300].decode(errors='replace')}")
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)
                errors.extend(my_errors)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    cpu0 = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():  # short joins so that Ctrl-C and SIGALRM get through
                thread.join(0.5)
    finally:
        stop.set()
    seconds = time.perf_counter() - started
    return RunResult(
        count=len(bodies),
        seconds=seconds,
        latencies=latencies,
        errors=errors,
        client_cpu=time.process_time() - cpu0,
    )


def measured_run(
    server: Server,
    backends: BackendMeter,
    token: str,
    bodies: list[bytes],
    clients: int,
    deadline: float,
) -> RunResult:
    busy0, total0 = machine_busy()
    server0 = server.cpu()
    backends.start()
    try:
        result = post_tickets(server.port, token, bodies, clients, deadline)
    finally:
        result_db_cpu = backends.stop()
    result.server_cpu = server.cpu() - server0
    result.db_cpu = result_db_cpu
    busy1, total1 = machine_busy()
    if total1 > total0:
        result.busy_cores = (busy1 - busy0) / (total1 - total0) * (os.cpu_count() or 1)
    return result


# --------------------------------------------------------------------------- the peer


def peer_work_dir() -> Path:
    default = Path(tempfile.gettempdir()) / "peers" / "django-helpdesk"  # as env.sh
    return Path(os.environ.get("PEER_WORK", str(default)))


def peer_venv(peer_dir: Path, env: dict[str, str], timeout: float) -> Path:
    """The peer's venv (`PEER_WORK`/venv, as env.sh), made with its setup.sh if missing."""
    venv = peer_work_dir() / "venv"
    if not (venv / "bin" / "python").exists():
        log(f"peer: installing django-helpdesk into {venv} (setup.sh, a few minutes)")
        run_command(["bash", str(peer_dir / "setup.sh")], env, peer_dir, timeout, "peer setup.sh")
    return venv


def run_peer(peer_dir: Path, count: int, clients: int, workers: int, deadline: float) -> dict:
    """django-helpdesk's own REST create bench (bench_rest.py) on its own PostgreSQL cluster."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    env.update(PEER_DB="postgres", WORKERS=str(workers))
    work = peer_work_dir()

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 5:
            raise GlobalTimeout("no time left for the peer")
        return left

    def sh(script: str, *args: str, timeout: float | None = None) -> str:
        limit = min(remaining(), timeout) if timeout else remaining()
        return run_command(
            ["bash", str(peer_dir / script), *args], env, peer_dir, limit, f"peer {script}"
        )

    peer_venv(peer_dir, env, min(remaining(), 1200))
    pgdata = Path(env.get("PGDATA", str(work / "pgdata")))
    started_pg = not (pgdata / "postmaster.pid").exists()
    if started_pg:
        log("peer: starting its private PostgreSQL (pg.sh start)")
        sh("pg.sh", "start", timeout=120)
    try:
        log("peer: fresh database (init_db.sh)")
        sh("init_db.sh", timeout=600)
        sh("serve.sh", "start", timeout=120)
        try:
            log(f"peer: bench_rest.py ticket {count} {clients}")
            # Through env.sh, as its own scripts do: procstat.py finds the peer's gunicorn
            # and PostgreSQL by the PEER_WORK and PGDATA it exports.
            out = run_command(
                [
                    "bash",
                    "-c",
                    'source ./env.sh && exec "$PY" bench_rest.py ticket "$0" "$1"',
                    str(count),
                    str(clients),
                ],
                env,
                peer_dir,
                remaining(),
                "peer bench_rest.py",
            )
        finally:
            with suppress(BenchError, GlobalTimeout, subprocess.SubprocessError):
                run_command(["bash", "serve.sh", "stop"], env, peer_dir, 60, "peer serve.sh stop")
    finally:
        if started_pg:
            with suppress(BenchError, subprocess.SubprocessError):
                run_command(["bash", "pg.sh", "stop"], env, peer_dir, 120, "peer pg.sh stop")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"peer bench_rest.py printed no result:\n{out[-2000:]}")
    return json.loads(lines[-1])


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/servicedesk_bench"
    )
    parser.add_argument("--count", type=int, default=2000, help="tickets per run (default 2000)")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers of the server (default 2)"
    )
    parser.add_argument("--port", type=int, default=18181)
    parser.add_argument("--warmup", type=int, default=50, help="uncounted requests first")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--timeout", type=int, default=1800, help="give up after this many s")
    parser.add_argument("--with-peer", action="store_true", help="also measure django-helpdesk")
    parser.add_argument("--peer-dir", type=Path, default=None)
    parser.add_argument(
        "--peer-workers",
        type=int,
        default=2,
        help="gunicorn workers of the peer (default 2, as in its recorded figures)",
    )
    args = parser.parse_args(argv)
    if args.count < 1 or args.workers < 1 or args.warmup < 0:
        parser.error("--count and --workers must be at least 1, --warmup at least 0")
    if not 1024 <= args.port < 65536:
        parser.error("--port must be between 1024 and 65535")
    return args


def find_peer_dir(given: Path | None) -> Path:
    peer_dir = given or REPO.parent / "shared" / "peers" / "django-helpdesk"
    needed = ("bench_rest.py", "pg.sh", "serve.sh", "init_db.sh", "setup.sh", "env.sh")
    missing = [name for name in needed if not (peer_dir / name).exists()]
    if missing:
        raise BenchError(
            f"--with-peer: the django-helpdesk peer scripts are not in {peer_dir} "
            f"(missing {', '.join(missing)}); pass --peer-dir"
        )
    return peer_dir.resolve()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    deadline = time.monotonic() + args.timeout
    clients_c4 = 4
    try:
        peer_dir = find_peer_dir(args.peer_dir) if args.with_peer else None
        db = Database.from_url(args.database_url)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not port_is_free(args.port):
        print(f"error: {HOST}:{args.port} is in use; pass --port", file=sys.stderr)
        return 2

    tmp = Path(tempfile.mkdtemp(prefix="servicedesk-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    env.update(
        DJANGO_SETTINGS_MODULE="servicedesk.settings",
        DATABASE_URL=db.url,
        SERVICEDESK_DATA_DIR=str(tmp / "data"),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DEBUG="false",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
    )
    server = Server(env, tmp, args.port, args.workers)
    backends: BackendMeter | None = None
    created_db = False
    failed = False
    results: dict[str, RunResult] = {}
    try:
        with time_limit(args.timeout, GlobalTimeout):
            log(f"database {db.name}: drop and create")
            db.recreate()
            created_db = True
            log("migrate")
            run_command([servicedesk_command(), "migrate", "-v0"], env, tmp, 600, "migrate")
            out = run_command([servicedesk_command(), "shell", "-c", SEED], env, tmp, 300, "seed")
            seed = json.loads(out.split("BENCH-SEED ", 1)[1].splitlines()[0])
            log(
                f"seeded {len(seed['contacts'])} contacts, {len(seed['products'])} products, "
                f"{seed['contracts']} contracts"
            )
            log(f"serve: {args.workers} gunicorn workers on {HOST}:{args.port}")
            server.start(deadline)
            backends = BackendMeter(db)

            warm = make_bodies(args.warmup, 10**6, seed["contacts"], seed["products"])
            if warm:
                probe = post_tickets(args.port, seed["token"], warm[:1], 1, deadline)
                if probe.errors:
                    raise BenchError(
                        f"POST {TICKETS_PATH} does not create tickets: {probe.errors[0]}"
                    )
                post_tickets(args.port, seed["token"], warm[1:], clients_c4, deadline)
            offset = 0
            for name, clients in (("c1", 1), ("c4", clients_c4)):
                bodies = make_bodies(args.count, offset, seed["contacts"], seed["products"])
                offset += args.count
                log(f"{name}: {args.count} tickets, {clients} client(s)")
                results[name] = measured_run(
                    server, backends, seed["token"], bodies, clients, deadline
                )
            backends.close()
            backends = None
            server.stop()

            total = sum(r.count for r in results.values())
            for name, result in results.items():
                figure(f"create {name}", result.rate, "tickets/s")
                figure(f"create {name} p95", result.p95_ms(), "ms")
            errors = [e for r in results.values() for e in r.errors]
            figure("errors", len(errors))
            if errors:
                log(f"first error: {errors[0]}")
                failed = True
            figure(
                "server cpu per ticket",
                sum(r.server_cpu for r in results.values()) / total * 1000,
                "ms",
            )
            figure(
                "db cpu per ticket", sum(r.db_cpu for r in results.values()) / total * 1000, "ms"
            )
            figure(
                "client cpu per ticket",
                sum(r.client_cpu for r in results.values()) / total * 1000,
                "ms",
            )
            for name, result in results.items():
                figure(f"machine busy {name}", round(result.busy_cores, 2), "cores")
            for name, result in results.items():
                ours = (result.server_cpu + result.db_cpu + result.client_cpu) / result.seconds
                figure(f"other load {name}", round(max(result.busy_cores - ours, 0.0), 2), "cores")
            figure("gunicorn workers", args.workers)
            figure("target c4", TARGET_C4, "tickets/s")
            figure("baseline django-helpdesk c4", BASELINE_C4, "tickets/s")

            if peer_dir is not None:
                peer = run_peer(peer_dir, args.count, clients_c4, args.peer_workers, deadline)
                n = peer["n_tickets"]
                figure("peer create c4", float(peer["tickets_per_s"]), "tickets/s")
                figure("peer create c4 p95", float(peer["per_ticket_latency"]["p95_ms"]), "ms")
                figure("peer errors", int(peer["errors"]))
                gunicorn_cpu = peer["server_cpu_s"] - peer["postgres_cpu_s"]
                figure("peer server cpu per ticket", gunicorn_cpu / n * 1000, "ms")
                figure("peer db cpu per ticket", peer["postgres_cpu_s"] / n * 1000, "ms")
                figure("peer machine busy c4", float(peer["machine_busy_cores"]), "cores")
                figure("peer gunicorn workers", args.peer_workers)
                if peer.get("first_error"):
                    log(f"peer first error: {peer['first_error']}")
    except (BenchError, GlobalTimeout) as error:
        print(f"error: {error}", file=sys.stderr)
        failed = True
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        failed = True
    finally:
        # Ctrl-C during clean-up should not leave the server running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if backends is not None:
            with suppress(Exception):
                backends.close()
        server.stop()
        db.release(created=created_db, keep=args.keep, log=log)
        shutil.rmtree(tmp, ignore_errors=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
