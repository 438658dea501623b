"""Small helpers shared by the ticket tests."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.accounts.models import Contact, User


def upload(name: str = "screenshot.png", content: bytes = b"\x89PNG data") -> SimpleUploadedFile:
    """Return an uploaded file as a browser would send it."""
    return SimpleUploadedFile(name, content, content_type="image/png")


def login_of(contact: Contact) -> User:
    """Return the portal login of a contact made by ContactFactory."""
    assert contact.user is not None
    return contact.user


def fields_of(error: ValidationError) -> set[str]:
    """Return the fields a ValidationError is keyed by."""
    return set(error.message_dict)
