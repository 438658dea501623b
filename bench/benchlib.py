"""What the benchmarks share: a throwaway PostgreSQL database on this machine, and a deadline."""

from __future__ import annotations

import os
import re
import signal
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

# For the seeds run in `servicedesk shell -c` (with `Ticket` imported): tickets inserted in
# bulk are measured by version 1 of their contract's service level, as if the services had
# created them (a ticket not pinned yet costs a lookup of its level's current version each
# time its clocks are read). One UPDATE per service level.
PIN_VERSIONS = """
from servicedesk.servicelevels.models import ServiceLevelVersion as _Version
for _pk, _key in _Version.objects.filter(number=1).values_list("pk", "service_level_id"):
    Ticket.objects.filter(
        contract__service_level_id=_key, service_level_version__isnull=True
    ).update(service_level_version_id=_pk)
"""


class BenchError(Exception):
    """A benchmark cannot run or its result is wrong; the message says why."""


@dataclass
class Database:
    """A PostgreSQL database on this machine that a benchmark may drop and create."""

    name: str
    url: str
    conninfo: dict[str, object]

    @classmethod
    def from_url(cls, url: str) -> Database:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql"}:
            raise BenchError(f"--database-url must be a PostgreSQL URL, not {parts.scheme!r}")
        name = parts.path.lstrip("/")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
            raise BenchError(f"database name {name!r}: use letters, digits and _ only")
        if name in {"postgres", "template0", "template1"}:
            raise BenchError(f"refusing to drop the database {name!r}")
        if parts.hostname not in LOCAL_HOSTS:
            raise BenchError("the bench database must be on this machine (127.0.0.1)")
        conninfo: dict[str, object] = {
            "host": parts.hostname,
            "port": parts.port or 5432,
            "user": urllib.parse.unquote(parts.username or "postgres"),
            "dbname": "postgres",
            "connect_timeout": 10,
        }
        if parts.password:
            conninfo["password"] = urllib.parse.unquote(parts.password)
        return cls(name=name, url=url, conninfo=conninfo)

    def sibling(self, name: str) -> Database:
        """Return the database `name` on the same server, with the same user."""
        parts = urllib.parse.urlsplit(self.url)
        return Database.from_url(urllib.parse.urlunsplit(parts._replace(path=f"/{name}")))

    def connect(self, dbname: str = "postgres"):  # type: ignore[no-untyped-def]
        """Return an autocommit connection to `dbname` on the same server."""
        import psycopg

        return psycopg.connect(**{**self.conninfo, "dbname": dbname}, autocommit=True)  # type: ignore[arg-type]

    def _admin(self, statement: str) -> None:
        import psycopg
        from psycopg import sql

        try:
            with self.connect() as conn:
                conn.execute(sql.SQL(statement).format(sql.Identifier(self.name)))
        except psycopg.Error as error:
            raise BenchError(f"PostgreSQL at {self.conninfo['host']}: {error}") from None

    def recreate(self) -> None:
        """Drop the database if it is there, and create it empty."""
        self.drop()
        self._admin("CREATE DATABASE {}")

    def drop(self) -> None:
        """Drop the database, even with connections still open to it."""
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")

    def release(self, *, created: bool, keep: bool, log: Callable[[str], None]) -> None:
        """At a bench's end: drop the database it created unless told to keep it; a failure
        is logged, not raised (the figures matter more than the clean-up)."""
        if not created:
            return
        if keep:
            log(f"kept database {self.name} ({self.url})")
            return
        try:
            self.drop()
        except Exception as error:
            log(f"could not drop database {self.name}: {error}")


@contextmanager
def deadline(seconds: int, error: Callable[[str], Exception] = BenchError) -> Iterator[None]:
    """Raise `error` in the main thread when the block runs longer than `seconds`."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise error(f"the benchmark took longer than --timeout {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def proc_memory(pid: int) -> tuple[float, float]:
    """(resident, peak resident) memory of a process in MiB, from /proc; (0, 0) when gone."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in values:
                    values[key] = int(rest.split()[0]) / 1024  # kB
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0
    return values["VmRSS"], values["VmHWM"]


def in_django(name: str, url: str, *, keep: bool, run: Callable[[], int]) -> int:
    """Run a benchmark inside this process's Django, on a throwaway database at `url`
    (dropped and created first, dropped at the end unless `keep`) with its files in a
    temporary folder; return `run`'s exit status."""
    try:
        database = Database.from_url(url)
        database.recreate()
    except BenchError as error:
        raise SystemExit(f"{name}: {error}") from None
    code = 1
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as data_dir:
        try:
            os.environ["DATABASE_URL"] = url
            os.environ["SERVICEDESK_DATA_DIR"] = data_dir
            os.environ["DJANGO_SETTINGS_MODULE"] = "servicedesk.settings"
            os.environ.setdefault("LOG_LEVEL", "WARNING")
            import django

            django.setup()
            code = run()
        finally:
            from django.db import connections

            connections.close_all()
            if not keep:
                database.drop()
    return code
