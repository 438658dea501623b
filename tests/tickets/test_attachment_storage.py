"""Attachments go through Django's storage API only: uploaded and downloaded with the
default storage in memory, nothing touches a local folder (a file opened by its local
path would not be found: MEDIA_ROOT never appears).

So an object store (django-storages' S3Storage, shared by several servers) can hold them;
the environment chooses the storage and passes the bucket's settings as its options.
"""

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import InMemoryStorage, default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from servicedesk.accounts.models import Contact, User
from servicedesk.catalog.models import Product
from servicedesk.settings import S3_OPTIONS, S3_STORAGE, storage_options
from servicedesk.tickets.models import Attachment, Ticket
from tests.conftest import client_for
from tests.factories import complete_details, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_memory(settings: Settings, tmp_path: Path) -> Path:
    """The default storage in memory; MEDIA_ROOT a folder that must never appear."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    assert isinstance(storages["default"], InMemoryStorage)
    return settings.MEDIA_ROOT


def stored(attachment: Attachment) -> bytes:
    """Return the attachment's content as the storage holds it."""
    with default_storage.open(attachment.file.name, "rb") as file:
        content: bytes = file.read()
    return content


def downloaded(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_it_stores_an_api_upload_in_the_storage_and_serves_it_everywhere(
    staff: User, customer: Contact, staff_client: Client, customer_client: Client, in_memory: Path
) -> None:
    ticket = make_ticket(customer)
    upload = SimpleUploadedFile("trace.log", b"stack trace", content_type="text/plain")
    api = client_for(staff)
    created = api.post(
        f"/api/v1/tickets/{ticket.number}/attachments", {"file": upload}, format="multipart"
    )
    assert created.status_code == 201, created.content

    attachment = Attachment.objects.get(pk=created.json()["id"])
    assert stored(attachment) == b"stack trace"
    assert attachment.size == len(b"stack trace")
    numbers = [ticket.number, attachment.pk]
    assert downloaded(staff_client, reverse("desk:attachment", args=numbers)) == b"stack trace"
    assert downloaded(customer_client, reverse("portal:attachment", args=numbers)) == (
        b"stack trace"
    )
    content = f"/api/v1/tickets/{ticket.number}/attachments/{attachment.pk}/content"
    assert downloaded(api, content) == b"stack trace"  # type: ignore[arg-type]
    assert not in_memory.exists()


def test_it_stores_the_files_of_a_portal_report_in_the_storage(
    customer_client: Client, staff_client: Client, product: Product, in_memory: Path
) -> None:
    report = {
        "title": "Invoices do not print",
        "product": product.pk,
        **complete_details(),
        "attachments": [SimpleUploadedFile("error.png", b"\x89PNG", content_type="image/png")],
    }
    response = customer_client.post(reverse("portal:report", args=["incident"]), report)
    assert response.status_code == 302

    ticket = Ticket.objects.get()
    attachment = Attachment.objects.get(ticket=ticket)
    assert stored(attachment) == b"\x89PNG"
    download = reverse("desk:attachment", args=[ticket.number, attachment.pk])
    assert downloaded(staff_client, download) == b"\x89PNG"
    assert not in_memory.exists()


# --- the default storage from the environment ----------------------------------------


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No S3 variable set, and django-storages taken as installed (an optional extra)."""
    for names in S3_OPTIONS.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)
    find_spec = importlib.util.find_spec

    def installed(name: str, *args: Any) -> object:
        return object() if name == "storages" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", installed)
    yield monkeypatch


def test_it_gives_the_file_system_storage_no_options(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("AWS_STORAGE_BUCKET_NAME", "desk-files")
    assert storage_options("django.core.files.storage.FileSystemStorage") == {}


def test_it_passes_the_buckets_settings_to_s3_storage(environment: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_STORAGE_BUCKET_NAME": "desk-files",
        "AWS_S3_ENDPOINT_URL": "https://objects.example.test",
        "AWS_S3_REGION_NAME": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "general-key",
        "AWS_S3_ACCESS_KEY_ID": "s3-key",  # the S3 one wins, as in django-storages
        "AWS_SECRET_ACCESS_KEY": "general-secret",
        "AWS_LOCATION": "servicedesk",
        "AWS_S3_ADDRESSING_STYLE": "path",
    }.items():
        environment.setenv(name, value)
    assert storage_options(S3_STORAGE) == {
        "bucket_name": "desk-files",
        "endpoint_url": "https://objects.example.test",
        "region_name": "eu-west-1",
        "access_key": "s3-key",
        "secret_key": "general-secret",
        "location": "servicedesk",
        "addressing_style": "path",
    }


def test_it_leaves_unset_credentials_to_boto3(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("AWS_STORAGE_BUCKET_NAME", "desk-files")
    assert storage_options(S3_STORAGE) == {"bucket_name": "desk-files"}


def test_it_refuses_s3_storage_without_a_bucket(environment: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        storage_options(S3_STORAGE)


def test_it_refuses_s3_storage_without_django_storages(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("AWS_STORAGE_BUCKET_NAME", "desk-files")
    environment.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(ImproperlyConfigured, match=r"servicedesk\[s3\]"):
        storage_options(S3_STORAGE)
