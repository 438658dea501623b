"""The scheduler tick: one tick over 100,000 open tickets of which 1,000 have a due action.

A throwaway PostgreSQL database (dropped and created) is migrated and filled with bulk
inserts: a team (lead, agent), a service manager, 20 organisations with a contact and a
contract each (preset "severity-nl-office-hours"), `--tickets` open tickets spread over
the statuses with the events behind them ("created"; past intake an agent's reply and the
status change), and the scheduled actions the services would have made for them: the
reminders and automatic close of every ticket waiting on the customer or on a solution's
confirmation, the unassigned alert of every new ticket, and the cancelled alerts of the
tickets taken (about 160,000 rows, nearly all pending). `--due` of the tickets have an action
that fell due in the 10 minutes before the tick: first reminders, second reminders,
automatic closes and unassigned alerts. One `tick(now=...)` is timed (tasks go to the
database queue, as in production; sending is the worker's next job and not timed), then
a tick with nothing due (median of 5). The result is checked: every due action done once,
one notification each, the closed tickets closed, nothing due afterwards (exit status 1
if not). The database is dropped at the end unless --keep.

Prints one figure a line (`tick: N s`, `tick cpu python: N s` = the bench process's CPU
during the tick, less sensitive to other load than the wall time, ...); progress goes to
stderr. Options: --database-url (a database on 127.0.0.1 it may drop and create), --tickets,
--due, --keep, --profile PATH (cProfile of the timed tick).
"""

from __future__ import annotations

import argparse
import cProfile
import statistics
import sys
import time
import urllib.parse
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from typing import Any

from benchlib import PIN_VERSIONS, in_django

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/servicedesk_bench_tick"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
NOW = datetime(2026, 3, 11, 9, 30, tzinfo=UTC)  # a Wednesday, 10:30 in Amsterdam
DAY = timedelta(days=1)
# Share of the due actions per kind (the rest are first reminders).
DUE_MIX = {"reminder_2": 0.30, "auto_close": 0.10, "unassigned_alert": 0.15}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--profile", metavar="PATH", help="cProfile the timed tick into PATH")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.database_url)
    if url.hostname not in LOCAL_HOSTS:
        parser.error("only a database on this machine (127.0.0.1)")
    if not 0 < args.due <= args.tickets // 2:
        parser.error("--due must be positive and at most half of --tickets")
    return args


