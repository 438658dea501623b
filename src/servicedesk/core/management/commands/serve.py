"""`servicedesk serve`: run the desk under gunicorn, static files by WhiteNoise."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from gunicorn.app.base import BaseApplication

from servicedesk.core.staticfiles import collect_static


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from servicedesk.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve the desk with gunicorn (production-grade); static files via WhiteNoise."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2 + 1)),
            help="worker processes (default: WEB_CONCURRENCY or 2 x cores + 1)",
        )
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["port"] < 65536:
            self.stderr.write("--port must be between 1 and 65535")
            raise SystemExit(2)
        if options["workers"] < 1:
            self.stderr.write("--workers must be at least 1")
            raise SystemExit(2)
        if not options["no_collectstatic"]:
            collect_static()  # only when the static files changed
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"servicedesk serving on http://{bind}/")
        _Gunicorn(
            {
                "bind": bind,
                "workers": options["workers"],
                "threads": options["threads"],
                "accesslog": None,
                "timeout": 60,
            }
        ).run()
