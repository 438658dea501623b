"""Fixtures for the ticket domain tests."""

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact
from servicedesk.tickets.models import Ticket
from tests.factories import make_ticket


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    """Store uploads in a temporary MEDIA_ROOT, never in the developer's data directory."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def ticket(contact: Contact) -> Ticket:
    return make_ticket(contact)
