"""Raw mail bytes to a `ParsedMail`: headers decoded, bodies chosen, HTML sanitised.

`parse_message(raw)` returns a frozen `ParsedMail` for any input and never raises.

Error strategy (for the intake that calls this): malformed mail is the normal case, so
problems are reported, not raised. Every oddity the `email` package notices, and every
part we could not read, is listed in `ParsedMail.defects` and the rest of the message is
still used. Only when the message cannot be read at all is `ParsedMail.parse_error` set
to a short reason an administrator can read (MIME nested so deep that the `email`
package overflows the stack, more than `MAX_PARTS` parts, or an unforeseen failure);
the other fields are then empty and the caller quarantines the raw bytes with that
reason. There is no exception to catch: there is no `MailParseError`.

Limits that keep hostile mail cheap (each is reported in `defects` when it applies):
Content-Type/-Disposition/-Transfer-Encoding fields are cut at `MAX_MIME_FIELD`
bytes (the `email` package parses parameters in quadratic time), parts nested deeper
than `MAX_DEPTH` are not read, HTML is cut at `htmltext.MAX_HTML_CHARS`, at most
`MAX_DEFECTS` defects are kept. A normal message takes about a millisecond; the cost
of the `email` package's header parsing grows with the number of parts.

What the result holds:

- `message_id` without angle brackets; when the message has none, a stable id made from
  the SHA-256 of the raw bytes ("<hex>@servicedesk.invalid", `message_id_synthesised`);
- `in_reply_to` and `references` (oldest first), ids without brackets;
- `subject`: every charset and encoded word decoded, one line (no CR/LF), at most
  1000 characters; header values never carry CR, LF or other control characters;
- `from_address`, `to`, `cc`, `reply_to` as `Address(name, email)`;
- `date`: aware UTC datetime, or None when missing or unusable;
- `text_body` (the text/plain parts), `html_body` (the text/html parts, sanitised by
  `htmltext.sanitize_html`), and `text`: the text body, else text made from the HTML;
  bodies have "\\n" line ends and no NUL characters;
- `attachments`: `Attachment` values for every other part, inline images included;
  a forwarded `message/rfc822` part is kept whole as "forwarded-message.eml";
- `has_tnef`: a winmail.dat (application/ms-tnef) part is attached;
- `auto`: the headers `autoreply.is_automated` looks at;
- `defects`: human-readable strings, at most 50.
"""

import email.policy
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.generator import BytesGenerator
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy, Policy
from email.utils import collapse_rfc2231_value
from io import BytesIO

from servicedesk.mail.charsets import decode_bytes
from servicedesk.mail.filenames import fallback_filename, safe_filename
from servicedesk.mail.headers import (
    Address,
    clean_text,
    decode_header,
    message_ids,
    parse_addresses,
    parse_date,
)
from servicedesk.mail.htmltext import MAX_HTML_CHARS, html_to_text, sanitize_html

__all__ = ["Address", "Attachment", "AutoHeaders", "ParsedMail", "parse_message"]

SYNTHETIC_ID_DOMAIN = "servicedesk.invalid"
FORWARDED_FILENAME = "forwarded-message.eml"
MAX_SUBJECT_CHARS = 1000
MAX_DEPTH = 30
MAX_PARTS = 5000
MAX_MIME_FIELD = 8192
MAX_DEFECTS = 50
TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})

