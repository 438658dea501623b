"""Helpers for the mail tests: corpus locations and a small message builder."""

from pathlib import Path

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
