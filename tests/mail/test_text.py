"""The helpers under parse_message: charsets, header values, file names, HTML."""

import time

import pytest

from servicedesk.mail.charsets import codec_for, decode_bytes, from_surrogates
from servicedesk.mail.filenames import fallback_filename, safe_filename
from servicedesk.mail.headers import decode_header, message_ids, parse_addresses
from servicedesk.mail.htmltext import html_to_text, sanitize_html


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        ("café".encode("latin-1"), "iso-8859-1", "café"),
        ("€5".encode("cp1252"), "iso-8859-1", "€5"),  # labelled latin-1, really cp1252
        ("café".encode(), "us-ascii", "café"),  # labelled ASCII, really UTF-8
        ("café".encode(), None, "café"),
        ("café".encode("cp1252"), None, "café"),
        ("café".encode("cp1252"), "no-such-charset", "café"),
        ("café".encode("cp1252"), "utf-8", "café"),
        (b"\x81\x8d\x8f", None, "\x81\x8d\x8f"),  # nothing fits: latin-1 maps every byte
        ("привет".encode("koi8-r"), "KOI8-R", "привет"),
        ("朱镕基".encode("gbk"), "gb2312", "朱镕基"),
        ("한국어".encode("cp949"), "ks_c_5601-1987", "한국어"),
        ("ｶﾀｶﾅ".encode("cp932"), "shift_jis", "ｶﾀｶﾅ"),
        (b"a\x00b", "utf-8", "ab"),
        (b"\\u0041", "unicode_escape", "\\u0041"),  # not a charset: escapes stay text
        (b"abc", "base64", "abc"),
        (b"abc", "rot13", "abc"),
        (b"abc", "../../etc", "abc"),
        (b"+2D0-", "utf-7", "\ufffd"),  # a lone surrogate from UTF-7 is replaced
    ],
)
def test_it_decodes_bytes_with_fallbacks(data: bytes, charset: str | None, text: str) -> None:
    assert decode_bytes(data, charset) == text


def test_it_tolerates_a_few_bad_bytes_in_the_declared_charset() -> None:
    data = ("Überweisung " * 50).encode() + b"\xff"
    assert decode_bytes(data, "utf-8") == "Überweisung " * 50 + "\ufffd"


def test_it_knows_which_charsets_are_usable() -> None:
    assert codec_for("UTF-8") == "utf-8"
    assert codec_for('"windows-1252"') == "cp1252"
    assert codec_for("utf-8*en") == "utf-8"
    assert codec_for("x-unknown") is None
    assert codec_for("idna") is None
    assert codec_for("") is None
    assert codec_for("a" * 100) is None


def test_it_recovers_raw_bytes_from_surrogates() -> None:
    assert from_surrogates("caf\udcc3\udca9") == "café"
    assert from_surrogates("caf\udce9") == "café"
    assert from_surrogates("plain") == "plain"
    assert from_surrogates("\ud800 lone") == "\ufffd lone"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("=?utf-8?Q?caf=C3=A9?=", "café"),
        ("=?UTF-8?B?Y2Fmw6k=?=", "café"),
        ("=?utf-8?B?Y2Fmw6k?=", "café"),  # missing padding
        ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),  # space between words is not shown
        ("=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab"),
        ("x =?utf-8?q?a?= y", "x a y"),
        ("=?iso-8859-1*fr?Q?caf=E9?=", "café"),
        ("=?bogus?Q?caf=E9?=", "café"),
        ("=?utf-8?X?abc?=", "=?utf-8?X?abc?="),
        ("=?utf-8?Q?a=0D=0Ab?=", "a b"),
        ("a\r\n\tb", "a\tb".replace("\t", " ")),
        ("tab\there\x00nul\x1b[31m", "tab here nul [31m"),
        ("caf\udce9", "café"),
    ],
)
def test_it_decodes_headers(raw: str, text: str) -> None:
    assert decode_header(raw) == text


def test_it_reads_message_ids() -> None:
    assert message_ids("<a@b> <c@d>\r\n <a@b>") == ["a@b", "c@d"]
    assert message_ids("a@b") == ["a@b"]
    assert message_ids("your message of yesterday") == []
    assert message_ids(None) == []
    many = " ".join(f"<id{index}@x>" for index in range(500))
    kept = message_ids(many)
    assert len(kept) == 100
    assert kept[0] == "id0@x" and kept[-1] == "id499@x"


