"""Header values made safe: decoded, unfolded, one line, free of CR, LF and controls.

Every function here takes the raw value of a header as the `email` package stores it
(8-bit bytes carried as lone surrogates) and never raises:

- `decode_header(raw)` returns the text of an unstructured header such as Subject, with
  every RFC 2047 encoded word (B and Q, any charset, bogus ones too) decoded, raw 8-bit
  bytes inside a word in the word's charset and outside one as UTF-8 or windows-1252
  (see `charsets.decode_header_bytes`);
- `clean_text(text)` returns the text as one line: CR, LF and other control characters
  become spaces and runs of whitespace collapse, so a header cannot inject another;
- `message_ids(raw)` returns the message ids in a Message-ID, In-Reply-To or References
  header, in order, without angle brackets;
- `parse_addresses(values)` returns `Address` values with display names decoded;
- `parse_date(raw)` returns an aware UTC datetime, or None when there is no usable date.
"""

import binascii
import email.utils
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from servicedesk.mail.charsets import decode_header_bytes, from_surrogates, header_bytes

# Longer values are cut before decoding: no honest header comes near this, and it
# bounds the work a hostile message can cause.
MAX_HEADER_CHARS = 64 * 1024
MAX_IDS = 100
MAX_ADDRESSES = 1000

# One encoded word. Each part stops at the next "?" or whitespace, so scanning a long
# hostile value stays linear. `_ENCODED_WORD` reads a header's bytes, `_ENCODED_TEXT`
# its text (where address headers set words aside).
_ENCODED_WORD = re.compile(rb"=\?([^?\s]{1,75})\?([bBqQ])\?([^?\s]*)\?=")
_ENCODED_TEXT = re.compile(r"=\?([^?\s]{1,75})\?([bBqQ])\?([^?\s]*)\?=")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")
_LINE_BREAKS = re.compile(rb"\r\n|\r|\n")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_BRACKETED_ID = re.compile(r"<\s*([^<>\s]{1,500})\s*>")
_PRIVATE = re.compile("[\ue000\ue001]")
_SET_ASIDE = re.compile("\ue000([0-9]+)\ue001")


@dataclass(frozen=True, slots=True)
class Address:
    """A mailbox: `email` as written (domain lowercased) and the decoded display name."""

    name: str
    email: str


def clean_text(text: str) -> str:
    """Return `text` as one line: control characters to spaces, whitespace collapsed."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def decode_header(raw: str) -> str:
    """Return the decoded text of an unstructured header value as one clean line."""
    # Work on the bytes the sender wrote: raw 8-bit bytes inside an encoded word belong
    # to the word's charset, and a guess made for the whole line would garble them.
    data = _LINE_BREAKS.sub(b"", header_bytes(raw[:MAX_HEADER_CHARS]))
    pieces: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    after_word = False
    pos = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending_charset is not None:
            pieces.append(decode_header_bytes(bytes(pending), pending_charset))
            pending.clear()
            pending_charset = None

    for match in _ENCODED_WORD.finditer(data):
        between = data[pos : match.start()]
        pos = match.end()
        # RFC 2047 6.2: whitespace between two encoded words is not displayed.
        if between and not (after_word and between.isspace()):
            flush()
            pieces.append(decode_header_bytes(between))
        charset = match.group(1).decode("latin-1").split("*", 1)[0].lower()
        word = _word_bytes(match.group(2), match.group(3))
        if word is None:
            flush()
            pieces.append(decode_header_bytes(match.group(0)))
            after_word = False
            continue
        # Adjacent words in one charset are decoded together, because mailers split
        # multi-byte characters across words.
        if charset != pending_charset:
            flush()
            pending_charset = charset
        pending.extend(word)
        after_word = True
    flush()
    pieces.append(decode_header_bytes(data[pos:]))
    return clean_text("".join(pieces))


def _word_bytes(encoding: bytes, payload: bytes) -> bytes | None:
    """Return the bytes of an encoded word's payload, or None if it cannot be decoded."""
    try:
        if encoding in b"qQ":
            return binascii.a2b_qp(payload, header=True)
        cleaned = _NOT_BASE64.sub(b"", payload)
        if len(cleaned) % 4 == 1:
            cleaned = cleaned[:-1]
        cleaned += b"=" * (-len(cleaned) % 4)
        return binascii.a2b_base64(cleaned)
    except (binascii.Error, ValueError):
        return None


def message_ids(raw: str | None) -> list[str]:
    """Return the ids in a Message-ID, In-Reply-To or References value, brackets removed."""
    if not raw:
        return []
    text = clean_text(from_surrogates(raw[:MAX_HEADER_CHARS]))
    found = _BRACKETED_ID.findall(text)
    if not found:
        # Some mailers omit the brackets; free text ("your message of ...") has no "@".
        found = [word.strip("<>") for word in text.split() if "@" in word]
    unique = list(dict.fromkeys(found))
    if len(unique) > MAX_IDS:
        # Keep the thread's root and the most recent ancestors.
        unique = [unique[0], *unique[-(MAX_IDS - 1) :]]
    return unique


def parse_addresses(values: list[str]) -> tuple[Address, ...]:
    """Return the mailboxes in address header values (From, To, Cc, Reply-To)."""
    # Encoded words are set aside before splitting: decoded (or even encoded, when
    # malformed) they may hold ":", "@" or "," that would move the address boundaries.
    # They are set aside as they came, raw bytes and all, for `decode_header`.
    words: list[str] = []

    def set_aside(value: str) -> str:
        pieces: list[str] = []
        pos = 0
        for match in _ENCODED_TEXT.finditer(value):
            pieces.append(_PRIVATE.sub("", from_surrogates(value[pos : match.start()])))
            words.append(match.group(0))
            pieces.append(f"\ue000{len(words) - 1}\ue001")
            pos = match.end()
        pieces.append(_PRIVATE.sub("", from_surrogates(value[pos:])))
        return clean_text("".join(pieces))

    def restore(text: str) -> str:
        return _SET_ASIDE.sub(lambda match: words[int(match.group(1))], text)

    prepared = [set_aside(_PRIVATE.sub("", value[:MAX_HEADER_CHARS])) for value in values]
    try:
        pairs = email.utils.getaddresses(prepared)
    except Exception:  # hostile input; a value we cannot split yields no addresses
        return ()
    found: list[Address] = []
    for name, addr in pairs[:MAX_ADDRESSES]:
        mailbox = "".join(from_surrogates(restore(addr)).split()).strip("<>")
        if not mailbox:
            continue
        local, at, domain = mailbox.rpartition("@")
        if at:
            mailbox = f"{local}@{domain.lower()}"
        found.append(Address(name=decode_header(restore(name)) if name else "", email=mailbox))
    return tuple(found)


def parse_date(raw: str | None) -> datetime | None:
    """Return the Date header as an aware UTC datetime, or None when unusable."""
    if not raw:
        return None
    text = clean_text(from_surrogates(raw[:200]))
    try:
        value = email.utils.parsedate_to_datetime(text)
        if value.tzinfo is None:
            # "-0000" means "zone unknown": UTC is the least wrong reading.
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except Exception:  # hostile input; any failure means there is no usable date
        return None
