"""Every message of our own corpus, and of the shared one when named, parses safely.

The shared corpus of real-world mail is used when SERVICEDESK_MAIL_CORPUS names its
folder (.ci/run does); without it, only tests/mail/corpus is parsed.
"""

from pathlib import Path

import pytest

from servicedesk.mail.parse import parse_message
from tests.mail.conftest import (
    SHARED_CORPUS_VARIABLE,
    corpus_files,
    shared_corpus,
)
from tests.mail.helpers import LOCAL_CORPUS


def test_it_has_its_own_corpus() -> None:
    assert len(list(LOCAL_CORPUS.glob("*.eml"))) >= 20


def test_it_reads_only_its_own_corpus_when_no_shared_one_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SHARED_CORPUS_VARIABLE, raising=False)
    assert shared_corpus() is None
    files = corpus_files()
    assert files and all(path.is_relative_to(LOCAL_CORPUS) for path in files)
    assert not any(path.name == "README.md" for path in files)


def test_it_adds_the_shared_corpus_the_variable_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "one.eml").write_bytes(b"Subject: x\r\n\r\ny\r\n")
    (tmp_path / "real" / "LICENSE").write_text("not a message")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(SHARED_CORPUS_VARIABLE, "real")  # relative to the current folder
    assert shared_corpus() == tmp_path / "real"
    files = corpus_files()
    assert tmp_path / "real" / "one.eml" in files
    assert len(files) == 1 + len(list(LOCAL_CORPUS.rglob("*.eml")))


def test_it_fails_clearly_when_the_variable_names_no_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(SHARED_CORPUS_VARIABLE, str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match=r"SERVICEDESK_MAIL_CORPUS names .*missing"):
        corpus_files()


@pytest.mark.parametrize("path", corpus_files(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_it_parses_every_corpus_message(path: Path) -> None:
    raw = path.read_bytes()

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
