"""Django settings, read from environment variables (see README: Configuration)."""

import importlib.util
import secrets
import tomllib
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from servicedesk.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent


def checkout_data_dir(package_dir: Path) -> Path | None:
    """Return var/ of the servicedesk source checkout holding `package_dir`, else None.

    The checkout is the folder of the nearest pyproject.toml above the package, when that
    file is this project's; an installed package has none (or another project's).
    """
    for folder in package_dir.parents:
        pyproject = folder / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None
        return folder / "var" if project.get("name") == "servicedesk" else None
    return None


def default_data_dir(*, package_dir: Path, home: Path, xdg_data_home: str) -> Path:
    """Return the data directory used when SERVICEDESK_DATA_DIR is unset.

    That is var/ of the source checkout the desk runs from, else the per-user data folder
    ($XDG_DATA_HOME/servicedesk, by default ~/.local/share/servicedesk). Never a folder
    relative to the current one: a command run elsewhere would start an empty database.
    """
    checkout = checkout_data_dir(package_dir)
    if checkout is not None:
        return checkout
    # The XDG spec says to ignore a relative XDG_DATA_HOME.
    base = Path(xdg_data_home) if Path(xdg_data_home).is_absolute() else home / ".local" / "share"
    return base / "servicedesk"


DATA_DIR = Path(
    env_str("SERVICEDESK_DATA_DIR", "")
    or default_data_dir(
        package_dir=PACKAGE_DIR,
        home=Path.home(),
        xdg_data_home=env_str("XDG_DATA_HOME", ""),
    )
).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use SECRET_KEY, or a key generated once and kept in the data directory."""
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "servicedesk.core.apps.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks_db",
    "servicedesk.core",
    "servicedesk.catalog",
    "servicedesk.accounts",
    "servicedesk.servicelevels",
    "servicedesk.contracts",
    "servicedesk.tickets",
    "servicedesk.automation",
    "servicedesk.mail",
    "servicedesk.api",
    "servicedesk.ui",
    "servicedesk.portal",
    "servicedesk.desk",
    "servicedesk.reports",
    "servicedesk.surveys",
    "servicedesk.opsreports",
    "servicedesk.reviewpack",
    "servicedesk.dashboard",
    "servicedesk.changes",
    "servicedesk.coverage",
    "servicedesk.billing",
    "servicedesk.outages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "servicedesk.core.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "servicedesk.core.middleware.UserTimezoneMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "servicedesk.ui.context.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'servicedesk.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE avoids
    # "database is locked" upgrades from read to write inside a transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("nl", _("Dutch")), ("fr", _("French"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["servicedesk.ui.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Uploaded files (attachments) go through Django's storage API: a folder (MEDIA_ROOT) by
# default, or a bucket of an S3-compatible object store that several servers share
# (django-storages; README: Attachments on an object store).
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
S3_STORAGE = "storages.backends.s3.S3Storage"
# django-storages' S3Storage options, by the variable that sets each (its settings' names).
S3_OPTIONS = {
    "bucket_name": ("AWS_STORAGE_BUCKET_NAME",),
    "endpoint_url": ("AWS_S3_ENDPOINT_URL",),
    "region_name": ("AWS_S3_REGION_NAME",),
    "access_key": ("AWS_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
    "secret_key": ("AWS_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
    "location": ("AWS_LOCATION",),
    "addressing_style": ("AWS_S3_ADDRESSING_STYLE",),
    "signature_version": ("AWS_S3_SIGNATURE_VERSION",),
}


def storage_options(backend: str) -> dict[str, str]:
    """Return the OPTIONS of the default storage: for S3Storage those set in the environment
    (the bucket is required; unset credentials come from boto3's usual chain), else none."""
    if backend != S3_STORAGE:
        return {}
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            f"STORAGE_BACKEND={S3_STORAGE} needs django-storages: install servicedesk[s3]"
        )
    options = {}
    for option, names in S3_OPTIONS.items():
        value = next(filter(None, (env_str(name, "") for name in names)), "")  # first set
        if value:
            options[option] = value
    if "bucket_name" not in options:
        raise ImproperlyConfigured(f"STORAGE_BACKEND={S3_STORAGE} needs AWS_STORAGE_BUCKET_NAME")
    return options


