"""Taking in a Maildir's messages, in several processes where the database allows it.

Messages of one conversation stay in one process, in their order: each message is placed
by its thread's root (the first Message-ID of References, else In-Reply-To, else its own
Message-ID), so an original and a colleague's reply to it, or two deliveries of the same
message, are never taken in at the same time by two processes. Everything else the
pipeline decides from the database (duplicates, rate limits, threading by subject), and
it holds across processes as it does across receivers.

SQLite takes one writer at a time, so there the messages are taken in by one process.
"""

import email.parser
import email.policy
import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import connection, connections

from servicedesk.mail import config
from servicedesk.mail.intake import mail_ingest
from servicedesk.mail.models import InboundMail, Mailbox

# The most processes `default_jobs` gives: beyond it PostgreSQL's locks and the machine's
# cores, not the intake, set the pace.
MAX_JOBS = 4
# Fewer messages than this are not worth starting processes for.
PARALLEL_FROM = 40
HEAD_BYTES = 64 * 1024

Describe = Callable[[InboundMail, str], str]

_headers = email.parser.BytesHeaderParser(policy=email.policy.compat32)


def default_jobs() -> int:
    """Return how many processes take in a Maildir: 1 on SQLite, else the cores (at most
    MAX_JOBS)."""
    if connection.vendor == "sqlite":
        return 1
    return max(1, min(MAX_JOBS, os.cpu_count() or 1))


def maildir_messages(path: Path) -> list[Path]:
    """Return the files of a Maildir's new/ and cur/ messages in the order they were
    delivered (their files' times; the names only break ties, as their microseconds are
    not zero-padded)."""
    files = [item for part in ("new", "cur") for item in (path / part).iterdir() if item.is_file()]
    return sorted(files, key=lambda item: (item.stat().st_mtime_ns, item.name))


def thread_root(head: bytes) -> str:
    """Return the Message-ID a message's conversation started with, from its header."""
    message = _headers.parsebytes(head, headersonly=True)
    for name in ("References", "In-Reply-To", "Message-ID"):
        ids = str(message.get(name) or "").split()
        if ids:
            return ids[0].strip("<>").lower()
    return str(message.get("From") or "").lower()


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(HEAD_BYTES)
    end = data.find(b"\n\n")
    crlf_end = data.find(b"\r\n\r\n")
    ends = [at for at in (end, crlf_end) if at >= 0]
    return data[: min(ends)] if ends else data


def partition(files: list[Path], jobs: int) -> list[list[Path]]:
    """Return the files in `jobs` shares, each conversation in one share, in order."""
    shares: list[list[Path]] = [[] for _ in range(jobs)]
    for path in files:
        root = thread_root(_head(path))
        digest = hashlib.blake2b(root.encode(), digest_size=8).digest()
        shares[int.from_bytes(digest) % jobs].append(path)
    return shares


def ingest_files(
    files: list[Path], *, mailbox: Mailbox | None, describe: Describe
) -> Iterator[str]:
    """Take in the message files one after another in this process; yield a line each."""
    with config.addresses_read_once():
        for path in files:
            inbound = mail_ingest(path.read_bytes(), source="maildir", mailbox=mailbox)
            yield describe(inbound, str(path))


# What a forked process takes in: set before the fork, so nothing needs pickling.
_shares: list[list[Path]] = []
_mailbox: Mailbox | None = None
_describe: Describe | None = None


def _child(index: int) -> list[str]:
    connections.close_all()  # never the parent's socket: a connection of its own
    assert _describe is not None
    try:
        return list(ingest_files(_shares[index], mailbox=_mailbox, describe=_describe))
    finally:
        connections.close_all()


def ingest_maildir(
    path: Path, *, mailbox: Mailbox | None, describe: Describe, jobs: int
) -> Iterator[str]:
    """Take in a Maildir's messages with `jobs` processes; yield a line per message (a
    process's lines together, in its order)."""
    global _shares, _mailbox, _describe
    files = maildir_messages(path)
    if jobs <= 1 or len(files) < PARALLEL_FROM or connection.vendor == "sqlite":
        yield from ingest_files(files, mailbox=mailbox, describe=describe)
        return
    _shares, _mailbox, _describe = partition(files, jobs), mailbox, describe
    connections.close_all()  # the forked processes must not share the parent's socket
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for lines in pool.imap_unordered(_child, range(jobs)):
                yield from lines
    finally:
        _shares, _mailbox, _describe = [], None, None
