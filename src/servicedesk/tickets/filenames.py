"""File names from outside (uploads, mail attachments) made safe to store, show and check.

`clean_upload_name(name)` returns the name to store for an uploaded file and
`extension_of(name)` the lower-case extension the blocked-type check looks at; both see
the name as Windows would save it, so "evil.exe.", "evil.exe  " and "evil.exe::$DATA"
all count as "evil.exe". `clean_name(name, max_chars=..., fallback=...)` is the cleaning
they share with mail attachments (`servicedesk.mail.filenames`). Pure Python: no Django.
"""

import re
import unicodedata

MAX_UPLOAD_NAME_CHARS = 255  # Attachment.filename
UPLOAD_FALLBACK = "attachment"
# A longer "extension" is part of the name, not a file type worth keeping when shortening.
MAX_KEPT_EXTENSION_CHARS = 20

# Controls (CR, LF, NUL), format characters (the right-to-left override that makes
# "gnp.exe" look like "exe.png"), surrogates, private use, line and paragraph separators.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_DRIVE = re.compile(r"^[A-Za-z]:")
_RESERVED_CHARS = re.compile(r'[<>"|?*]')
# Windows drops trailing dots and spaces when it saves a file, and browsers trim any
# Unicode white space from a download's name: "evil.exe\u00a0" would arrive as "evil.exe".
_LEADING = re.compile(r"^[\s.]+")
_TRAILING = re.compile(r"[\s.]+$")
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
)


def clean_name(name: str, *, max_chars: int, fallback: str) -> str:
    """Return the safe form of a file name from outside, or `fallback` when none is left.

    The result is the last component of a path written with / or \\, NFC-normalised,
    without control or format characters, without an NTFS alternate data stream
    (":stream:$DATA") or drive letter, with the other characters Windows forbids as
    "_", without leading or trailing dots and white space, never a Windows device name,
    and at most `max_chars` characters, keeping a short extension.
    """
    text = name.replace("\\", "/").rsplit("/", 1)[-1]
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _REMOVED_CATEGORIES)
    text = _DRIVE.sub("", text).partition(":")[0]
    text = _RESERVED_CHARS.sub("_", text)
    # Leading dots hide files or climb directories.
    text = _TRAILING.sub("", _LEADING.sub("", text))
    # Windows opens the device for "CON", "con.txt" and "Con .tar.gz" alike.
    if text.split(".", 1)[0].rstrip().upper() in _WINDOWS_DEVICES:
        text = f"_{text}"
    if len(text) > max_chars:
        stem, dot, extension = text.rpartition(".")
        if dot and 0 < len(extension) <= MAX_KEPT_EXTENSION_CHARS:
            text = f"{stem[: max_chars - len(extension) - 1]}.{extension}"
        else:
            text = text[:max_chars]
        # Cutting may leave a dot or space at the end, which Windows would drop again.
        text = _TRAILING.sub("", text)
    return text or fallback


def clean_upload_name(name: str) -> str:
    """Return the name to store for an uploaded file; "attachment" when nothing is left.

    At most 255 characters; see `clean_name` for what is removed.
    """
    return clean_name(name, max_chars=MAX_UPLOAD_NAME_CHARS, fallback=UPLOAD_FALLBACK)


def extension_of(name: str) -> str:
    """Return the lower-case extension, without the dot, of the cleaned name; "" if none."""
    _, dot, extension = clean_upload_name(name).rpartition(".")
    # Through upper case, as Windows compares names: "\u017fcr" (long s) is "scr" too.
    return extension.upper().lower() if dot else ""
