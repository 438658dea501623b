"""Which ticket a mail belongs to: numbers in subjects and signed reply addresses.

Pure functions, no database:

- `ticket_numbers_in_subject(subject, prefix=...)` returns the ticket numbers tagged in a
  subject as "[SD-000123]", in order, without duplicates, normalised to the desk's form
  ("SD-" and at least six digits). Only bracketed tags count: a bare "SD-123" in the
  text may be a quote of another system's number or a customer's own reference;
- `clean_subject(subject, prefix=...)` returns the subject without reply and forward
  prefixes (Re, RE, Fwd, FW, AW, WG, Antw, Doorst, TR, Réf, SV, VS, ENC, "Re[2]", ...,
  repeated) and without ticket tags, for a new ticket's title;
- `make_reply_token(number, secret=...)` returns "SD-000123.<signature>": an HMAC-SHA256
  signature (16 lowercase base32 characters, 80 bits) that proves we issued it;
  `read_reply_token(token, secret=...)` returns the ticket number, or None when the
  token is malformed or tampered with (constant-time comparison). Tokens are
  case-insensitive, because mail systems may lowercase local parts;
- `make_reply_address(number, secret=..., mailbox="support@desk.example")` returns
  "support+SD-000123.<signature>@desk.example", and `read_reply_address(address,
  secret=...)` the number it carries, or None.

Pass a secret used for nothing else (for instance one derived from SECRET_KEY with a
purpose string), so that rotating it or a flaw elsewhere cannot forge reply addresses.
"""

import base64
import hashlib
import hmac
import re

_TOKEN_CONTEXT = b"servicedesk.reply-token.v1:"
_SIGNATURE_BYTES = 10  # 16 base32 characters
_NUMBER = re.compile(r"[A-Z][A-Z0-9]{0,9}-[0-9]{1,12}")
_REPLY_PREFIX = re.compile(
    r"(?:re|fwd?|aw|wg|antw|antwoord|doorst|tr|réf|sv|vs|vl|enc|回复|答复|转发)"
    r"(?:\s*\[\d{1,4}\]|\s*\(\d{1,4}\))?\s*[:\uff1a]\s*",
    re.IGNORECASE,
)


def _tag_pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"\[\s*{re.escape(prefix)}-(\d{{1,12}})\s*\]", re.IGNORECASE)


def ticket_numbers_in_subject(subject: str, *, prefix: str = "SD") -> list[str]:
    """Return the ticket numbers tagged "[SD-000123]" in `subject`, in order, once each."""
    numbers = (f"{prefix}-{int(digits):06d}" for digits in _tag_pattern(prefix).findall(subject))
    return list(dict.fromkeys(numbers))


def clean_subject(subject: str, *, prefix: str = "SD") -> str:
    """Return `subject` without reply/forward prefixes and ticket tags, for a title."""
    text = _tag_pattern(prefix).sub(" ", subject)
    text = " ".join(text.split())
    while match := _REPLY_PREFIX.match(text):
        text = text[match.end() :]
    return " ".join(text.split())


def _key(secret: str | bytes) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        raise ValueError("a reply token needs a non-empty secret")
    return key


def _signature(number: str, secret: str | bytes) -> str:
    digest = hmac.new(_key(secret), _TOKEN_CONTEXT + number.encode("ascii"), hashlib.sha256)
    return base64.b32encode(digest.digest()[:_SIGNATURE_BYTES]).decode("ascii").lower()


def make_reply_token(ticket_number: str, *, secret: str | bytes) -> str:
    """Return "<number>.<signature>" for use in a reply address."""
    number = ticket_number.strip().upper()
    if not _NUMBER.fullmatch(number):
        raise ValueError(f"not a ticket number: {ticket_number!r}")
    return f"{number}.{_signature(number, secret)}"


def read_reply_token(token: str, *, secret: str | bytes) -> str | None:
    """Return the ticket number a token was made for, or None if it is not genuine."""
    if len(token) > 100:
        return None
    number, dot, signature = token.strip().rpartition(".")
    number = number.upper()
    signature = signature.lower()
    if not dot or not _NUMBER.fullmatch(number) or not signature.isascii():
        return None
    expected = _signature(number, secret)
    if hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
        return number
    return None


def make_reply_address(ticket_number: str, *, secret: str | bytes, mailbox: str) -> str:
    """Return `mailbox` plus-addressed with the ticket's token: support+SD-1.sig@host."""
    local, at, domain = mailbox.strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not a mailbox: {mailbox!r}")
    token = make_reply_token(ticket_number, secret=secret)
    return f"{local.split('+', 1)[0]}+{token}@{domain}"


def read_reply_address(address: str, *, secret: str | bytes) -> str | None:
    """Return the ticket number in a plus-addressed reply address, or None."""
    local = address.strip().strip("<>").rpartition("@")[0]
    _, plus, token = local.partition("+")
    return read_reply_token(token, secret=secret) if plus else None
