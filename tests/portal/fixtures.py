"""Fixtures shared by the web UI tests (portal and desk): a customer under contract, staff,
signed-in clients, uploads in a temporary directory, static files without a manifest."""

from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.contracts.models import Contract
from tests.factories import ContactFactory, ContractFactory, ProductFactory, StaffFactory

SIMPLE_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture(autouse=True)
def web_settings(settings: Settings, tmp_path: Path) -> None:
    """Serve static files without collectstatic's manifest; store uploads in a temp dir."""
    settings.STORAGES = SIMPLE_STATIC
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def product(db: None) -> Product:
    return ProductFactory(name="Kestrel Invoicing")


@pytest.fixture
def contract(product: Product) -> Contract:
    """A P1-P5 contract (seed 001) covering the product, first response in office hours."""
    contract = ContractFactory(
        service_level="impact-urgency-nl-office-hours", priority_scheme="impact-urgency-p1-p5"
    )
    contract.products.add(product)
    return contract


@pytest.fixture
def customer(contract: Contract) -> Contact:
    """A contact of the contracted organisation, with a portal login."""
    return ContactFactory(organisation=contract.organisation, name="Anna de Boer")


@pytest.fixture
def colleague(contract: Contract) -> Contact:
    """Another contact of the same organisation."""
    return ContactFactory(organisation=contract.organisation, name="Bram Visser")


@pytest.fixture
def stranger(db: None) -> Contact:
    """A contact of another organisation."""
    return ContactFactory(name="Other Customer")


@pytest.fixture
def staff(db: None) -> User:
    return StaffFactory(first_name="Sanne", last_name="de Vries")


def login(user: User | None) -> Client:
    """Return a client signed in as the user (as stored: factories do not save passwords)."""
    assert user is not None
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    return client


@pytest.fixture
def customer_client(customer: Contact) -> Client:
    return login(customer.user)


@pytest.fixture
def staff_client(staff: User) -> Client:
    return login(staff)