def test_it_parses_addresses() -> None:
    parsed = parse_addresses(
        ['"Doe, Jane" <jane@X.example>, bob@y.example', "undisclosed-recipients:;"]
    )
    assert [(item.name, item.email) for item in parsed] == [
        ("Doe, Jane", "jane@x.example"),
        ("", "bob@y.example"),
    ]
    assert parse_addresses(["=?utf-8?q?a,b@c?= <real@d.example>"])[0].email == "real@d.example"
    assert parse_addresses(["<" * 10_000]) == ()


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\jan\\report.pdf", "report.pdf"),
        ("..", "fallback.bin"),
        (".htaccess", "htaccess"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
        ("a\r\nb.txt", "ab.txt"),  # a folded header line
        ("a\x00b.txt", "a b.txt"),
        ('what?<is>:this|"*".txt', "what__is__this____.txt"),
        ("CON.txt", "_CON.txt"),
        ("=?utf-8?B?w6lhLnBkZg==?=", "éa.pdf"),
        ("e\u0301t\u0301e\u0301.txt", "\u00e9t\u0301\u00e9.txt"),
        ("", "fallback.bin"),
        (None, "fallback.bin"),
    ],
)
def test_it_makes_file_names_safe(name: str | None, safe: str) -> None:
    assert safe_filename(name, fallback="fallback.bin") == safe


def test_it_shortens_long_file_names_keeping_the_extension() -> None:
    name = safe_filename("x" * 500 + ".pdf", fallback="f")
    assert len(name) == 200 and name.endswith(".pdf")
    assert fallback_filename("image/png", 3) == "attachment-3.png"
    assert fallback_filename("application/x-whatever", 1) == "attachment-1.bin"


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=JaVaScRiPt:alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<a href='  JAVASCRIPT:alert(1)'>x</a>",
        "<a href='vbscript:msgbox(1)'>x</a>",
        "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<<script>script>alert(1)<</script>/script>",
        "<body onload=alert(1)>",
        '<div style="width: expression(alert(1))">x</div>',
        "<base href='https://evil.example/'><a href='x'>x</a>",
        "<link rel=stylesheet href=https://evil.example/x.css>",
        "<input autofocus onfocus=alert(1)>",
        "<details open ontoggle=alert(1)>",
        "<video><source onerror=alert(1)></video>",
    ],
)
def test_it_sanitises_hostile_html(hostile: str) -> None:
    cleaned = sanitize_html(hostile).lower()
    for forbidden in (
        "<script",
        "onerror",
        "onload",
        "onfocus",
        "ontoggle",
        "javascript:",
        "vbscript:",
        "expression(",
        "<base",
        "<link",
        "<input",
        "style=",
        "data:",
    ):
        assert forbidden not in cleaned, (hostile, cleaned)


def test_it_keeps_only_cid_images() -> None:
    html = (
        '<img src="https://track.example/p.gif" width="1" height="1">'
        '<img src="http://track.example/p.gif">'
        '<img src="//track.example/p.gif">'
        '<img src="/relative.gif">'
        '<img srcset="https://track.example/p.gif 1x">'
        '<img src="CID:part1@x" alt="a>b">'
    )
    assert sanitize_html(html) == '<img src="CID:part1@x" alt="a&gt;b">'


def test_it_keeps_safe_links_with_rel() -> None:
    cleaned = sanitize_html(
        '<a href="https://example.com/" target="_blank">x</a><a href="mailto:a@b">m</a>'
    )
    assert cleaned == (
        '<a href="https://example.com/" rel="noopener noreferrer nofollow">x</a>'
        '<a href="mailto:a@b" rel="noopener noreferrer nofollow">m</a>'
    )


def test_it_turns_html_into_readable_text() -> None:
    html = (
        "<p>Hello <b>Jan</b>,</p><p>Line one<br>line&nbsp;two &amp; more</p>"
        "<ul><li>first</li><li>second</li></ul>"
        "<div>On Mon, 3 Nov 2025, Desk wrote:</div>"
        "<blockquote><p>old text</p><blockquote>older</blockquote></blockquote>"
        "<pre>  keep\n    indent</pre>"
    )
    assert html_to_text(html) == (
        "Hello Jan,\nLine one\nline two & more\n- first\n- second\n"
        "On Mon, 3 Nov 2025, Desk wrote:\n> old text\n> > older\n  keep\n    indent"
    )
    assert html_to_text("") == ""


def test_it_handles_huge_html_quickly() -> None:
    for html in (
        "<p>" + "x" * 1_000_000 + "</p>",
        "<div>" * 100_000,
        "<a href='" + "x" * 1_000_000,
    ):
        started = time.perf_counter()
        html_to_text(sanitize_html(html))
        assert time.perf_counter() - started < 3
