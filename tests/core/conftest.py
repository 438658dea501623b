"""The demo desk, made once per test module and rolled back afterwards (it takes seconds)."""

import re
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

DEMO_TICKETS = 60
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """Return what `servicedesk demo --tickets 60` printed; its data is there for the module."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("demo", tickets=DEMO_TICKETS, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output: str, db: None) -> str:
    """The demo desk, inside this test's own transaction; return the command's output."""
    return demo_output


def printed_logins(output: str) -> dict[str, tuple[str, str]]:
    """Return {label: (username, password)} of the logins the demo printed with a password."""
    return {
        label: (username, password)
        for label, username, password in re.findall(r"^(\w+) login: (\S+) / (\S+)$", output, re.M)
    }
