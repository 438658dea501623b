"""Random bytes and random header garbage never make parse_message raise."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicedesk.mail.autoreply import is_automated
from servicedesk.mail.parse import ParsedMail, parse_message
from servicedesk.mail.quotes import split_reply
from servicedesk.mail.threading import clean_subject, read_reply_token, ticket_numbers_in_subject

HEADER_NAMES = [
    "From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To",
    "References", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition",
    "Content-ID", "MIME-Version", "Auto-Submitted", "Precedence", "X-Loop", "List-Id",
    "Return-Path", "X-Auto-Response-Suppress",
]  # fmt: skip
FRAGMENTS = [
    "=?", "?=", "?Q?", "?B?", "=?utf-8?Q?", "=?bogus?B?", "=?iso-2022-jp?B?GyRC", "=0D=0A",
    "\r\n", "\n", "\r", "\r\n ", "\t", "\x00", "<", ">", "@", ",", ";", ":", '"', "\\",
    "(", ")", "boundary=", "charset=", "multipart/mixed", "message/rfc822", "base64",
    "quoted-printable", "filename*=", "''", "%", "\udcff", "é", "\u202e", "--", "*0*=",
    "report-type=delivery-status", "multipart/report", "text/html", "<script>", "x",
]  # fmt: skip

header_values = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=30
).map("".join)
headers = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(HEADER_NAMES), st.text(string.printable, max_size=10)),
        header_values,
    ),
    max_size=12,
)
bodies = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.sampled_from([*FRAGMENTS, "--b\r\n", "--b--\r\n", "\r\n\r\n"]), max_size=60).map(
        "".join
    ),
)


def check(parsed: ParsedMail) -> None:
    assert parsed.message_id
    assert isinstance(parsed.subject, str)
    for value in (parsed.subject, parsed.message_id, parsed.from_name, parsed.from_email):
        assert "\r" not in value and "\n" not in value
        value.encode("utf-8")
    parsed.text.encode("utf-8")
    parsed.html_body.encode("utf-8")
    assert "<script" not in parsed.html_body.lower()
    is_automated(parsed, our_addresses=["support@desk.example"])
    split_reply(parsed.text)
    ticket_numbers_in_subject(parsed.subject)
    clean_subject(parsed.subject)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_it_never_raises_on_random_bytes(raw: bytes) -> None:
    check(parse_message(raw))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers, bodies)
def test_it_never_raises_on_header_garbage(
    fields: list[tuple[str, str]], body: str | bytes
) -> None:
    head = "".join(f"{name}: {value}\r\n" for name, value in fields)
    raw = head.encode("utf-8", "surrogateescape") + b"\r\n"
    raw += body if isinstance(body, bytes) else body.encode("utf-8", "surrogateescape")
    check(parse_message(raw))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_it_never_raises_splitting_random_text(text: str) -> None:
    reply, _ = split_reply(text)
    assert reply or not text.strip()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_it_never_raises_reading_random_tokens(token: str) -> None:
    assert read_reply_token(token, secret="s") is None
