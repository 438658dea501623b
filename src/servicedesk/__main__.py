"""The `servicedesk` console command: all of manage.py plus the desk's own subcommands.

Before a command that needs the desk's tables, `main` checks that an SQLite database
has them: otherwise Django would create an empty file and fail later with "no such
table". It says to run `servicedesk migrate` instead and exits with status 2.
"""

import os
import sqlite3
import sys
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

# Subcommands spelled with a hyphen on the command line map to Django command modules.
ALIASES = {
    "create-token": "create_token",
    "ingest-mail": "ingest_mail",
}

# Commands that create the tables, set the desk up or read no data: they run on a
# database without tables.
WITHOUT_TABLES = frozenset(
    {
        "migrate",
        "makemigrations",
        "showmigrations",
        "sqlmigrate",
        "squashmigrations",
        "optimizemigration",
        "check",
        "help",
        "-h",
        "--help",
        "version",
        "--version",
        "shell",
        "dbshell",
        "diffsettings",
        "collectstatic",
        "findstatic",
        "compilemessages",
        "makemessages",
        "sendtestemail",
        "test",
        "testserver",
    }
)
HELP_OPTIONS = frozenset({"-h", "--help"})
EXIT_UNMIGRATED = 2


def sqlite_without_tables(database: Mapping[str, object]) -> Path | None:
    """Return the path of the database's SQLite file when it has no tables yet, else None.

    None too for other engines, in-memory databases and files that cannot be read (Django
    then reports the problem itself). A missing file has no tables, and is not created.
    """
    if database.get("ENGINE") != "django.db.backends.sqlite3":
        return None
    name = str(database.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name)
    if not path.is_file():
        return path
    try:
        # mode=rw never creates a file; a read-only connection would leave WAL files behind.
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)) as db:
            (tables,) = db.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            ).fetchone()
    except sqlite3.Error:
        return None
    return path if tables == 0 else None


def _needs_tables(args: list[str]) -> bool:
    """Return whether the command line runs a command that reads or writes the desk's data."""
    if len(args) < 2 or args[1] in WITHOUT_TABLES:
        return False
    return not HELP_OPTIONS.intersection(args[2:])


def _refuse_unmigrated() -> None:
    """Exit with status 2 and a message when the SQLite database has no tables yet."""
    from django.db import connections

    path = sqlite_without_tables(connections["default"].settings_dict)
    if path is None:
        return
    import django
    from django.utils.translation import gettext as _

    django.setup()  # translations need the apps
    message = _("the database at %(path)s has no tables yet: run `servicedesk migrate` first")
    print(message % {"path": path}, file=sys.stderr)
    raise SystemExit(EXIT_UNMIGRATED)


def main(argv: list[str] | None = None) -> None:
    """Run a management command; `servicedesk serve` starts the production server."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    if _needs_tables(args):
        _refuse_unmigrated()
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
