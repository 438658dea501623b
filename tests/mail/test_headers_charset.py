"""Header charsets when mailers get them wrong: raw 8-bit bytes, mislabelled words.

Raw message bytes go through `parse_message`, as the intake sends them.
"""

# Foreign scripts are what these tests are about.
# ruff: noqa: RUF001

import pytest

from servicedesk.mail.charsets import decode_header_bytes
from servicedesk.mail.headers import decode_header
from servicedesk.mail.parse import parse_message

KOI8_IVAN = "Иван".encode("koi8-r")


def subject_of(raw_subject: bytes) -> str:
    raw = b"From: jan@klant.example\r\nSubject: " + raw_subject + b"\r\n\r\nBody.\r\n"
    parsed = parse_message(raw)
    assert parsed.parse_error is None
    return parsed.subject


@pytest.mark.parametrize(
    "raw_subject",
    [
        b"Fr\xf6sche",  # a raw latin-1 byte, no encoded word
        b"Fr\xc3\xb6sche",  # raw UTF-8 (RFC 6532)
        b"=?iso-8859-1?q?Fr=F6sche?=",
        b"=?utf-8?q?Fr=F6sche?=",  # labelled UTF-8, really latin-1
        b"=?utf-8?q?Fr\xf6sche?=",  # a raw latin-1 byte in a UTF-8 word
        b"=?utf-8?b?RnL2c2NoZQ==?=",
        b"=?iso-8859-1?q?Fr\xf6sche?=",  # a raw latin-1 byte in a latin-1 word
        b"=?ISO-8859-1?Q?Fr\xf6sche?=",
        b"=?windows-1252?q?Fr\xf6sche?=",
        b"=?iso-8859-1?q?Fr=C3=B6sche?=",  # labelled latin-1, really UTF-8
        b"=?iso-8859-1?q?Fr\xc3\xb6sche?=",  # raw UTF-8 in a latin-1 word
        b"=?iso-8859-15?b?RnLDtnNjaGU=?=",  # the same, base64
        b"=?us-ascii?q?Fr=F6sche?=",
        b"=?iso-8859-1?q?Fr?= =?iso-8859-1?q?\xf6sche?=",
    ],
)
def test_it_decodes_frosche_however_the_mailer_wrote_it(raw_subject: bytes) -> None:
    assert subject_of(raw_subject) == "Frösche"


def test_it_decodes_each_run_of_raw_bytes_on_its_own() -> None:
    # A mailing list put a latin-1 prefix before a UTF-8 subject.
    assert subject_of(b"[Fr\xf6sche] Rechnung \xe2\x82\xac 5") == "[Frösche] Rechnung € 5"


def test_it_decodes_raw_bytes_inside_a_word_in_the_words_charset() -> None:
    assert subject_of(b"=?koi8-r?q?" + KOI8_IVAN + b"?=") == "Иван"
    assert subject_of(b"=?koi8-r?q?" + KOI8_IVAN + b"_" + KOI8_IVAN + b"?=") == "Иван Иван"


def test_it_decodes_raw_bytes_inside_a_word_of_a_display_name() -> None:
    raw = (
        b"From: =?koi8-r?q?" + KOI8_IVAN + b"?= <ivan@klant.example>\r\n"
        b"To: =?iso-8859-1?q?J\xf6rg?= <jorg@desk.example>, Fr\xf6sche <f@desk.example>\r\n"
        b"Subject: x\r\n\r\nBody.\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.from_name == "Иван"
    assert parsed.from_email == "ivan@klant.example"
    assert [(to.name, to.email) for to in parsed.to] == [
        ("Jörg", "jorg@desk.example"),
        ("Frösche", "f@desk.example"),
    ]


@pytest.mark.parametrize(
    ("raw_subject", "text"),
    [
        # Bytes that are not UTF-8 keep the declared charset.
        (b"=?windows-1252?q?=80_5_=96_caf=E9?=", "€ 5 – café"),
        (b"=?iso-8859-1?q?caf=E9?=", "café"),
        (b"=?koi8-r?b?" + b"6dfBzg==" + b"?=", "Иван"),
        # A multi-byte charset is not second-guessed: C3 A9 is "é" in UTF-8 too.
        (b"=?shift_jis?q?=C3=A9?=", "ﾃｩ"),
        (b"=?gb2312?b?tPLTobv6?=", "打印机"),
    ],
)
def test_it_keeps_the_declared_charset_when_the_bytes_are_not_utf_8(
    raw_subject: bytes, text: str
) -> None:
    assert subject_of(raw_subject) == text


def test_it_decodes_surrogate_escaped_bytes_as_the_email_package_hands_them_over() -> None:
    # BytesParser keeps raw bytes as lone surrogates: U+DCC3 U+DCB6 are the bytes C3 B6.
    assert decode_header("=?iso-8859-1?q?Fr\udcc3\udcb6sche?=") == "Frösche"
    assert decode_header("=?iso-8859-1?q?Fr\udcf6sche?=") == "Frösche"
    assert decode_header("Fr\udcf6sche \udce2\udc82\udcac") == "Frösche €"
    assert decode_header("lone \ud800 surrogate") == "lone \ufffd surrogate"


def test_it_prefers_valid_utf_8_only_over_single_byte_labels() -> None:
    assert decode_header_bytes("Frösche".encode(), "iso-8859-1") == "Frösche"
    assert decode_header_bytes("Frösche".encode(), "koi8-r") == "Frösche"
    assert decode_header_bytes("Frösche".encode("latin-1"), "iso-8859-1") == "Frösche"
    assert decode_header_bytes("€".encode("cp1252"), None) == "€"
