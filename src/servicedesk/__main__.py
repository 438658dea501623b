"""The `servicedesk` console command: all of manage.py plus the desk's own subcommands."""

import os
import sys

# Subcommands spelled with a hyphen on the command line map to Django command modules.
ALIASES = {
    "create-token": "create_token",
    "ingest-mail": "ingest_mail",
}


def main(argv: list[str] | None = None) -> None:
    """Run a management command; `servicedesk serve` starts the production server."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicedesk.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
