"""Text from bytes whose charset may be missing, wrong or bogus; never raises.

`decode_bytes(data, charset)` returns a `str` for any bytes and any declared charset,
trying in turn: the declared charset (strict), UTF-8 (strict), the declared charset
again tolerating a few bad bytes, windows-1252 (strict), and finally latin-1, which
maps every byte. `from_surrogates(text)` returns the text with the raw 8-bit bytes
that the `email` package smuggles through as lone surrogates decoded the same way.
Neither result ever holds a lone surrogate or a NUL character, so it can be stored in
any database and handed to `nh3`.

Header values get two refinements. `header_bytes(text)` returns the bytes a header
value stood for (the raw bytes back, other characters as UTF-8), so an encoded word is
decoded from its own bytes and not from a guess made for the whole line.
`decode_header_bytes(data, charset)` returns header bytes as text: valid UTF-8 wins
over a declared single-byte charset (so "Fr\xc3\xb6sche" labelled ISO-8859-1 is
"Frösche", not "FrÃ¶sche"), and without a declared charset each run of 8-bit bytes is
decoded on its own, so a line that mixes UTF-8 and latin-1 comes out right.
"""

import codecs
import re

# Charset labels that mailers use for a narrower charset than the one they really send:
# decoding with the superset loses nothing and rescues the common extra characters.
# Keys are Python's canonical codec names (`codecs.lookup(label).name`).
_SUPERSETS = {
    "iso8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "iso2022_jp": "iso2022_jp_ext",
    "tis-620": "cp874",
}

# Text codecs that are not charsets: decoding mail with them would interpret escapes.
_NOT_CHARSETS = frozenset(
    {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined", "mbcs", "oem"}
)

_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]{0,39}")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Surrogates that do not stand for a raw byte (surrogateescape uses U+DC80-U+DCFF).
_NOT_ESCAPES = re.compile("[\ud800-\udc7f\udd00-\udfff]")
_EIGHT_BIT_RUNS = re.compile(rb"([\x80-\xff]+)")

# Codecs that map every byte to a character: any text decodes "fine" with them, UTF-8
# mislabelled as one of them too, as mojibake. Valid UTF-8 in such a label is UTF-8:
# legacy text almost never happens to form valid multi-byte UTF-8 sequences.
_SINGLE_BYTE = re.compile(r"ascii|iso8859-\d+|cp125\d|cp8\d\d|cp437|koi8-[rtu]|mac-[a-z]+|tis-620")

# The share of replaced bytes below which a declared charset is trusted over a guess.
_TOLERATED_ERRORS = 0.01


def codec_for(charset: str | None) -> str | None:
    """Return the Python codec to decode a declared charset with, or None if unusable."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").strip()
    # RFC 2231 allows a language after the charset: "utf-8*en".
    label = label.split("*", 1)[0]
    if not _LABEL.fullmatch(label):
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _NOT_CHARSETS:
        return None
    return _SUPERSETS.get(name, name)


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Return `data` as text, using the declared `charset` when it works; never raises."""
    codec = codec_for(charset)
    text = _decode(data, codec)
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATES.search(text):
        # Some codecs (UTF-7, UTF-16 with bad pairs) can yield lone surrogates.
        text = _SURROGATES.sub("\ufffd", text)
    return text


def _decode(data: bytes, codec: str | None) -> str:
    if codec is not None:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if codec is not None and codec != "ascii":
        # The declared charset with a few bad bytes (a truncated or damaged message)
        # beats a guess, as long as most non-ASCII text decodes fine; when little or
        # none of it does, the label is wrong and a legacy charset is likelier.
        try:
            text = data.decode(codec, "replace")
        except LookupError:
            text = ""
        bad = text.count("\ufffd")
        non_ascii = len(text) - len(text.encode("ascii", "ignore"))
        if text and bad <= len(data) * _TOLERATED_ERRORS and non_ascii - bad > bad:
            return text
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1", "replace")


def from_surrogates(text: str, charset: str | None = None) -> str:
    """Return `text` with surrogate-escaped raw bytes decoded; plain text passes unchanged."""
    if not _SURROGATES.search(text):
        return text
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        # Surrogates that are not escaped bytes cannot be recovered.
        return _SURROGATES.sub("\ufffd", text)
    return decode_bytes(data, charset)


def header_bytes(text: str) -> bytes:
    """Return the bytes a header value stood for: raw 8-bit bytes back, the rest as UTF-8."""
    return _NOT_ESCAPES.sub("\ufffd", text).encode("utf-8", "surrogateescape")


def decode_header_bytes(data: bytes, charset: str | None = None) -> str:
    """Return header bytes as text: UTF-8 beats a single-byte label; never raises.

    With a declared charset, like `decode_bytes`. Without one, each run of 8-bit bytes is
    decoded on its own (UTF-8 when it is valid UTF-8, else windows-1252, else latin-1)
    and ASCII passes unchanged, control characters included: `headers.clean_text`
    turns those into spaces.
    """
    if charset is None:
        return "".join(
            decode_bytes(piece) if index % 2 else piece.decode("ascii")
            for index, piece in enumerate(_EIGHT_BIT_RUNS.split(data))
        )
    codec = codec_for(charset)
    if codec is not None and _SINGLE_BYTE.fullmatch(codec) and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            charset = "utf-8"
    return decode_bytes(data, charset)
