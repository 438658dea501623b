"""SLA engine speed: `BusinessCalendar.add` against `businesstimedelta`, and the SLA sweep.

Part 1 (no database): the same seeded random starts (2026-2027, inside and outside opening
hours, on opening and closing instants, on Dutch public holidays and around the clock
changes) are added 1, 8 and 240 hours of open time on Monday-Friday 09:00-17:00
Europe/Amsterdam without Dutch public holidays, by our engine and by the PyPI library
`businesstimedelta` (WorkDayRule + HolidayRule(holidays.NL()), both in Europe/Amsterdam).
Both are warmed up on other starts first; every timed call has its own start. The results
are compared instant by instant.

Part 2 (PostgreSQL on 127.0.0.1): a throwaway database (dropped and created) is migrated and
filled with open tickets on the preset "severity-nl-office-hours", each with its "created"
event (and an agent reply for some), its stored clock and next check, as the engine computed
them; `--due` of them have a next check that passed in the 15 minutes before the sweep
instant. One `sla_sweep(now=...)` over every due ticket is timed, then a sweep
with nothing due. The database is dropped at the end unless --keep. See bench/README.md.

Prints one figure a line, `name: value unit`; progress and notes go to stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from benchlib import BenchError, Database, deadline
from servicedesk.sla import BusinessCalendar, Target, get_preset

PRESET = "severity-nl-office-hours"
SCHEME = "severity-1-4"
TZ = "Europe/Amsterdam"
ZONE = ZoneInfo(TZ)
TARGETS = {"1h": timedelta(hours=1), "8h": timedelta(hours=8), "240h": timedelta(hours=240)}
LONG = "240h"
FIRST_YEAR, LAST_YEAR = 2026, 2027
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/servicedesk_bench_sla"
# The sweep instant: a Wednesday morning in office hours, no holiday or clock change near.
SWEEP_AT = datetime(2026, 3, 11, 10, 30, tzinfo=ZONE).astimezone(UTC)
PREVIOUS_SWEEP = SWEEP_AT - timedelta(minutes=1)
DUE_WINDOW = timedelta(minutes=15)


def log(message: str) -> None:
    """Progress on stderr, so that stdout carries only the figures."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def figure(name: str, value: float | int | str, unit: str = "") -> None:
    if isinstance(value, float):
        text = f"{value:.0f}" if value >= 100 else f"{value:.3g}" if value < 1 else f"{value:.1f}"
    else:
        text = str(value)
    print(f"{name}: {text}{' ' + unit if unit else ''}", flush=True)


# --------------------------------------------------------------------------- part 1: add()


def random_starts(rng: random.Random, count: int, holidays: Sequence[date]) -> list[datetime]:
    """Aware UTC starts over 2026-2027, whole seconds, with the awkward cases over-represented.

    About half are uniform over the two years (so mostly outside opening hours); the rest
    are exact opening and closing instants, times on public holidays, times inside opening
    hours, and times in the days around the clock changes (last Sundays of March and October).
    """
    first = datetime(FIRST_YEAR, 1, 1, tzinfo=ZONE)
    span = int((datetime(LAST_YEAR + 1, 1, 1, tzinfo=ZONE) - first).total_seconds())
    days = (date(LAST_YEAR + 1, 1, 1) - date(FIRST_YEAR, 1, 1)).days
    changes = [
        max(d for d in (date(y, m, 31) - timedelta(days=n) for n in range(7)) if d.weekday() == 6)
        for y in range(FIRST_YEAR, LAST_YEAR + 1)
        for m in (3, 10)
    ]

    def local(day: date, seconds: int) -> datetime:
        wall = datetime(day.year, day.month, day.day, tzinfo=ZONE) + timedelta(seconds=seconds)
        return wall.astimezone(UTC)

    out: list[datetime] = []
    for i in range(count):
        day = date(FIRST_YEAR, 1, 1) + timedelta(days=rng.randrange(days))
        match i % 10:
            case 0:
                out.append(local(day, rng.choice((9, 17)) * 3600))  # opening or closing
            case 1:
                out.append(local(rng.choice(holidays), rng.randrange(86400)))
            case 2:
                out.append(local(day, 9 * 3600 + rng.randrange(8 * 3600)))  # inside hours
            case 3:
                near = rng.choice(changes) + timedelta(days=rng.randint(-3, 2))
                out.append(local(near, rng.randrange(86400)))
            case _:
                out.append((first + timedelta(seconds=rng.randrange(span))).astimezone(UTC))
    rng.shuffle(out)
    return out


