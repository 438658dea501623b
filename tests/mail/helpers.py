"""Helpers for the mail tests: corpus locations and a small message builder."""

import email.policy
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from servicedesk.mail.models import OutboundMail
from servicedesk.mail.parse import ParsedMail, parse_message

LOCAL_CORPUS = Path(__file__).resolve().parent / "corpus"
SHARED_CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "mail-corpus"


def parse_corpus(name: str) -> ParsedMail:
    return parse_message((LOCAL_CORPUS / name).read_bytes())


def build(headers: dict[str, str], body: str = "Hello.\n", *, content_type: str = "") -> bytes:
    """Return a simple message as bytes: the given headers, then a UTF-8 body."""
    lines = [f"{name}: {value}" for name, value in headers.items()]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode("utf-8")


def compose(
    *,
    sender: str = "Jan Jansen <jan@klant.example>",
    to: str = "support@desk.example",
    subject: str = "Facturen printen niet",
    body: str = "Sinds vanochtend printen de facturen niet meer.\n",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> bytes:
    """Return a well-formed message as bytes, with optional attachments (name, type, data)."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}>" if message_id else make_msgid(domain="klant.example")
    message["Date"] = "Mon, 02 Mar 2026 09:30:00 +0100"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def message_id_of(raw: bytes) -> str:
    return parse_message(raw).message_id


def kinds_of(mails: Sequence[Any]) -> list[str]:
    """Return the kind of each sent mail (its stored `OutboundMail`), in sending order."""
    kinds = dict(OutboundMail.objects.values_list("message_id", "kind"))
    return [str(kinds[mail.extra_headers["Message-ID"].strip("<>")]) for mail in mails]
