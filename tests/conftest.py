"""Shared fixtures: people on both sides of the desk, API clients for them, the browser."""

import shutil
from collections.abc import Iterator

import pytest
from django.db import connection
from playwright.sync_api import Browser, sync_playwright
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from servicedesk.accounts.models import Contact, User
from tests.automation.helpers import raci_defaults
from tests.factories import ContactFactory, StaffFactory
from tests.portal.fixtures import (  # noqa: F401 -- fixtures of the web UI tests
    colleague,
    contract,
    customer,
    customer_client,
    product,
    staff,
    staff_client,
    stranger,
    web_settings,
)


@pytest.fixture
def agent(db: None) -> User:
    return StaffFactory()


@pytest.fixture
def contact(db: None) -> Contact:
    return ContactFactory()


@pytest.fixture
def other_contact(db: None) -> Contact:
    """A contact of another organisation: must never see the first one's data."""
    return ContactFactory()


def client_for(user: User) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def agent_api(agent: User) -> APIClient:
    return client_for(agent)


@pytest.fixture
def contact_api(contact: Contact) -> APIClient:
    assert contact.user is not None
    return client_for(contact.user)


@pytest.fixture
def other_api(other_contact: Contact) -> APIClient:
    assert other_contact.user is not None
    return client_for(other_contact.user)


@pytest.fixture(autouse=True)
def test_settings(settings) -> None:  # type: ignore[no-untyped-def]
    """Fast password hashing, and static files without a collected manifest."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out tests that need PostgreSQL (concurrent writers) when running on SQLite.

    CI runs the whole suite on both databases, so each such test runs in the PostgreSQL pass.
    """
    if connection.vendor == "postgresql":
        return
    kept = [item for item in items if item.get_closest_marker("postgresql") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


# Chromium for the browser tests (tests/e2e and the pages that are checked in a browser):
# one per test process, started when a test first asks for it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium is not installed: the browser tests need Debian's chromium "
            "(apt-get install -y chromium), found on PATH as `chromium`."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _migration_data(request: pytest.FixtureRequest) -> None:
    """Give a transactional test the rows the migrations fill (the RACI matrix's defaults),
    whatever an earlier transactional test left: its flush empties every table."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("_django_db_helper")
    raci_defaults()
