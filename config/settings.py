"""Storedesk settings: one module, driven by the environment.

Two deployment profiles share this file (see docs/architecture.md):

* embedded (default): SQLite in ``STOREDESK_DATA_DIR``, Huey on SQLite, in-memory channel layer,
  local-memory cache. One process runs web and worker.
* scale: ``DATABASE_URL`` points at PostgreSQL and ``REDIS_URL`` is set, which moves the task
  queue, the channel layer, the cache and rate limiting to Redis.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url

from config.subscribers import SUBSCRIBERS

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


REDIS_URL = os.environ.get("REDIS_URL", "").strip()
DEBUG = env_bool("STOREDESK_DEBUG", False)
# `storedesk demo` serves a fictional store page with the chat widget at /demo/shop.
DEMO_SHOP = env_bool("STOREDESK_DEMO_SHOP", False)
# pytest (>= 8.2) sets PYTEST_VERSION for the processes it runs.
TESTING = env_bool("STOREDESK_TESTING", False) or "PYTEST_VERSION" in os.environ
# Test runs get their own databases, queue and Redis key prefixes so that several runs (and
# the subprocesses they start, which inherit this variable) can share one machine.
if TESTING:
    os.environ.setdefault("STOREDESK_TEST_RUN_ID", str(os.getpid()))
if os.environ.get("STOREDESK_DATA_DIR"):
    DATA_DIR = Path(os.environ["STOREDESK_DATA_DIR"]).resolve()
elif TESTING:
    # A test run never writes into ./var (queue files, test databases, keys): it gets its own
    # folder under the system temp dir, shared by its xdist workers and the servers it starts.
    DATA_DIR = Path(tempfile.gettempdir()) / f"storedesk-test-{os.environ['STOREDESK_TEST_RUN_ID']}"
else:
    DATA_DIR = Path("./var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
# pytest-xdist workers each get their own queue and Redis prefixes (their databases are
# already suffixed by pytest-django).
TEST_RUN_ID = os.environ.get("STOREDESK_TEST_RUN_ID", "") + (
    os.environ.get("PYTEST_XDIST_WORKER", "") if TESTING else ""
)
_PREFIX = os.environ.get("STOREDESK_CACHE_PREFIX", "storedesk") + (
    f"-test{TEST_RUN_ID}" if TESTING else ""
)


def _secret_key() -> str:
    """The configured key, or one generated once into the data dir (never a constant)."""
    configured = os.environ.get("STOREDESK_SECRET_KEY", "").strip()
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


SECRET_KEY = _secret_key()
# Earlier secret keys, comma-separated: sessions, reset links and sealed connector secrets made
# with them still verify while you rotate (see docs/operations.md, "Rotating keys").
SECRET_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("STOREDESK_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
]
# Connector secrets (SMTP passwords, provider tokens) are sealed with Fernet. Dedicated keys,
# comma-separated, newest first; empty = keys derived from SECRET_KEY (+ fallbacks).
ENCRYPTION_KEYS = [
    k.strip() for k in os.environ.get("STOREDESK_ENCRYPTION_KEYS", "").split(",") if k.strip()
]
# Extra channel registry entries ("module:ENTRY"), for plugins and tests; see
# storedesk/connectors/registry.py.
STOREDESK_EXTRA_CHANNELS: list[str] = []
# Provider webhook events (connectors/drain.py): the worker claims this many per batch and
# holds them for this long; a killed worker's batch is claimed again once its lease runs out.
INBOUND_BATCH_SIZE = int(os.environ.get("STOREDESK_INBOUND_BATCH_SIZE", "200"))
INBOUND_LEASE_SECONDS = int(os.environ.get("STOREDESK_INBOUND_LEASE_SECONDS", "120"))

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("STOREDESK_ALLOWED_HOSTS", "*").split(",") if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("STOREDESK_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# Public base URL used in links we send out (password reset, invitations).
BASE_URL = os.environ.get("STOREDESK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "ninja",  # serves Swagger UI from its own static files at /api/v1/docs (no CDN)
    "huey.contrib.djhuey",
    "django_htmx",
    "template_partials",
    "storedesk.core",
    "storedesk.outbox",
    "storedesk.accounts",
    "storedesk.contacts",
    "storedesk.commerce",
    "storedesk.inbox",
    "storedesk.events",
    "storedesk.connectors",
    "storedesk.connectors.email",
    "storedesk.realtime",
    "storedesk.webhooks",
    "storedesk.workflow",
    "storedesk.helpcenter",
    "storedesk.assistant",
    "storedesk.importers",
    "storedesk.demo",
    "storedesk.workspace",
    "storedesk.workflow_ui",  # the workflow's panel and timeline lines, commerce's segments
    "storedesk.web",
]

MIDDLEWARE = [
    # First: the load balancer's probe by IP over plain HTTP (no host check, no redirect).
    "storedesk.core.middleware.HealthProbeMiddleware",
    # Outermost for the rest: every answer under /api/v1/ is JSON {"detail"}.
    "storedesk.core.api_errors.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "storedesk.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "storedesk.accounts.middleware.AgentLanguageMiddleware",
    "storedesk.accounts.middleware.CurrentMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "storedesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

_default_sqlite = f"sqlite:///{DATA_DIR / 'storedesk.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or _default_sqlite,
        conn_max_age=int(os.environ.get("STOREDESK_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if TESTING else 60
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN, so concurrent writers queue instead of deadlocking.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(
        DATA_DIR / f"test-{TEST_RUN_ID}.sqlite3"
    )
elif TESTING:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        f"test_{DATABASES['default']['NAME']}_{TEST_RUN_ID}"
    )
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if IS_POSTGRES and env_bool("STOREDESK_DB_POOL", True):
    # psycopg's pool: under ASGI every request runs in a fresh thread, so without a pool each
    # request would open (and with CONN_MAX_AGE keep) its own PostgreSQL connection.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("STOREDESK_DB_POOL_MIN", "2")),
        "max_size": int(os.environ.get("STOREDESK_DB_POOL_MAX", "16")),
        "timeout": int(os.environ.get("STOREDESK_DB_POOL_TIMEOUT", "10")),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.Agent"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Cache, queue, realtime -----------------------------------------------------------------

if REDIS_URL:
    import redis as _redis

    CACHES = {
        "default": {
            "BACKEND": "storedesk.core.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _PREFIX,
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis whose connections wait for each other in a burst (layers.py)
            "BACKEND": "storedesk.realtime.layers.RedisLayer",
            "CONFIG": {
                # channels_redis blocks 5 s per read; redis-py >= 8 times sockets out at 5 s.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
                "prefix": _PREFIX + ":asgi",
            },
        }
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("STOREDESK_QUEUE_NAME", _PREFIX),
        # An enqueue while Redis is away fails within 2 s instead of a TCP timeout; the
        # delivery rows are in the database and the sweeper re-queues them when Redis is back.
        "connection_pool": _redis.ConnectionPool.from_url(REDIS_URL, socket_connect_timeout=2),
        "immediate": env_bool("STOREDESK_QUEUE_IMMEDIATE", TESTING),
        "utc": True,
        "consumer": {"workers": 4, "worker_type": "thread", "periodic": True},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Channels' in-memory layer with an amortised expiry sweep (see realtime/layers.py)
    CHANNEL_LAYERS = {"default": {"BACKEND": "storedesk.realtime.layers.LocalChannelLayer"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": os.environ.get("STOREDESK_QUEUE_NAME", _PREFIX),
        "filename": str(DATA_DIR / (f"queue-test{TEST_RUN_ID}.sqlite3" if TESTING
                                    else "queue.sqlite3")),
        "immediate": env_bool("STOREDESK_QUEUE_IMMEDIATE", TESTING),
        "utc": True,
        # SQLite has no blocking pop: idle workers poll. Huey's default backs off to 10 s,
        # which a chat reply would wait out; 0.25 s keeps replies live for ~8 cheap reads/s
        # (bench/widget_ws.py). Redis (BRPOP) needs none of this.
        "consumer": {"workers": 2, "worker_type": "thread", "periodic": True,
                     "initial_delay": 0.05, "backoff": 1.15, "max_delay": 0.25},
    }

# Domain events: the one dispatch table (kind -> subscribers) lives in config/subscribers.py.
EVENT_SUBSCRIBERS = SUBSCRIBERS
# An event still undispatched after this long is re-dispatched by the sweeper (each minute).
EVENT_SWEEP_GRACE_SECONDS = int(os.environ.get("STOREDESK_EVENT_SWEEP_GRACE_SECONDS", "60"))
EVENT_MAX_DISPATCH_ATTEMPTS = 10

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("STOREDESK_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("STOREDESK_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("STOREDESK_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

RATELIMIT_USE_CACHE = "default"
RATELIMIT_VIEW = "storedesk.core.ratelimit.rate_limited_view"

# --- i18n -----------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("pl", "Polski"),
    ("tr", "Türkçe"),
    ("id", "Bahasa Indonesia"),
    ("th", "ไทย"),
]
LOCALE_PATHS = [BASE_DIR / "storedesk" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static and uploaded files --------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from finders too; the folder must exist
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
_MiB = 1024 * 1024
# Upload limits: per file, per message (count and total) and per request. The request cap is
# checked on Content-Length (and while streaming) before any byte of the body is read.
ATTACHMENT_MAX_BYTES = int(os.environ.get("STOREDESK_ATTACHMENT_MAX_BYTES", str(25 * _MiB)))
ATTACHMENT_MAX_COUNT = int(os.environ.get("STOREDESK_ATTACHMENT_MAX_COUNT", "10"))
ATTACHMENT_MAX_TOTAL_BYTES = int(
    os.environ.get("STOREDESK_ATTACHMENT_MAX_TOTAL_BYTES", str(50 * _MiB))
)
UPLOAD_MAX_REQUEST_BYTES = int(
    os.environ.get("STOREDESK_UPLOAD_MAX_REQUEST_BYTES", str(ATTACHMENT_MAX_TOTAL_BYTES + _MiB))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * _MiB  # non-file fields
# Request bodies and uploaded files over 256 KiB are spooled to disk (TemporaryFileUploadHandler)
# and copied in chunks, so memory never grows with the upload size.
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
(DATA_DIR / "tmp").mkdir(exist_ok=True)

# --- Email ----------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "STOREDESK_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("STOREDESK_SMTP_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("STOREDESK_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("STOREDESK_SMTP_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("STOREDESK_FROM_EMAIL", "Storedesk <no-reply@localhost>")

# --- Storedesk ------------------------------------------------------------------------------

# Outbound HTTP (safe_fetch): private and loopback targets are refused unless allowed here.
# Tests and local demos set STOREDESK_FETCH_ALLOW_PRIVATE=1 to reach fake providers on loopback.
# "1"/"true" allows every private network; a comma-separated list allows only those networks
# (e.g. "10.8.0.0/16,127.0.0.1/32"). Link-local (cloud metadata) addresses are never allowed.
_fetch_private = os.environ.get("STOREDESK_FETCH_ALLOW_PRIVATE", "").strip()
FETCH_ALLOW_PRIVATE: bool | str = (
    env_bool("STOREDESK_FETCH_ALLOW_PRIVATE", False)
    if _fetch_private.lower() in {"", "0", "1", "true", "false", "yes", "no", "on", "off"}
    else _fetch_private
)
FETCH_TIMEOUT_SECONDS = float(os.environ.get("STOREDESK_FETCH_TIMEOUT", "10"))
FETCH_MAX_BYTES = int(os.environ.get("STOREDESK_FETCH_MAX_BYTES", str(5 * 1024 * 1024)))
API_TOKEN_TTL_DAYS = int(os.environ.get("STOREDESK_API_TOKEN_TTL_DAYS", "365"))
DELIVERY_MAX_ATTEMPTS = int(os.environ.get("STOREDESK_DELIVERY_MAX_ATTEMPTS", "8"))
# The outbox (storedesk/outbox/): every attempt ends within the deadline (every outbound call
# in it is cut then); a claim's lease is the deadline plus the margin, so it never runs out while
# the attempt may still be running. One destination host / one account uses at most this many
# workers at once; a row over its share waits OUTBOX_DEFER_SECONDS and is tried again.
OUTBOX_ATTEMPT_DEADLINE_SECONDS = float(os.environ.get("STOREDESK_DELIVERY_DEADLINE", "30"))
OUTBOX_LEASE_MARGIN_SECONDS = float(os.environ.get("STOREDESK_DELIVERY_LEASE_MARGIN", "30"))
OUTBOX_DESTINATION_SLOTS = int(os.environ.get("STOREDESK_OUTBOX_DESTINATION_SLOTS", "2"))
OUTBOX_ACCOUNT_SLOTS = int(os.environ.get("STOREDESK_OUTBOX_ACCOUNT_SLOTS", "4"))
OUTBOX_DEFER_SECONDS = float(os.environ.get("STOREDESK_OUTBOX_DEFER_SECONDS", "2"))
# Undo-send: a reply from the workspace waits this long before its delivery starts, and the
# agent can take it back meanwhile. 0 sends at once (the default under tests).
UNDO_SEND_SECONDS = int(os.environ.get("STOREDESK_UNDO_SEND_SECONDS", "0" if TESTING else "5"))
DELIVERY_BACKOFF_SECONDS = float(os.environ.get("STOREDESK_DELIVERY_BACKOFF_SECONDS", "10"))
API_RATE_LIMIT = os.environ.get("STOREDESK_API_RATE_LIMIT", "6000/m")
# Failed sign-ins per client IP + account, and per client IP (password spraying); both throttle
# only that client: the owner signing in from elsewhere is never locked out.
LOGIN_RATE_LIMIT = os.environ.get("STOREDESK_LOGIN_RATE_LIMIT", "10/m")
LOGIN_IP_RATE_LIMIT = os.environ.get("STOREDESK_LOGIN_IP_RATE_LIMIT", "30/m")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STOREDESK_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"level": "WARNING"},
        # httpx logs every URL at INFO, and webhook URLs may carry tokens in their query.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "mail.log": {"level": "WARNING"},
    },
}