def seed(tickets: int, due: int) -> dict[str, Any]:
    """Fill the database; return the ids of the due actions by kind."""
    from servicedesk.accounts.models import Contact, Organisation, StaffRole, Team, User
    from servicedesk.automation.models import ActionKind, ScheduledAction
    from servicedesk.contracts.models import Contract
    from servicedesk.tickets.models import Status, Ticket, TicketEvent

    lead = User.objects.create_user("lead", "lead@bench.example", role=StaffRole.TEAM_LEAD)
    agent = User.objects.create_user("agent", "agent@bench.example", role=StaffRole.AGENT)
    User.objects.create_user("manager", "sm@bench.example", role=StaffRole.SERVICE_MANAGER)
    team = Team.objects.create(name="Bench team", lead=lead)
    team.members.add(agent)
    people = []
    for o in range(20):
        organisation = Organisation.objects.create(name=f"Bench {o}", code=f"bench-{o}")
        contract = Contract.objects.create(
            organisation=organisation,
            name=f"Maintenance {o}",
            reference=f"BENCH-{o}",
            service_level="severity-nl-office-hours",
            priority_scheme="severity-1-4",
            starts_on=date(2026, 1, 1),
        )
        contact = Contact.objects.create(
            organisation=organisation, name=f"Contact {o}", email=f"contact{o}@bench{o}.example"
        )
        people.append((organisation.pk, contract.pk, contact.pk))

    # Every 100th ticket (from the 5th) gets a due action; the kinds in turn by DUE_MIX.
    stride = tickets // due
    due_kind: dict[int, str] = {}
    order = [kind for kind, share in DUE_MIX.items() for _ in range(round(share * 100))]
    order += ["reminder_1"] * (100 - len(order))
    for n in range(due):
        due_kind[n * stride + 5] = order[(n * 37) % 100]

    def status_of(i: int) -> str:
        kind = due_kind.get(i)
        if kind == "unassigned_alert":
            return Status.NEW
        if kind is not None:
            return Status.WAITING_ON_CUSTOMER
        return [
            Status.WAITING_ON_CUSTOMER,
            Status.WAITING_ON_CUSTOMER,
            Status.SOLUTION_OFFERED,
            Status.IN_PROGRESS,
            Status.IN_PROGRESS,
            Status.IN_PROGRESS,
            Status.WAITING_ON_SUPPLIER,
            Status.NEW,
            Status.NEW,
            Status.REOPENED,
        ][i % 10]

    started = time.perf_counter()
    rows = []
    for i in range(tickets):
        organisation, contract, contact = people[i % len(people)]
        status = status_of(i)
        created = NOW - timedelta(minutes=1 + (i * 7919) % (30 * 24 * 60))
        if due_kind.get(i) is not None:
            created = NOW - 30 * DAY
        rows.append(
            Ticket(
                number=f"SD-{i + 1:06d}",
                title=f"Bench ticket {i}",
                requester_id=contact,
                organisation_id=organisation,
                contract_id=contract,
                priority=f"sev{1 + i % 4}",
                priority_rank=1 + i % 4,
                status=status,
                team=team,
                assignee=None if status == Status.NEW else agent,
                created_at=created,
                updated_at=created,
            )
        )
    made = Ticket.objects.bulk_create(rows, batch_size=5000)
    exec(PIN_VERSIONS, {"Ticket": Ticket})  # noqa: S102 -- the benches' shared seed step
    log(f"tickets inserted in {time.perf_counter() - started:.1f} s")

    def history(ticket: Ticket) -> list[TicketEvent]:
        """The events behind the ticket's status: created, and for a ticket past intake an
        agent's reply (the first response) and its status changes."""
        at = ticket.created_at
        events = [TicketEvent(ticket_id=ticket.pk, at=at, action="created", new_value="new")]
        if ticket.status != Status.NEW:
            events += [
                TicketEvent(
                    ticket_id=ticket.pk, at=at + timedelta(minutes=20), action="agent_replied"
                ),
                TicketEvent(
                    ticket_id=ticket.pk,
                    at=at + timedelta(minutes=21),
                    action="status_changed",
                    field="status",
                    old_value="new",
                    new_value=ticket.status,
                ),
            ]
        return events

    TicketEvent.objects.bulk_create(
        (event for ticket in made for event in history(ticket)), batch_size=5000
    )
    log(f"events inserted after {time.perf_counter() - started:.1f} s")

    actions: list[ScheduledAction] = []

    def add(ticket: Ticket, kind: str, due_at: datetime, **state: Any) -> None:
        waits = kind != ActionKind.UNASSIGNED_ALERT
        actions.append(
            ScheduledAction(
                ticket_id=ticket.pk,
                kind=kind,
                while_status=ticket.status if waits else "",
                due_at=due_at,
                created_at=due_at - 7 * DAY,
                **state,
            )
        )

    for i, ticket in enumerate(made):
        kind = due_kind.get(i)
        when = NOW - timedelta(seconds=1 + i % 600)  # due in the last 10 minutes
        history = {"done_at": when - 8 * DAY, "outcome": "done", "attempts": 1}
        if kind == "unassigned_alert":
            add(ticket, kind, when)
        elif kind == "reminder_1":
            add(ticket, "reminder_1", when)
            add(ticket, "reminder_2", when + 7 * DAY)
            add(ticket, "auto_close", when + 14 * DAY)
        elif kind == "reminder_2":
            add(ticket, "reminder_1", when - 7 * DAY, **history)
            add(ticket, "reminder_2", when)
            add(ticket, "auto_close", when + 7 * DAY)
        elif kind == "auto_close":
            add(ticket, "reminder_1", when - 14 * DAY, **history)
            add(ticket, "reminder_2", when - 7 * DAY, **history)
            add(ticket, "auto_close", when)
        elif ticket.status in (Status.WAITING_ON_CUSTOMER, Status.SOLUTION_OFFERED):
            # Waiting for up to 6 days: the chain is still ahead.
            start = NOW - timedelta(minutes=10 + (i * 104729) % (6 * 24 * 60))
            for step, kind_ in enumerate(("reminder_1", "reminder_2", "auto_close"), start=1):
                add(ticket, kind_, start + 7 * step * DAY)
        elif ticket.status == Status.NEW:
            add(ticket, "unassigned_alert", NOW + timedelta(hours=1 + i % 8))
        else:  # taken long ago: the unassigned alert was cancelled
            add(ticket, "unassigned_alert", ticket.created_at + DAY, cancelled_at=ticket.created_at)
    ScheduledAction.objects.bulk_create(actions, batch_size=5000)
    seconds = time.perf_counter() - started
    log(f"{len(actions)} scheduled actions inserted; seeded in {seconds:.1f} s")
    return {"due_tickets": [made[i].pk for i in due_kind], "kinds": due_kind}


