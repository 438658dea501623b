"""The e-mail channel's settings, read in one place (see README: Configuration).

- `max_bytes()`: MAIL_MAX_BYTES, the largest message taken in (default 30 MB);
- `rate_limit_per_hour()`: MAIL_RATE_LIMIT_PER_HOUR, mails from one sender per hour;
- `unknown_senders()`: MAIL_UNKNOWN_SENDERS, "create" (default: a contact is made for a
  sender whose domain belongs to an organisation, or who falls to the organisation coded
  MAIL_FALLBACK_ORGANISATION; others are refused politely) or "refuse" (only known
  contacts may write);
- `reply_mailbox()`: MAIL_REPLY_ADDRESS, else the address in DEFAULT_FROM_EMAIL; replies to
  "support+SD-000123.<signature>@host" thread by that signed token;
- `reply_secret()`: MAIL_REPLY_SECRET, else a key derived from SECRET_KEY for this purpose;
- `our_addresses()`: every address that is the desk itself, for loop detection.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.crypto import salted_hmac

UNKNOWN_SENDER_POLICIES = ("create", "refuse")


def max_bytes() -> int:
    return int(getattr(settings, "MAIL_MAX_BYTES", 30 * 1024 * 1024))


def rate_limit_per_hour() -> int:
    return int(getattr(settings, "MAIL_RATE_LIMIT_PER_HOUR", 30))


def unknown_senders() -> str:
    """Return the unknown-sender policy; a value other than create/refuse is an error."""
    policy = str(getattr(settings, "MAIL_UNKNOWN_SENDERS", "create")).strip().lower()
    if policy not in UNKNOWN_SENDER_POLICIES:
        raise ImproperlyConfigured(
            f"MAIL_UNKNOWN_SENDERS must be one of {', '.join(UNKNOWN_SENDER_POLICIES)}, "
            f"not {policy!r}"
        )
    return policy


def fallback_organisation_code() -> str:
    return str(getattr(settings, "MAIL_FALLBACK_ORGANISATION", "")).strip()


def from_address() -> str:
    """Return the bare address of DEFAULT_FROM_EMAIL ("Desk <a@b>" gives "a@b")."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def reply_mailbox() -> str:
    configured = str(getattr(settings, "MAIL_REPLY_ADDRESS", "")).strip()
    return parseaddr(configured)[1] if configured else from_address()


def reply_secret() -> str:
    configured = str(getattr(settings, "MAIL_REPLY_SECRET", ""))
    if configured:
        return configured
    return salted_hmac(
        "servicedesk.mail.reply-address", "reply-token", algorithm="sha256"
    ).hexdigest()


def our_domain() -> str:
    """Return the domain our Message-IDs carry."""
    return reply_mailbox().rpartition("@")[2].lower() or "localhost"


def webhook_token() -> str:
    return str(getattr(settings, "MAIL_WEBHOOK_TOKEN", ""))


# The addresses read once for a run over many messages (`addresses_read_once`).
_read_once: ContextVar[list[list[str]] | None] = ContextVar("our_addresses", default=None)


def our_addresses() -> list[str]:
    """Return the desk's own addresses: configured senders and every mailbox's address."""
    from servicedesk.mail.models import Mailbox

    held = _read_once.get()
    if held:
        return held[0]
    addresses = {from_address(), reply_mailbox(), parseaddr(settings.SERVER_EMAIL)[1]}
    addresses.update(
        Mailbox.objects.exclude(address="").values_list("address", flat=True).distinct()
    )
    found = sorted(address.lower() for address in addresses if address)
    if held is not None:
        held.append(found)
    return found


@contextlib.contextmanager
def addresses_read_once() -> Iterator[None]:
    """Read the desk's own addresses once for all the messages taken in inside the block
    (a Maildir, a mailbox's new mail) instead of once per message."""
    token = _read_once.set([])
    try:
        yield
    finally:
        _read_once.reset(token)
