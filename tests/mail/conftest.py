"""Fixtures for the mail tests: desk settings, a customer, an intake that sends, corpora."""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, Language, Organisation
from servicedesk.mail.intake import mail_ingest
from servicedesk.mail.models import InboundMail
from tests.factories import ContactFactory, OrganisationFactory
from tests.mail.helpers import LOCAL_CORPUS

Ingest = Callable[..., InboundMail]

# The variable that names a folder of real-world mail to add to our own corpus.
SHARED_CORPUS_VARIABLE = "SERVICEDESK_MAIL_CORPUS"
CORPUS_SKIPPED_PREFIXES = ("LICENSE", "README")


def shared_corpus() -> Path | None:
    """Return the folder SERVICEDESK_MAIL_CORPUS names (absolute), or None when it is unset.

    A relative value is read from the current folder. A value naming no folder raises
    FileNotFoundError saying so: a mistyped path must not quietly test less.
    """
    value = os.environ.get(SHARED_CORPUS_VARIABLE, "").strip()
    if not value:
        return None
    folder = Path(value).expanduser().resolve()
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{SHARED_CORPUS_VARIABLE} names {folder}, which is not a folder; "
            "unset it to use only the corpus in tests/mail/corpus"
        )
    return folder


def corpus_files() -> list[Path]:
    """Return every message file of our corpus and of the shared one when it is named."""
    shared = shared_corpus()
    folders = [LOCAL_CORPUS] if shared is None else [shared, LOCAL_CORPUS]
    return sorted(
        path
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and not path.name.upper().startswith(CORPUS_SKIPPED_PREFIXES)
    )


@pytest.fixture(autouse=True)
def mail_settings(settings: Settings, tmp_path: Path) -> None:
    """Our own addresses, a fixed reply secret, tasks run when queued, files in tmp."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFAULT_FROM_EMAIL = "Service desk <support@desk.example>"
    settings.MAIL_REPLY_ADDRESS = "support@desk.example"
    settings.MAIL_REPLY_SECRET = "test-reply-secret"
    settings.MAIL_UNKNOWN_SENDERS = "create"
    settings.MAIL_FALLBACK_ORGANISATION = ""
    settings.MAIL_RATE_LIMIT_PER_HOUR = 30
    settings.MAIL_MAX_BYTES = 30 * 1024 * 1024
    settings.MAIL_WEBHOOK_TOKEN = "webhook-token-for-tests"
    settings.SITE_URL = "https://desk.example"


@pytest.fixture
def ingest(db: None, django_capture_on_commit_callbacks: Any) -> Ingest:
    """Ingest raw bytes as a receiver does, running what commits trigger (sending)."""

    def run(raw: bytes, **kwargs: Any) -> InboundMail:
        kwargs.setdefault("source", "test")
        with django_capture_on_commit_callbacks(execute=True):
            inbound = mail_ingest(raw, **kwargs)
        inbound.refresh_from_db()
        return inbound

    return run


@pytest.fixture
def klant(db: None) -> Organisation:
    """A Dutch customer whose people write from klant.example."""
    return OrganisationFactory(
        name="Klant BV", code="klant", email_domains="klant.example", language=Language.DUTCH
    )


@pytest.fixture
def jan(klant: Organisation) -> Contact:
    """A contact of the customer, without a portal login, who writes Dutch."""
    return ContactFactory(
        organisation=klant,
        name="Jan Jansen",
        email="Jan@Klant.example",
        user=None,
        language=Language.DUTCH,
    )
