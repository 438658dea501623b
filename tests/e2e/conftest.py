"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Playwright's own browser download cannot work here, so the tests launch the system's
`chromium` (CI installs it with `apt-get install -y chromium`). Without it they fail,
saying so: a skipped browser test would hide a broken page.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from tests.factories import (
    ContactFactory,
    ContractFactory,
    ProductFactory,
    StaffFactory,
    TeamFactory,
)
from tests.portal.fixtures import SIMPLE_STATIC

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself are still synchronous and safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def e2e_settings(settings: Settings, tmp_path: Path) -> None:
    settings.STORAGES = SIMPLE_STATIC
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def with_password(user: User | None) -> User:
    assert user is not None
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def product(transactional_db: None) -> Product:
    return ProductFactory(name="Kestrel Invoicing", group__name="ERP & Finance")


@pytest.fixture
def contract(product: Product) -> Contract:
    contract = ContractFactory(
        service_level="impact-urgency-nl-office-hours",
        priority_scheme="impact-urgency-p1-p5",
        organisation__name="Van den Berg Groothandel",
        name="Support agreement 2026",
    )
    TeamFactory(name="Finance support")
    contract.products.add(product)
    return contract


def make_contact(contract: Contract, name: str, email: str, language: str = "en") -> Contact:
    contact = ContactFactory(organisation=contract.organisation, name=name, email=email)
    user = with_password(contact.user)
    first, _, last = name.partition(" ")
    User.objects.filter(pk=user.pk).update(language=language, first_name=first, last_name=last)
    return contact


def make_agent(username: str, name: str, language: str = "en") -> User:
    first, _, last = name.partition(" ")
    agent = StaffFactory(username=username, first_name=first, last_name=last, language=language)
    return with_password(agent)


class Pages:
    """Opens pages, each in a fresh browser context (its own cookies), and records console
    errors (a CSP violation is one). Closing them all matters: an open desk page keeps
    polling the live server while later tests run."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def new(self) -> Page:
        context = self.browser.new_context(viewport={"width": 1360, "height": 900})
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser) -> Iterator[Pages]:
    opened = Pages(browser)
    yield opened
    opened.close()


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def screenshot(page: Page, name: str, **options: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), **options)
