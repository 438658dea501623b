"""`servicedesk worker`: run background tasks (django.tasks, database backend)."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background worker: queued tasks from the database backend."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="process what is queued, then stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("db_worker", batch=options["batch"])