_MIME_FIELD = re.compile(rb"\ncontent-(?:type|disposition|transfer-encoding)[ \t]*:", re.I)
_MIME_FIELD_FIRST = re.compile(rb"content-(?:type|disposition|transfer-encoding)[ \t]*:", re.I)
_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
_REPORT_FILENAMES = {
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attached or inline part: safe file name, MIME type, decoded bytes."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)
    content_id: str | None
    inline: bool

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class AutoHeaders:
    """Headers that tell automated mail apart; None when absent, else the cleaned value."""

    auto_submitted: str | None = None
    precedence: str | None = None
    x_autoreply: str | None = None
    x_autorespond: str | None = None
    x_auto_response_suppress: str | None = None
    x_loop: tuple[str, ...] = ()
    list_id: str | None = None
    list_unsubscribe: str | None = None
    return_path: str | None = None
    content_type: str = "text/plain"
    report_type: str = ""


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """Everything the desk uses from one inbound message; see the module docstring."""

    message_id: str
    message_id_synthesised: bool
    in_reply_to: str | None
    references: tuple[str, ...]
    subject: str
    from_address: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date: datetime | None
    text_body: str
    html_body: str
    text: str
    attachments: tuple[Attachment, ...]
    has_tnef: bool
    auto: AutoHeaders
    defects: tuple[str, ...]
    parse_error: str | None = None

    @property
    def from_email(self) -> str:
        return self.from_address.email if self.from_address else ""

    @property
    def from_name(self) -> str:
        return self.from_address.name if self.from_address else ""

    @property
    def reply_address(self) -> Address | None:
        """The first Reply-To address, else the sender."""
        return self.reply_to[0] if self.reply_to else self.from_address


def parse_message(raw: bytes) -> ParsedMail:
    """Return the `ParsedMail` for raw message bytes; never raises (see `parse_error`)."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    try:
        return _parse(bytes(raw))
    except Exception as exc:  # the promise is "no input makes this raise"
        return _unparseable(bytes(raw) if isinstance(raw, bytes | bytearray) else b"", exc)


class _Collector:
    """What the walk over the MIME tree finds."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.attachments: list[Attachment] = []
        self.defects: list[str] = []

    def defect(self, text: str) -> None:
        if len(self.defects) < MAX_DEFECTS and text not in self.defects:
            self.defects.append(text)

    def note_defects(self, part: Message, path: str) -> None:
        for found in getattr(part, "defects", ()):
            name = type(found).__name__
            detail = clean_text(str(found))[:200]
            text = f"{name}: {detail}" if detail and detail != name else name
            self.defect(f"part {path}: {text}" if path else text)

    def attempt[T](self, read: Callable[[], T], fallback: T, what: str) -> T:
        try:
            return read()
        except Exception as exc:  # hostile headers can trip the email package
            self.defect(f"{what}: {type(exc).__name__}")
            return fallback


class _TooManyParts(Exception):
    pass


def _part_factory(policy: Policy) -> Callable[..., Message]:
    """Return a message factory for the parser that stops it after `MAX_PARTS` parts."""
    created = 0

    def new_part(**_: object) -> Message:
        nonlocal created
        created += 1
        if created > MAX_PARTS + 1:  # the parser makes one extra to probe the factory
            raise _TooManyParts
        return EmailMessage(policy=policy) if isinstance(policy, EmailPolicy) else Message(policy)

    return new_part


def _read_mime(raw: bytes, found: _Collector) -> Message:
    failure = "unknown"
    for name, policy in (("default", email.policy.default), ("compat32", email.policy.compat32)):
        try:
            return BytesParser(_part_factory(policy), policy=policy).parsebytes(raw)
        except _TooManyParts:
            raise
        except Exception as exc:  # the legacy policy is more lenient: try it next
            failure = type(exc).__name__
            found.defect(f"parsing with the {name} policy failed: {failure}")
            if isinstance(exc, RecursionError):
                break  # nested too deep for any policy
    raise ValueError(f"the email package could not parse the message ({failure})")


def _defuse(raw: bytes, found: _Collector) -> bytes:
    """Return `raw` with overlong Content-* header fields cut to `MAX_MIME_FIELD` bytes.

    The email package's parameter parser takes quadratic time: one Content-Type with
    100,000 parameters would keep it busy for minutes. No honest field comes close.
    """
    starts = [match.start() + 1 for match in _MIME_FIELD.finditer(raw)]
    if _MIME_FIELD_FIRST.match(raw):
        starts.insert(0, 0)
    pieces: list[bytes] = []
    position = 0
    for start in starts:
        if start < position:
            continue
        end = start
        while True:  # the field goes on while lines start with white space
            end = raw.find(b"\n", end)
            if end < 0 or end + 1 >= len(raw) or raw[end + 1] not in b" \t":
                end = len(raw) if end < 0 else end
                break
            end += 1
        if end - start <= MAX_MIME_FIELD:
            continue
        kept = raw[start : start + MAX_MIME_FIELD]
        cut = kept.rfind(b";")
        pieces += [raw[position:start], kept[:cut] if cut > 0 else kept]
        position = end
    if not pieces:
        return raw
    found.defect(f"Content-* header fields longer than {MAX_MIME_FIELD} bytes were cut")
    pieces.append(raw[position:])
    return b"".join(pieces)


def _parse(raw: bytes) -> ParsedMail:
    found = _Collector()
    try:
        message = _read_mime(_defuse(raw, found), found)
    except _TooManyParts:
        return _unparseable(raw, ValueError(f"more than {MAX_PARTS} MIME parts"))
    headers = _raw_headers(message)

    def first(name: str) -> str | None:
        values = headers.get(name)
        return values[0] if values else None

    ids = message_ids(first("message-id"))
    message_id = ids[0] if ids else _synthetic_id(raw)
    date_header = first("date")
    date = parse_date(date_header)
    if date_header and date is None:
        found.defect("unusable Date header")
    senders = parse_addresses(headers.get("from", []))

    _walk(message, found, path="", depth=0)
    text_body = "\n".join(found.texts)
    html = "\n".join(found.htmls)
    if len(html) > MAX_HTML_CHARS:
        found.defect(f"HTML body cut at {MAX_HTML_CHARS} characters")
    html_body = sanitize_html(html)
    attachments = tuple(found.attachments)
    return ParsedMail(
        message_id=message_id,
        message_id_synthesised=not ids,
        in_reply_to=next(iter(message_ids(first("in-reply-to"))), None),
        references=tuple(message_ids(" ".join(headers.get("references", [])))),
        subject=decode_header(first("subject") or "")[:MAX_SUBJECT_CHARS],
        from_address=senders[0] if senders else None,
        to=parse_addresses(headers.get("to", [])),
        cc=parse_addresses(headers.get("cc", [])),
        reply_to=parse_addresses(headers.get("reply-to", [])),
        date=date,
        text_body=text_body,
        html_body=html_body,
        text=text_body if text_body.strip() else html_to_text(html_body),
        attachments=attachments,
        has_tnef=any(
            item.content_type in TNEF_TYPES or item.filename.lower() == "winmail.dat"
            for item in attachments
        ),
        auto=_auto_headers(message, headers, found),
        defects=tuple(found.defects),
    )


def _raw_headers(part: Message) -> dict[str, list[str]]:
    """Return the part's header values as stored (not parsed), by lowercased name."""
    values: dict[str, list[str]] = {}
    for name, value in part.raw_items():
        values.setdefault(str(name).strip().lower(), []).append(str(value))
    return values


def _auto_headers(
    message: Message, headers: dict[str, list[str]], found: _Collector
) -> AutoHeaders:
    def value(name: str) -> str | None:
        values = headers.get(name)
        return decode_header(values[0]) if values else None

    return_path = value("return-path")
    content_type = _content_type(message, found)
    report_type = found.attempt(lambda: message.get_param("report-type"), None, "report-type")
    if isinstance(report_type, tuple):
        report_type = collapse_rfc2231_value(report_type)
    return AutoHeaders(
        auto_submitted=value("auto-submitted"),
        precedence=value("precedence"),
        x_autoreply=value("x-autoreply"),
        x_autorespond=value("x-autorespond"),
        x_auto_response_suppress=value("x-auto-response-suppress"),
        x_loop=tuple(decode_header(loop) for loop in headers.get("x-loop", [])),
        list_id=value("list-id"),
        list_unsubscribe=value("list-unsubscribe"),
        # "<>" is the null sender of bounces and auto-replies: kept as "".
        return_path=return_path.strip("<> ") if return_path is not None else None,
        content_type=content_type,
        report_type=clean_text(report_type).lower() if isinstance(report_type, str) else "",
    )


def _walk(part: Message, found: _Collector, *, path: str, depth: int) -> None:
    found.note_defects(part, path)
    where = f"part {path}" if path else "message"
    if depth > MAX_DEPTH:
        found.defect(f"{where}: nested deeper than {MAX_DEPTH} levels; not read")
        return
    content_type = _content_type(part, found)
    payload = found.attempt(part.get_payload, None, f"{where} payload")
    if isinstance(payload, list):
        children = [child for child in payload if isinstance(child, Message)]
        if content_type in ("message/rfc822", "message/global"):
            found.attachments.append(_forwarded(part, children, found, where))
        elif content_type.startswith("message/"):
            data = b"\n".join(_serialise(block, found, where) for block in children)
            name = _REPORT_FILENAMES.get(content_type)
            index = len(found.attachments) + 1
            found.attachments.append(
                Attachment(
                    filename=name or fallback_filename(content_type, index),
                    content_type=content_type,
                    data=data,
                    content_id=None,
                    inline=False,
                )
            )
        else:
            for number, child in enumerate(children, 1):
                sub_path = f"{path}.{number}" if path else str(number)
                _walk(child, found, path=sub_path, depth=depth + 1)
        return
    _leaf(part, content_type, found, where)


def _leaf(part: Message, content_type: str, found: _Collector, where: str) -> None:
    body = found.attempt(lambda: part.get_payload(decode=True), None, f"{where} body")
    data = body if isinstance(body, bytes) else b""
    disposition = found.attempt(part.get_content_disposition, None, f"{where} disposition")
    filename = found.attempt(part.get_filename, None, f"{where} filename")
    if content_type.startswith("multipart/"):
        # A multipart without a usable boundary: its raw content is the best text we have.
        content_type = "text/plain"
    if content_type in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        charset = found.attempt(part.get_content_charset, None, f"{where} charset")
        text = decode_bytes(data, charset if isinstance(charset, str) else None)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        (found.texts if content_type == "text/plain" else found.htmls).append(text)
        return
    content_id = _content_id(part)
    index = len(found.attachments) + 1
    found.attachments.append(
        Attachment(
            filename=safe_filename(
                filename if isinstance(filename, str) else None,
                fallback=fallback_filename(content_type, index),
            ),
            content_type=content_type,
            data=data,
            content_id=content_id,
            inline=disposition == "inline" or (disposition is None and content_id is not None),
        )
    )


def _forwarded(part: Message, payload: list[Message], found: _Collector, where: str) -> Attachment:
    data = b"\n".join(_serialise(inner, found, where) for inner in payload)
    filename = found.attempt(part.get_filename, None, f"{where} filename")
    return Attachment(
        filename=safe_filename(
            filename if isinstance(filename, str) else None, fallback=FORWARDED_FILENAME
        ),
        content_type="message/rfc822",
        data=data,
        content_id=_content_id(part),
        inline=False,
    )


def _serialise(message: Message, found: _Collector, where: str) -> bytes:
    """Return a message or header block as bytes, headers exactly as they came."""
    buffer = BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=email.policy.compat32).flatten(message)
    except Exception as exc:  # a hostile nested message must not lose the outer one
        found.defect(f"{where}: could not be kept whole ({type(exc).__name__})")
        return b""
    return buffer.getvalue()


def _content_type(part: Message, found: _Collector) -> str:
    value = found.attempt(part.get_content_type, "application/octet-stream", "content type")
    return value if _MIME_TYPE.fullmatch(value) else "application/octet-stream"


def _content_id(part: Message) -> str | None:
    values = _raw_headers(part).get("content-id")
    if not values:
        return None
    ids = message_ids(values[0])
    if ids:
        return ids[0]
    return clean_text(values[0]).strip("<> ") or None


def _synthetic_id(raw: bytes) -> str:
    return f"{hashlib.sha256(raw).hexdigest()}@{SYNTHETIC_ID_DOMAIN}"


def _unparseable(raw: bytes, exc: Exception) -> ParsedMail:
    return ParsedMail(
        message_id=_synthetic_id(raw),
        message_id_synthesised=True,
        in_reply_to=None,
        references=(),
        subject="",
        from_address=None,
        to=(),
        cc=(),
        reply_to=(),
        date=None,
        text_body="",
        html_body="",
        text="",
        attachments=(),
        has_tnef=False,
        auto=AutoHeaders(),
        defects=(),
        parse_error=f"{type(exc).__name__}: {clean_text(str(exc))[:300]}",
    )