class _RolledBack(Exception):
    pass


def warm_up() -> None:
    """Do once what a worker that ticks every minute has long done: compile the customer
    mail templates and load the language catalogues (about 0.1 s the first time). The
    mails are rendered for one ticket in each language and rolled back."""
    from django.db import transaction

    from servicedesk.mail import outbound
    from servicedesk.tickets.models import Status, Ticket

    ticket = Ticket.objects.select_related("requester").exclude(status=Status.CLOSED).first()
    assert ticket is not None
    started = time.perf_counter()
    for language in ("en", "nl", "fr"):
        with suppress(_RolledBack), transaction.atomic():
            ticket.requester.language = language
            ticket.requester.save(update_fields=["language"])
            for which in (1, 2):
                outbound.mail_on_reminder(
                    ticket, which=which, dedupe_key=f"warm-{language}-{which}"
                )
            outbound.mail_on_closed(ticket, text="Warm-up.", dedupe_key=f"warm-{language}")
            raise _RolledBack
    log(f"warmed up in {time.perf_counter() - started:.2f} s (templates, catalogues)")


def main() -> int:
    args = parse()
    return in_django("tick", args.database_url, keep=args.keep, run=lambda: run(args))


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection

    from servicedesk.automation.models import Notification, ScheduledAction
    from servicedesk.automation.tick import tick
    from servicedesk.tickets.models import Status, Ticket

    log("migrating")
    call_command("migrate", verbosity=0)
    seeded = seed(args.tickets, args.due)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")

    open_tickets = Ticket.objects.exclude(status=Status.CLOSED).count()
    warm_up()
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    cpu = time.process_time()
    report = tick(now=NOW, worker="bench")  # the timed one
    cpu = time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    idle = []
    for _ in range(5):
        idle.append(tick(now=NOW, worker="bench").seconds)

    due_ids = seeded["due_tickets"]
    done = ScheduledAction.objects.filter(done_at=NOW, ticket_id__in=due_ids)
    closes = sum(1 for kind in seeded["kinds"].values() if kind == "auto_close")
    checks = {
        "every due action done once": done.count() == args.due
        and not done.exclude(attempts=1).exists(),
        "one notification each": Notification.objects.count() == args.due,
        "nothing due after": tick(now=NOW).actions == 0,
        "closed by the tick": Ticket.objects.filter(status=Status.CLOSED).count() == closes,
    }
    print(f"tickets: {open_tickets}")
    print(f"due: {args.due}")
    print(f"tick: {report.seconds:.3f} s")
    print(f"tick cpu python: {cpu:.3f} s")
    print(f"tick per action: {report.seconds / max(report.actions, 1) * 1000:.2f} ms")
    print(f"actions: {report.actions}")
    print(f"notifications: {report.notifications}")
    print(f"tick idle: {statistics.median(idle) * 1000:.2f} ms")
    print("due mix: " + ", ".join(
        f"{kind} {sum(1 for k in seeded['kinds'].values() if k == kind)}"
        for kind in ("reminder_1", "reminder_2", "auto_close", "unassigned_alert")
    ))  # fmt: skip
    print("target: 1 s")
    failed = [name for name, ok in checks.items() if not ok]
    for name in failed:
        log(f"CHECK FAILED: {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
