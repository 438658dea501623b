"""Ticket numbers in subjects, clean titles, and signed reply-address tokens."""

# Foreign scripts and typographic punctuation are what these tests are about.
# ruff: noqa: RUF001

import pytest

from servicedesk.mail.threading import (
    clean_subject,
    make_reply_address,
    make_reply_token,
    read_reply_address,
    read_reply_token,
    ticket_numbers_in_subject,
)

SECRET = "test-secret-for-reply-tokens"


def test_it_finds_bracketed_ticket_numbers() -> None:
    assert ticket_numbers_in_subject("RE: [SD-000123] Printer") == ["SD-000123"]
    assert ticket_numbers_in_subject("[sd-123] and [ SD-000123 ] and [SD-7]") == [
        "SD-000123",
        "SD-000007",
    ]
    assert ticket_numbers_in_subject("[SD-1234567] big") == ["SD-1234567"]


def test_it_ignores_unbracketed_and_foreign_numbers() -> None:
    assert ticket_numbers_in_subject("SD-000123 printer") == []
    assert ticket_numbers_in_subject("[INC-000123] [SD-] [SD-12a]") == []


def test_it_uses_the_given_prefix() -> None:
    assert ticket_numbers_in_subject("[HD-000042] x [SD-000001]", prefix="HD") == ["HD-000042"]


@pytest.mark.parametrize(
    ("subject", "title"),
    [
        ("Re: Printer werkt niet", "Printer werkt niet"),
        ("RE: RE: Fwd: Printer", "Printer"),
        ("AW: WG: Drucker", "Drucker"),
        ("Antw: Doorst: Printer", "Printer"),
        ("TR: RE : Imprimante", "Imprimante"),
        ("Réf : Imprimante", "Imprimante"),
        ("Re[2]: Printer", "Printer"),
        ("Re (3): Printer", "Printer"),
        ("FW: [SD-000123] Printer werkt niet", "Printer werkt niet"),
        ("RE: [SD-000123]   Printer   werkt niet", "Printer werkt niet"),
        ("回复：打印机", "打印机"),
        ("Reason: disk full", "Reason: disk full"),
        ("Trouble: printer", "Trouble: printer"),
        ("Re:", ""),
    ],
)
def test_it_cleans_subjects(subject: str, title: str) -> None:
    assert clean_subject(subject) == title


def test_it_round_trips_a_reply_token() -> None:
    token = make_reply_token("SD-000123", secret=SECRET)
    number, signature = token.split(".")
    assert number == "SD-000123"
    assert len(signature) == 16 and signature.isalnum() and signature == signature.lower()
    assert read_reply_token(token, secret=SECRET) == "SD-000123"
    # Mail systems may change the case of a local part.
    assert read_reply_token(token.lower(), secret=SECRET) == "SD-000123"
    assert read_reply_token(token.upper(), secret=SECRET) == "SD-000123"


def test_it_rejects_tampered_tokens() -> None:
    token = make_reply_token("SD-000123", secret=SECRET)
    number, signature = token.split(".")
    flipped = signature[:-1] + ("a" if signature[-1] != "a" else "b")
    assert read_reply_token(f"{number}.{flipped}", secret=SECRET) is None
    assert read_reply_token(f"SD-000124.{signature}", secret=SECRET) is None
    assert read_reply_token(token, secret="another-secret") is None
    for garbage in (
        "",
        ".",
        "SD-000123",
        "SD-000123.",
        f"{token}x",
        "x" * 10_000,
        "SD-000123.é" * 3,
    ):
        assert read_reply_token(garbage, secret=SECRET) is None


def test_it_refuses_bad_input_when_signing() -> None:
    with pytest.raises(ValueError, match="secret"):
        make_reply_token("SD-000123", secret="")
    with pytest.raises(ValueError, match="ticket number"):
        make_reply_token("SD-1.2", secret=SECRET)


def test_it_round_trips_a_reply_address() -> None:
    address = make_reply_address("SD-000123", secret=SECRET, mailbox="support@desk.example")
    assert address.startswith("support+SD-000123.") and address.endswith("@desk.example")
    assert read_reply_address(address, secret=SECRET) == "SD-000123"
    assert read_reply_address(f"<{address.upper()}>", secret=SECRET) == "SD-000123"
    assert read_reply_address("support@desk.example", secret=SECRET) is None
    assert (
        read_reply_address("support+SD-000123.aaaaaaaaaaaaaaaa@desk.example", secret=SECRET) is None
    )
    # An existing tag on the mailbox is replaced, not stacked.
    again = make_reply_address("SD-000123", secret=SECRET, mailbox="support+old@desk.example")
    assert again == address
