"""`servicedesk demo` options, checked without making the demo desk."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from servicedesk.accounts.models import Organisation
from servicedesk.core.management.commands.demo import Command as DemoCommand
from servicedesk.demo import DEFAULT_TICKETS


def test_it_makes_300_tickets_unless_told_otherwise() -> None:
    parser = DemoCommand().create_parser("servicedesk", "demo")
    assert parser.parse_args([]).tickets == DEFAULT_TICKETS == 300
    assert parser.parse_args(["--tickets", "1000"]).tickets == 1000


@pytest.mark.django_db
def test_it_refuses_a_negative_number_of_tickets() -> None:
    with pytest.raises(CommandError, match="--tickets"):
        call_command("demo", tickets=-1, stdout=StringIO())
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_it_asks_for_migrations_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan",
        lambda self, targets: [("pending", False)],
    )
    with pytest.raises(CommandError, match="servicedesk migrate"):
        call_command("demo", stdout=StringIO())
    assert not Organisation.objects.exists()
