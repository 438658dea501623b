"""Attachment file names that are safe to store, show and offer for download.

`safe_filename(name, fallback=...)` returns the last path component of a (possibly
RFC 2047 encoded) name, NFC-normalised, without control or format characters
(no CR/LF, no right-to-left override tricks), without characters Windows forbids,
without leading dots, at most 200 characters with the extension kept; or `fallback`
when nothing usable remains. `fallback_filename(content_type, index)` returns a name
like "attachment-2.pdf" for a part that has none.
"""

import re
import unicodedata

from servicedesk.mail.headers import decode_header

MAX_FILENAME_CHARS = 200

_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_RESERVED_CHARS = re.compile(r'[<>:"|?*]')
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
)
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/ms-tnef": ".dat",
    "application/vnd.ms-tnef": ".dat",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/csv": ".csv",
    "text/calendar": ".ics",
    "text/rfc822-headers": ".txt",
}


def safe_filename(name: str | None, *, fallback: str) -> str:
    """Return a safe version of an attachment's file name, or `fallback`."""
    if not name:
        return fallback
    text = decode_header(name)
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _REMOVED_CATEGORIES)
    text = _RESERVED_CHARS.sub("_", text)
    # Leading dots hide files or climb directories; trailing dots and spaces vanish on Windows.
    text = text.strip(" .")
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    if stem.upper() in _WINDOWS_DEVICES:
        text = f"_{text}"
    if len(text) > MAX_FILENAME_CHARS:
        if dot and 0 < len(extension) <= 20:
            text = f"{stem[: MAX_FILENAME_CHARS - len(extension) - 1]}.{extension}"
        else:
            text = text[:MAX_FILENAME_CHARS]
    return text or fallback


def fallback_filename(content_type: str, index: int) -> str:
    """Return a name such as "attachment-2.pdf" for a part that has none."""
    return f"attachment-{index}{_EXTENSIONS.get(content_type, '.bin')}"
