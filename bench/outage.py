"""The outage fan-out: one update posted on 5,000 linked tickets of 2,000 contacts.

A throwaway PostgreSQL database (dropped and created) is migrated and filled with bulk
inserts: a team lead (the notice's manager), 200 organisations with a contract covering
the affected product, `--contacts` contacts spread over them (one CPC each), `--tickets`
open tickets of those contacts (each contact at least one), and a notice with all the
tickets linked to it. The notice's own first fan-out (the CPCs) is done untimed; then one
update is posted through the service and its fan-out (`fanouts_run`, the tick's outage
step) timed to the end: a message, an `outage_update` event and a delivery row per ticket,
one mail per requester and CPC. The result is checked: every ticket messaged once, every
requester mailed once, nothing due afterwards (exit status 1 if not). The database is
dropped at the end unless --keep.

Prints one figure a line (`fanout 5000: N s`, `tickets messaged: N`, `contacts mailed: N`,
...); progress goes to stderr. Options: --database-url (a database on 127.0.0.1 it may drop
and create), --tickets, --contacts, --batch-size, --keep, --profile PATH.
"""

from __future__ import annotations

import argparse
import cProfile
import sys
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta

from benchlib import PIN_VERSIONS, in_django

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/servicedesk_bench_outage"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
NOW = datetime(2026, 3, 11, 9, 30, tzinfo=UTC)  # a Wednesday, 10:30 in Amsterdam
ORGANISATIONS = 200


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--tickets", type=int, default=5_000)
    parser.add_argument("--contacts", type=int, default=2_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--profile", metavar="PATH", help="cProfile the timed fan-out into PATH")
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.database_url).hostname not in LOCAL_HOSTS:
        parser.error("only a database on this machine (127.0.0.1)")
    if not ORGANISATIONS <= args.contacts <= args.tickets:
        parser.error(f"need {ORGANISATIONS} <= --contacts <= --tickets")
    return args


def seed(tickets: int, contacts: int) -> int:
    """Fill the database; return the notice's id."""
    from servicedesk.accounts.models import Contact, Organisation, StaffRole, User
    from servicedesk.catalog.models import Product, ProductGroup
    from servicedesk.contracts.models import Contract
    from servicedesk.outages.models import Outage, OutageFanout, OutageTicket, OutageUpdate
    from servicedesk.tickets.models import Status, Ticket

    started = time.perf_counter()
    lead = User.objects.create_user("lead", "lead@bench.example", role=StaffRole.TEAM_LEAD)
    User.objects.create_user("manager", "sm@bench.example", role=StaffRole.SERVICE_MANAGER)
    group = ProductGroup.objects.create(name="HR")
    product = Product.objects.create(group=group, name="Payroll", code="payroll")
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Bench {o}", code=f"bench-{o}") for o in range(ORGANISATIONS)
    )
    contracts = Contract.objects.bulk_create(
        Contract(
            organisation=organisation,
            name=f"Maintenance {o}",
            reference=f"BENCH-{o}",
            service_level="severity-nl-office-hours",
            priority_scheme="severity-1-4",
            starts_on=date(2026, 1, 1),
            satisfaction_survey=False,
        )
        for o, organisation in enumerate(organisations)
    )
    Contract.products.through.objects.bulk_create(
        Contract.products.through(contract_id=c.pk, product_id=product.pk) for c in contracts
    )
    languages = ("nl", "en", "fr")
    people = Contact.objects.bulk_create(
        (
            Contact(
                organisation=organisations[c % ORGANISATIONS],
                name=f"Contact {c}",
                email=f"contact{c}@bench.example",
                language=languages[c % 3],
                is_cpc=c < ORGANISATIONS,
            )
            for c in range(contacts)
        ),
        batch_size=5000,
    )
    contract_of = {contract.organisation_id: contract.pk for contract in contracts}
    made = Ticket.objects.bulk_create(
        (
            Ticket(
                number=f"SD-{i + 1:06d}",
                title=f"Payslips fail {i}",
                requester_id=people[i % contacts].pk,
                organisation_id=people[i % contacts].organisation_id,
                contract_id=contract_of[people[i % contacts].organisation_id],
                product=product,
                priority=f"sev{1 + i % 4}",
                priority_rank=1 + i % 4,
                status=Status.IN_PROGRESS,
                created_at=NOW - timedelta(minutes=30 + i % 60),
                updated_at=NOW - timedelta(minutes=30 + i % 60),
            )
            for i in range(tickets)
        ),
        batch_size=5000,
    )
    exec(PIN_VERSIONS, {"Ticket": Ticket})  # noqa: S102 -- the benches' shared seed step
    at = NOW - timedelta(hours=1)
    outage = Outage.objects.create(
        title="Payslips cannot be generated",
        started_at=at,
        symptoms="Generating payslips ends with an error.",
        manager=lead,
        created_by=lead,
        created_at=at,
        updated_at=at,
        next_update_due_at=at + timedelta(hours=2),
        warn_at=at + timedelta(hours=2) - timedelta(minutes=15),
        escalate_at=at + timedelta(hours=2),
    )
    outage.products.set([product])
    first = OutageUpdate.objects.create(
        outage=outage,
        at=at,
        author=lead,
        state="investigating",
        text=outage.symptoms,
        next_update_due_at=outage.next_update_due_at,
    )
    OutageFanout.objects.create(update=first, due_at=at)
    OutageTicket.objects.bulk_create(
        (OutageTicket(outage=outage, ticket=t, linked_at=at, linked_by=lead) for t in made),
        batch_size=5000,
    )
    log(f"seeded in {time.perf_counter() - started:.1f} s")
    return outage.pk