STORAGES = {
    "default": {"BACKEND": STORAGE_BACKEND, "OPTIONS": storage_options(STORAGE_BACKEND)},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Attachments: a hard size limit and a list of types never accepted.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024
ATTACHMENT_BLOCKED_EXTENSIONS = env_list(
    "ATTACHMENT_BLOCKED_EXTENSIONS",
    ["exe", "bat", "cmd", "com", "scr", "pif", "vbs", "js", "jse", "msi", "ps1", "jar", "hta"],
)

TICKET_NUMBER_PREFIX = env_str("TICKET_NUMBER_PREFIX", "SD")

EMAIL_BACKEND_PATH = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS: dict[str, dict[str, object]] = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            "use_ssl": env_bool("EMAIL_USE_SSL", default=False),
            "timeout": env_int("EMAIL_TIMEOUT", 30),
        },
    }
}
if EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend"):
    # Mail written to files in a folder, e.g. to try the desk out without a mail server.
    MAILERS["default"]["OPTIONS"] = {
        "file_path": env_str("EMAIL_FILE_PATH", str(DATA_DIR / "sent-mail"))
    }
elif not EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    # Only the SMTP backend takes these options.
    MAILERS["default"]["OPTIONS"] = {}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "servicedesk@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The queues' counting index carries non-key columns for PostgreSQL's index-only scans;
# SQLite (the embedded default, for small desks) builds it without them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# The outbox (servicedesk.outbox): a worker's claim on a row older than the lease is taken
# over (the worker died while sending); an unsent row is queued again this long after it
# was stored (its task was lost), and a failed attempt first waits as long, then doubling.
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 10 * 60)
OUTBOX_REQUEUE_AFTER_SECONDS = env_int("OUTBOX_REQUEUE_AFTER_SECONDS", 5 * 60)
# The weekly digest of stale and breached tickets: a weekday and a local time ("mon 07:00"),
# in TIME_ZONE; empty: no digest.
OPS_DIGEST_AT = env_str("OPS_DIGEST_AT", "")
# The status page of outage notices: true shows it to everyone, false (the default) only to
# signed-in customers (the notices about their products) and staff.
OUTAGES_STATUS_PAGE_PUBLIC = env_bool("OUTAGES_STATUS_PAGE_PUBLIC", default=False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "servicedesk.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "servicedesk.api.errors.exception_handler",
    # JSON nested deeper than a ticket ever is gets a 400, not a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "servicedesk.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "servicedesk API",
    "DESCRIPTION": "Tickets, organisations, contacts, products and contracts of the service desk.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files, not a CDN.
    "ENUM_NAME_OVERRIDES": {
        "TicketKindEnum": "servicedesk.tickets.models.Kind",
        "LinkKindEnum": "servicedesk.tickets.models.LinkKind",
        "LevelEnum": "servicedesk.tickets.models.Level",
        "ChangeDecisionEnum": "servicedesk.changes.models.Decision",
        "ProposalStateEnum": "servicedesk.changes.models.ProposalState",
        "CoverageDecisionEnum": "servicedesk.coverage.models.Decision",
        "OutageStateEnum": "servicedesk.outages.models.OutageState",
        "ClockStateEnum": "servicedesk.tickets.models.ClockState",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "servicedesk.api.schema.document_errors",
        "servicedesk.api.schema.allow_blank_levels",
    ],
}

# Production hardening, switched on by environment (see README).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# The web UI runs no inline script or style: everything comes from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "servicedesk.requests": {"level": env_str("REQUEST_LOG_LEVEL", "INFO")},
        "weasyprint": {"level": "WARNING"},  # its progress lines say nothing to an operator
    },
}

# E-mail channel (servicedesk.mail; see README: Configuration).
MAIL_MAX_BYTES = env_int("MAIL_MAX_BYTES", 30 * 1024 * 1024)
MAIL_RATE_LIMIT_PER_HOUR = env_int("MAIL_RATE_LIMIT_PER_HOUR", 30)
MAIL_UNKNOWN_SENDERS = env_str("MAIL_UNKNOWN_SENDERS", "create")
MAIL_FALLBACK_ORGANISATION = env_str("MAIL_FALLBACK_ORGANISATION", "")
MAIL_REPLY_ADDRESS = env_str("MAIL_REPLY_ADDRESS", "")
MAIL_REPLY_SECRET = env_str("MAIL_REPLY_SECRET", "")
MAIL_WEBHOOK_TOKEN = env_str("MAIL_WEBHOOK_TOKEN", "")
MAIL_POLL_INTERVAL = env_int("MAIL_POLL_INTERVAL", 60)
