"""`servicedesk demo`: fill the desk with a demo vendor, five customers and their tickets."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from servicedesk.demo import DEFAULT_SEED, DEFAULT_TICKETS, run_demo


class Command(BaseCommand):
    help = (
        "Create demo data: products, staff in every role, support-line teams, suppliers, "
        "five customers (one per seed procedure) and their tickets. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tickets",
            type=int,
            default=DEFAULT_TICKETS,
            help="tickets to generate when the demo customers have none (default %(default)s)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="seed of the random generator; the same seed gives the same demo",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tickets"] < 0:
            raise CommandError("--tickets must be 0 or more")
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database is not up to date: run `servicedesk migrate` first.")
        started = time.monotonic()
        result = run_demo(tickets=options["tickets"], seed=options["seed"])
        elapsed = time.monotonic() - started
        if result.tickets_created:
            tickets = f"{result.tickets_created} tickets created"
        else:
            tickets = f"{result.tickets_existing} tickets already there, none added"
        self.stdout.write(
            f"Demo desk ready in {elapsed:.1f} s: {result.organisations} organisations, "
            f"{result.contacts} contacts, {result.staff} staff, {tickets}."
        )
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(f"Sign in at {site}/ (staff land on the desk, contacts on the portal).")
        existing = []
        for login in result.logins:
            if login.password is None:
                existing.append(login.username)
                self.stdout.write(f"{login.label} login: {login.username} (already exists)")
            else:
                self.stdout.write(f"{login.label} login: {login.username} / {login.password}")
            if login.label == "Admin":
                self.stdout.write(f"  administration at {site}/admin/")
        if existing:
            self.stdout.write(
                "Passwords are only printed when a user is created. To reset one: "
                f"`servicedesk changepassword {existing[0]}`."
            )
        if len(existing) < len(result.logins):
            self.stdout.write(
                "Keep these passwords: they are not shown again. The other demo users have "
                "no password; give one with `servicedesk changepassword <username>`."
            )