def main() -> int:
    args = parse()
    return in_django("outage", args.database_url, keep=args.keep, run=lambda: run(args))


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from servicedesk.accounts.models import User
    from servicedesk.mail.models import OutboundMail
    from servicedesk.outages.fanout import fanouts_run
    from servicedesk.outages.models import Outage, OutageDelivery, OutageFanout
    from servicedesk.outages.services import outage_update_post
    from servicedesk.tickets.models import EventAction, Message, TicketEvent

    log("migrating")
    call_command("migrate", verbosity=0)
    outage_id = seed(args.tickets, args.contacts)
    started = time.perf_counter()
    fanouts_run(now=NOW - timedelta(minutes=59), batch_size=args.batch_size)
    log(f"the notice's own fan-out (untimed) in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")

    lead = User.objects.get(username="lead")
    update = outage_update_post(
        actor=lead,
        outage=Outage.objects.get(pk=outage_id),
        text="The cause is found; payslips can be generated again within the hour.",
        state="identified",
        now=NOW,
    )
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    started = time.perf_counter()
    cpu = time.process_time()
    report = fanouts_run(now=NOW, batch_size=args.batch_size)  # the timed one
    cpu = time.process_time() - cpu
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)

    deliveries = OutageDelivery.objects.filter(update=update)
    messaged = deliveries.values("ticket_id").distinct().count()
    twice = deliveries.values("ticket_id").annotate(n=Count("pk")).filter(n__gt=1).exists()
    messages = Message.objects.filter(pk__in=deliveries.values("message_id")).count()
    events = TicketEvent.objects.filter(
        action=EventAction.OUTAGE_UPDATE, ticket_id__in=deliveries.values("ticket_id")
    ).count()
    mails = OutboundMail.objects.filter(dedupe_key__startswith=f"outage:{update.pk}:")
    mailed = mails.values("to").distinct().count()
    checks = {
        "every ticket messaged once": messaged == args.tickets and not twice,
        "one message and one event per ticket": messages == args.tickets
        and events == 2 * args.tickets,  # the notice's own, and this update's
        "every contact mailed once": mailed == args.contacts == mails.count(),
        "nothing due after": not OutageFanout.objects.filter(due_at__isnull=False).exists(),
    }
    print(f"fanout {args.tickets}: {seconds:.3f} s")
    print(f"fanout cpu python: {cpu:.3f} s")
    print(f"per ticket: {seconds / args.tickets * 1000:.2f} ms")
    print(f"tickets messaged: {messaged}")
    print(f"contacts mailed: {mailed}")
    print(f"mails queued: {report.mailed}")
    print(f"batch size: {args.batch_size}")
    print("target: 30 s")
    failed = [name for name, ok in checks.items() if not ok]
    for name in failed:
        log(f"CHECK FAILED: {name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