def their_calendar() -> Any:
    """businesstimedelta's rules for the same calendar, or exit 2 with how to install it."""
    try:
        import businesstimedelta
        import holidays
        import pytz
    except ImportError:
        print(
            "bench/sla.py needs the PyPI package businesstimedelta for the comparison:\n"
            "    .venv/bin/pip install 'businesstimedelta>=1.0,<2'\n"
            '(it belongs in the "dev" extra of pyproject.toml; --part sweep runs without it)',
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    zone = pytz.timezone(TZ)
    # Both rules get the zone. HolidayRule's default, UTC, would close a holiday from 01:00
    # or 02:00 local time to the same time the next day (no effect on 09:00-17:00 hours).
    workday = businesstimedelta.WorkDayRule(
        start_time=datetime.min.time().replace(hour=9),
        end_time=datetime.min.time().replace(hour=17),
        working_days=[0, 1, 2, 3, 4],
        tz=zone,
    )
    closed = businesstimedelta.HolidayRule(holidays.NL(), tz=zone)
    return businesstimedelta, businesstimedelta.Rules([workday, closed])


def timed(
    ours: Callable[[list[datetime]], list[datetime]],
    theirs: Callable[[list[datetime]], list[datetime]],
    starts: list[datetime],
    repeat: int,
    chunk: int = 200,
) -> tuple[float, float, list[datetime], list[datetime]]:
    """Return both rates (adds/s) and both results, timed in alternating chunks of starts.

    Alternating keeps a busy machine from favouring one library; ours runs `repeat` passes
    over each chunk (its rate is the mean), theirs one.
    """
    our_time = their_time = 0.0
    our_due: list[datetime] = []
    their_due: list[datetime] = []
    for first in range(0, len(starts), chunk):
        part = starts[first : first + chunk]
        began = time.perf_counter()
        for _ in range(repeat):
            mine = ours(part)
        our_time += time.perf_counter() - began
        began = time.perf_counter()
        other = theirs(part)
        their_time += time.perf_counter() - began
        our_due += mine
        their_due += other
    return len(starts) * repeat / our_time, len(starts) / their_time, our_due, their_due


def part_calendar(args: argparse.Namespace) -> int:
    """Time add() of both libraries and compare them; return the count of real differences."""
    btd, rules = their_calendar()
    ours = get_preset(PRESET).calendar.build()
    if ours.country != "NL" or ours.hours != {d: [("09:00", "17:00")] for d in range(5)}:
        raise BenchError(f"preset {PRESET} is no longer Mon-Fri 09:00-17:00 NL: {ours}")
    holidays = [
        day
        for year in range(FIRST_YEAR, LAST_YEAR + 1)
        for day in ours.closures(year)
        if day.weekday() < 5
    ]
    starts = random_starts(random.Random(args.seed), args.starts, holidays)
    # Our calendar caches open spans per date: the warm-up fills them for 2026-2028, as a
    # long-running process would have them. No result is cached: every timed call is new.
    warmup = random_starts(random.Random(args.seed + 1), 2000, holidays)
    log(f"part 1: {len(starts)} starts ({args.long_starts} for {LONG}), warm-up on 2000 others")

    compared = agree = closing = 0
    examples: list[str] = []
    for name, delta in TARGETS.items():
        theirs_delta = btd.BusinessTimeDelta(rules, timedelta=delta)
        subset = starts[: args.long_starts] if name == LONG else starts

        def our_add(xs: list[datetime], delta: timedelta = delta) -> list[datetime]:
            return [ours.add(x, delta) for x in xs]

        def their_add(xs: list[datetime], d: Any = theirs_delta) -> list[datetime]:
            return [x + d for x in xs]

        our_add(warmup)
        their_add(warmup[:50] if name == LONG else warmup[:500])
        our_rate, their_rate, our_due, their_due = timed(our_add, their_add, subset, args.repeat)
        figure(f"ours {name}", our_rate, "adds/s")
        figure(f"businesstimedelta {name}", their_rate, "adds/s")
        figure(f"speedup {name}", our_rate / their_rate, "x")
        for start, a, b in zip(subset, our_due, their_due, strict=True):
            compared += 1
            if a == b:
                agree += 1
            elif equivalent(ours, start, delta, a, b):
                closing += 1
            elif len(examples) < 5:
                examples.append(
                    f"{name} from {start.astimezone(ZONE):%a %Y-%m-%d %H:%M:%S %Z}: ours "
                    f"{a.astimezone(ZONE):%a %Y-%m-%d %H:%M:%S}, businesstimedelta "
                    f"{b.astimezone(ZONE):%a %Y-%m-%d %H:%M:%S}"
                )
    differ = compared - agree - closing
    figure("agree", f"{agree} of {compared}")
    figure("differ at closing instant", closing)
    figure("differ otherwise", differ)
    for line in examples:
        log(f"differs: {line}")
    return differ


def equivalent(
    calendar: BusinessCalendar, start: datetime, delta: timedelta, a: datetime, b: datetime
) -> bool:
    """Return True when two due times are the same point of open time (a closing instant
    and the next opening): no open time between them and `delta` of open time to each."""
    lo, hi = min(a, b), max(a, b)
    return calendar.elapsed(lo, hi) == timedelta(0) and all(
        calendar.elapsed(start, due) == delta for due in (a, b)
    )


# --------------------------------------------------------------------------- part 2: sweep


@dataclass
class Template:
    """One ticket state as the engine stored it: history, clocks and next check."""

    priority: str
    created: datetime
    replied: datetime | None
    clocks: list[dict[str, Any]]
    due_at: datetime | None
    next_check: datetime | None


def setup_django(url: str, data_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "servicedesk.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["SERVICEDESK_DATA_DIR"] = data_dir
    os.environ.setdefault("SECRET_KEY", "bench-sla-not-secret")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def make_template(
    calendar: BusinessCalendar,
    priority: str,
    created: datetime,
    *,
    as_of: datetime,
    replied: datetime | None = None,
) -> Template:
    """Compute a ticket's clocks at `as_of` exactly as `tickets.sla.sla_refresh` stores them.

    Warnings and breaches that had passed by `as_of` count as recorded then (the sweep that
    saw them recorded them).
    """
    from servicedesk.sla import compute_clocks
    from servicedesk.tickets.models import Ticket, TicketEvent
    from servicedesk.tickets.sla import STORED_FIELDS, clock_events, clock_row

    ticket = Ticket(kind="incident", priority=priority)
    history = [
        TicketEvent(action="created", field="status", new_value="new", at=created),
        *(
            [TicketEvent(action="agent_replied", at=replied)]
            if replied is not None and replied <= as_of
            else []
        ),
    ]
    results = compute_clocks(
        get_preset(PRESET).policy_for("incident"),
        kind="incident",
        events=clock_events(ticket, history),
        now=as_of,
        calendar=calendar,
    )
    clocks = []
    for result in results.values():
        row = clock_row(ticket, result, as_of)
        values = {"key": row.key, **{f: getattr(row, f) for f in STORED_FIELDS}}
        values["warning_recorded_at"] = result.warn_at if result.warning else None
        values["breach_recorded_at"] = result.breached_at if result.state == "breached" else None
        clocks.append(values)
    dues = [r.due for r in results.values() if r.state == "running" and r.due is not None]
    checks = [r.next_change_at for r in results.values() if r.next_change_at is not None]
    return Template(
        priority=priority,
        created=created,
        replied=replied if replied is not None and replied <= as_of else None,
        clocks=clocks,
        due_at=min(dues) if dues else None,
        next_check=min(checks) + timedelta(seconds=1) if checks else None,
    )


def created_for(calendar: BusinessCalendar, open_time: timedelta, end: datetime) -> datetime:
    """Return the latest whole second from which `open_time` of open time runs until `end`."""
    lo, hi = end - timedelta(days=60), end  # elapsed(lo, end) >= open_time > elapsed(hi, end)
    while hi - lo > timedelta(seconds=1):
        mid = (lo + (hi - lo) / 2).replace(microsecond=0)
        if calendar.elapsed(mid, end) >= open_time:
            lo = mid
        else:
            hi = mid
    return lo


def due_templates(calendar: BusinessCalendar, count: int, rng: random.Random) -> list[Template]:
    """`count` distinct tickets whose next check passed in the 15 minutes before the sweep.

    Half are due for their warning (state stored at creation, never looked at since), half
    for their breach (state stored when the warning was recorded). Priorities in turn.
    """
    preset = get_preset(PRESET)
    codes = preset.scheme.codes()
    out = []
    for i in range(count):
        priority = codes[i % len(codes)]
        target = preset.policy_for("incident").targets[priority]["first_response"]
        if not isinstance(target, Target):
            raise BenchError(f"{PRESET}: no first-response target for {priority}")
        for_breach = (i // len(codes)) % 2 == 1
        fraction = 1.0 if for_breach else target.warn_at_fraction
        passed = timedelta(seconds=rng.randrange(2, int(DUE_WINDOW.total_seconds())))
        open_time = target.duration * fraction
        created = created_for(calendar, open_time, SWEEP_AT - passed)
        as_of = created
        if for_breach:  # last looked at by the sweep that recorded the warning
            as_of = make_template(calendar, priority, created, as_of=created).next_check
            assert as_of is not None
        template = make_template(calendar, priority, created, as_of=as_of)
        if template.next_check is None or not (
            SWEEP_AT - DUE_WINDOW < template.next_check <= SWEEP_AT
        ):
            raise BenchError(f"due template {i} has next check {template.next_check}")
        out.append(template)
    return out


def idle_templates(calendar: BusinessCalendar, count: int, rng: random.Random) -> list[Template]:
    """`count` open tickets created over the 30 days before the sweep, not due at it.

    States as the previous sweep (a minute earlier) left them. Priorities sev1 2%, sev2 10%,
    sev3 58%, sev4 30%; 60% have had an agent reply (clock met, or breached if late), the
    rest are running or breached.
    """
    codes = get_preset(PRESET).scheme.codes()
    out: list[Template] = []
    while len(out) < count:
        created = PREVIOUS_SWEEP - timedelta(seconds=rng.randrange(30 * 86400))
        priority = rng.choices(codes, weights=(2, 10, 58, 30))[0]
        replied = None
        if rng.random() < 0.6:
            replied = created + timedelta(seconds=rng.randrange(600, 3 * 86400))
        template = make_template(calendar, priority, created, as_of=PREVIOUS_SWEEP, replied=replied)
        if template.next_check is None or template.next_check > SWEEP_AT:
            out.append(template)
    return out


def fill(templates: list[Template], *, batch: int = 5000) -> None:
    """Insert one ticket per template with its events and clocks (bulk, in batches)."""
    from django.db import transaction

    from servicedesk.accounts.models import Contact, Organisation
    from servicedesk.contracts.models import Contract
    from servicedesk.tickets.models import Ticket, TicketClock, TicketEvent

    scheme = get_preset(PRESET).scheme
    contacts, contracts = [], []
    for o in range(20):
        org = Organisation.objects.create(name=f"Bench Organisation {o}", code=f"bench-{o}")
        contacts.append(
            Contact.objects.create(organisation=org, name=f"Contact {o}", email=f"c{o}@b.example")
        )
        contracts.append(
            Contract.objects.create(
                organisation=org,
                name=f"Maintenance {o}",
                reference=f"BENCH-{o}",
                starts_on=date(2025, 1, 1),
                service_level=PRESET,
                priority_scheme=SCHEME,
            )
        )
    for first in range(0, len(templates), batch):
        chunk = templates[first : first + batch]
        with transaction.atomic():
            tickets = Ticket.objects.bulk_create(
                Ticket(
                    number=f"SLA-{first + n + 1:07d}",
                    kind="incident",
                    title=f"Invoice run stops at customer {first + n}",
                    requester=contacts[(first + n) % 20],
                    organisation_id=contacts[(first + n) % 20].organisation_id,
                    contract=contracts[(first + n) % 20],
                    priority=t.priority,
                    priority_rank=scheme.rank(t.priority),
                    status="new",
                    created_at=t.created,
                    updated_at=t.replied or t.created,
                    first_response_at=t.replied,
                    sla_due_at=t.due_at,
                    sla_next_check_at=t.next_check,
                )
                for n, t in enumerate(chunk)
            )
            events, clocks = [], []
            for ticket, t in zip(tickets, chunk, strict=True):
                events.append(
                    TicketEvent(
                        ticket=ticket,
                        action="created",
                        field="status",
                        new_value="new",
                        at=t.created,
                        note="channel portal",
                    )
                )
                if t.replied is not None:
                    events.append(TicketEvent(ticket=ticket, action="agent_replied", at=t.replied))
                clocks.extend(TicketClock(ticket=ticket, **values) for values in t.clocks)
            TicketEvent.objects.bulk_create(events)
            TicketClock.objects.bulk_create(clocks)
        log(f"  inserted {first + len(chunk)} tickets")


def proc_cpu(pid: int) -> float:
    """Return the CPU seconds (user + system) of a process on this machine, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def counting_queries() -> Iterator[list[int]]:
    """Count the SQL statements run inside the block (one integer add per statement)."""
    from django.db import connection

    counter = [0]

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield counter


def part_sweep(args: argparse.Namespace) -> None:
    db = Database.from_url(args.database_url)
    log(f"part 2: database {db.name} on {db.conninfo['host']} (dropped and created)")
    db.recreate()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sla-") as data_dir:
            setup_django(args.database_url, data_dir)
            run_sweep(args)
    finally:
        with suppress(Exception):
            from django.db import connections

            connections.close_all()
        if args.keep:
            log(f"kept database {db.name}")
        else:
            db.drop()
            log(f"dropped database {db.name}")


def run_sweep(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection

    from servicedesk.tickets import sla
    from servicedesk.tickets.models import Ticket, TicketEvent

    began = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"  migrated in {time.monotonic() - began:.1f} s")
    if args.due > args.tickets:
        raise BenchError("--due must not exceed --tickets")

    rng = random.Random(args.seed)
    calendar = get_preset(PRESET).calendar.build()
    began = time.monotonic()
    due = due_templates(calendar, args.due, rng)
    # Idle tickets share 2,000 computed states (every state is one the engine produced).
    pool = idle_templates(calendar, min(2000, args.tickets - args.due), rng)
    idle = [pool[i % len(pool)] for i in range(args.tickets - args.due)] if pool else []
    templates = due + idle
    rng.shuffle(templates)
    took = time.monotonic() - began
    log(f"  computed {len(due)} due and {len(pool)} idle states in {took:.1f} s")

    began = time.monotonic()
    fill(templates)
    with connection.cursor() as cursor:
        for table in ("tickets_ticket", "tickets_ticketevent", "tickets_ticketclock"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        # Write out the bulk load now, so that its flush does not land in the timed sweep.
        with suppress(Exception):
            cursor.execute("CHECKPOINT")
    log(f"  filled and analysed in {time.monotonic() - began:.1f} s")

    open_count = Ticket.objects.exclude(status="closed").count()
    expected = Ticket.objects.filter(sla_next_check_at__lte=SWEEP_AT).count()
    if open_count != args.tickets or expected != args.due:
        raise BenchError(f"{open_count} open tickets, {expected} due: expected the arguments")
    events_before_pk = TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    sla._build_calendar.cache_clear()  # the sweep starts from a fresh calendar
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    profiler = cProfile.Profile() if args.profile else None
    with counting_queries() as queries:
        if profiler:
            profiler.enable()
        db_cpu, py_cpu = proc_cpu(backend), time.process_time()
        began = time.perf_counter()
        done = sla.sla_sweep(now=SWEEP_AT)
        seconds = time.perf_counter() - began
        py_cpu, db_cpu = time.process_time() - py_cpu, proc_cpu(backend) - db_cpu
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
            log(f"  profile written to {args.profile} (the timing below includes the profiler)")
    figure(f"sweep {args.tickets // 1000}k", seconds, "s")
    figure("sweep due", done, "tickets")
    figure("sweep per ticket", seconds * 1000 / max(done, 1), "ms")
    figure("sweep queries per ticket", queries[0] / max(done, 1), "")
    # CPU seconds, less sensitive than wall time to other work on the machine; the rest of
    # the wall time is waiting (commits, scheduling).
    figure("sweep cpu python", py_cpu, "s")
    figure("sweep cpu postgres", db_cpu, "s")

    # A ticket whose warning and due time both passed since the last look gets both events;
    # each (ticket, target, event) is recorded once, and every due ticket got at least one.
    sla_events = TicketEvent.objects.filter(
        action__in=("sla_warning", "sla_breached"), pk__gt=events_before_pk
    )
    recorded = sla_events.count()
    distinct = sla_events.values("ticket_id", "field", "action").distinct().count()
    tickets_with_events = sla_events.values("ticket_id").distinct().count()
    left = Ticket.objects.filter(sla_next_check_at__lte=SWEEP_AT).count()
    figure("sweep events", recorded, "")
    if done != args.due or left or recorded != distinct or tickets_with_events != args.due:
        raise BenchError(
            f"swept {done}, recorded {recorded} ({distinct} distinct) on {tickets_with_events} "
            f"tickets, still due {left}: expected {args.due} tickets, no duplicates"
        )

    idle_runs = []
    for _ in range(5):
        began = time.perf_counter()
        if sla.sla_sweep(now=SWEEP_AT):
            raise BenchError("the idle sweep found due tickets")
        idle_runs.append(time.perf_counter() - began)
    figure("sweep idle", statistics.median(idle_runs) * 1000, "ms")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=("all", "calendar", "sweep"), default="all")
    parser.add_argument("--starts", type=int, default=4000, help="starts for 1h and 8h")
    parser.add_argument("--long-starts", type=int, default=800, help="starts for 240h")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes of ours (mean)")
    parser.add_argument("--seed", type=int, default=20260311)
    parser.add_argument("--tickets", type=int, default=100_000, help="open tickets")
    parser.add_argument("--due", type=int, default=1000, help="of them due at the sweep")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", metavar="PATH", help="cProfile the sweep into PATH")
    parser.add_argument("--timeout", type=int, default=1200, help="give up after this many s")
    args = parser.parse_args(argv)
    if not 0 < args.long_starts <= args.starts:
        parser.error("--long-starts must be between 1 and --starts")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    differ = 0
    try:
        with deadline(args.timeout):
            if args.part in ("all", "calendar"):
                differ = part_calendar(args)
            if args.part in ("all", "sweep"):
                part_sweep(args)
    except BenchError as error:
        log(f"error: {error}")
        return 1
    if differ:
        log(f"{differ} due times differ between the libraries beyond closing instants")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
