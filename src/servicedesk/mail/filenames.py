"""Attachment file names that are safe to store, show and offer for download.

`safe_filename(name, fallback=...)` returns the (possibly RFC 2047 encoded) name
decoded and cleaned as `servicedesk.tickets.filenames.clean_name` cleans uploads (last
path component, NFC, no control or format characters such as CR/LF or a right-to-left
override, no characters Windows forbids, no leading or trailing dots and spaces, never a
device name), at most 200 characters with the extension kept; or `fallback` when nothing
usable remains. `fallback_filename(content_type, index)` returns a name like
"attachment-2.pdf" for a part that has none.
"""

from servicedesk.mail.headers import decode_header
from servicedesk.tickets.filenames import clean_name

MAX_FILENAME_CHARS = 200

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
    # A colon in a mail attachment's name is what the sender's program wrote, not a
    # stream on a disk: it stays visible as "_", like the other characters Windows forbids.
    text = decode_header(name).replace(":", "_")
    return clean_name(text, max_chars=MAX_FILENAME_CHARS, fallback=fallback)


def fallback_filename(content_type: str, index: int) -> str:
    """Return a name such as "attachment-2.pdf" for a part that has none."""
    return f"attachment-{index}{_EXTENSIONS.get(content_type, '.bin')}"
