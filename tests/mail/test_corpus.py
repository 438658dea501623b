"""Every message of the shared and our own corpus parses, safely, without an exception."""

import pytest

from servicedesk.mail.parse import parse_message
from tests.mail.helpers import LOCAL_CORPUS, SHARED_CORPUS

SKIPPED_PREFIXES = ("LICENSE", "README")


def corpus_files() -> list[str]:
    if not SHARED_CORPUS.is_dir():
        # Collected at import time: fail loudly rather than silently test nothing.
        return [f"MISSING:{SHARED_CORPUS}"]
    files = [*SHARED_CORPUS.rglob("*"), *LOCAL_CORPUS.rglob("*")]
    return sorted(
        str(path)
        for path in files
        if path.is_file() and not path.name.upper().startswith(SKIPPED_PREFIXES)
    )


def test_it_finds_the_shared_corpus() -> None:
    assert SHARED_CORPUS.is_dir(), (
        f"the shared mail corpus is missing: expected it at {SHARED_CORPUS} "
        "(shared/mail-corpus beside the repository)"
    )
    assert len([path for path in SHARED_CORPUS.rglob("*") if path.is_file()]) > 100
    assert len(list(LOCAL_CORPUS.glob("*.eml"))) >= 20


@pytest.mark.parametrize(
    "path", corpus_files(), ids=lambda path: path.rsplit("/", 2)[-2] + "/" + path.rsplit("/", 1)[-1]
)
def test_it_parses_every_corpus_message(path: str) -> None:
    assert not path.startswith("MISSING:"), f"the shared mail corpus is missing: {path[8:]}"
    with open(path, "rb") as handle:
        raw = handle.read()

    parsed = parse_message(raw)

    assert parsed.parse_error is None
    assert parsed.message_id
    assert isinstance(parsed.subject, str)
    assert "\n" not in parsed.subject and "\r" not in parsed.subject
    html = parsed.html_body.lower()
    assert "<script" not in html
    assert "onerror=" not in html
    assert "javascript:" not in html
    # Everything we hand on can be stored as UTF-8 text.
    parsed.text.encode("utf-8")
    parsed.subject.encode("utf-8")
    assert "\x00" not in parsed.text
    for attachment in parsed.attachments:
        assert attachment.filename
        assert "/" not in attachment.filename and "\\" not in attachment.filename
