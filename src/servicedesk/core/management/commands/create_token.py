"""`servicedesk create-token USERNAME`: print a new API token for a user."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from servicedesk.accounts.models import User


class Command(BaseCommand):
    help = "Print a new API token for the user, replacing any token the user had."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user's login name")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user with username {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; activate it first.")
        with transaction.atomic():
            # The old token stops working at once: a new token replaces it, it does not add.
            Token.objects.filter(user=user).delete()
            token = Token.objects.create(user=user)
        self.stdout.write(token.key)
