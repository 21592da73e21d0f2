"""One settings module for every environment.

With no environment variables set, the product runs on SQLite and an embedded (filesystem) Celery
broker, so a fresh clone needs no server. Production differs only by environment variables:
DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS, CAMERA_CREDENTIALS_KEY, ...
See the configuration table in README.md.
"""

import ipaddress
import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env") if (BASE_DIR / ".env").is_file() else None

# Local state of a zero-server installation: SQLite file, broker folders, evidence, reports.
VAR_DIR = Path(env.str("KM_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
# `make demo` sets KM_DEMO: pages then credit the CC BY 4.0 frames the demo cameras replay.
DEMO_MODE = env.bool("KM_DEMO", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; otherwise a random key kept in VAR_DIR (mode 0600).

    A per-installation key is safe for one machine; deployments with several machines must set
    SECRET_KEY so that sessions and signed values agree everywhere.
    """
    if key := env.str("SECRET_KEY", default=""):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular_sidecar",
    "django_filters",
    "drf_spectacular",
    "kelurahan_monitor",
    "places",
    "compliance",
    "cameras",
    "reports",
    "complaints",
    "incidents",
    "agents",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kelurahan_monitor.middleware.RejectControlCharactersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kelurahan_monitor.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "kelurahan_monitor.urls"
WSGI_APPLICATION = "kelurahan_monitor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kelurahan_monitor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kelurahan_monitor.context_processors.demo_attribution",
                "kelurahan_monitor.context_processors.nav_complaints",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL + immediate transactions avoid "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kelurahan_monitor" / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Makassar")
USE_TZ = True

# --- Static files, evidence and reports -------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
# Evidence and reports are served only through permission-checked views: no public URL.
EVIDENCE_ROOT = Path(env.str("EVIDENCE_ROOT", default=str(VAR_DIR / "evidence")))
REPORTS_ROOT = Path(env.str("REPORTS_ROOT", default=str(VAR_DIR / "reports")))
EVIDENCE_RETENTION_DAYS = env.int("EVIDENCE_RETENTION_DAYS", default=90)
# PostgreSQL: observations are partitioned by office day, a month each; the daily upkeep keeps
# the current month and this many after it created (cameras.partitioning).
OBSERVATION_PARTITION_MONTHS_AHEAD = env.int("OBSERVATION_PARTITION_MONTHS_AHEAD", default=3)
# Command-centre wall and public page: at most one capture per camera per interval, whoever
# watches; stills (blurred) are kept for the tile history, then purged.
STILL_INTERVAL_SECONDS = env.int("STILL_INTERVAL_SECONDS", default=30)
WALL_REFRESH_SECONDS = env.int("WALL_REFRESH_SECONDS", default=30)
PUBLIC_REFRESH_SECONDS = env.int("PUBLIC_REFRESH_SECONDS", default=45)
STILL_RETENTION_HOURS = env.int("STILL_RETENTION_HOURS", default=24)
WALL_HISTORY_HOURS = env.int("WALL_HISTORY_HOURS", default=6)
# Real map tiles on the public page only when configured (e.g. a municipal tile server,
# "https://tiles.example.go.id/{z}/{x}/{y}.png"); the default map is an offline schematic.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(EVIDENCE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Camera credentials -----------------------------------------------------------------------
# Fernet key(s), comma separated, newest first (older keys still decrypt during a rotation).
# Without it a key is derived from SECRET_KEY, which is fine for one machine but ties the
# ciphertexts to SECRET_KEY: production sets its own.
CAMERA_CREDENTIALS_KEYS = env.list("CAMERA_CREDENTIALS_KEY", default=[])
# file:// and replay: sources read files on the worker: only for the demo, tests and replays
# (and then set only by a superuser). Production leaves this off.
CAMERA_LOCAL_SOURCES = env.bool("CAMERA_LOCAL_SOURCES", default=DEMO_MODE)
CAMERA_CAPTURE_TIMEOUT_S = env.float("CAMERA_CAPTURE_TIMEOUT_S", default=10.0)
# A running check older than this lost its worker; the tick dispatches it again. Must stay
# above the check task's hard time limit (60 s).
CHECK_LEASE_SECONDS = env.int("CHECK_LEASE_SECONDS", default=180)
CHECK_REDISPATCH_SECONDS = env.int("CHECK_REDISPATCH_SECONDS", default=120)
# Spread each office's checks over its opening interval by a stable per-office phase
# (compliance.domain.spread), so offices with the same hours are not all checked on the same
# second. Worth it from a few hundred offices; off keeps the slots on the round grid.
CHECK_PHASE_SPREAD = env.bool("CHECK_PHASE_SPREAD", default=False)
# Checks per broker message: the tick sends groups of checks that a worker runs in turn (each
# still claimed, leased and recorded on its own), not one message per check.
CHECK_BATCH_SIZE = env.int("CHECK_BATCH_SIZE", default=10)
# A group's time limit is 45 s a check; it must stay below the Redis visibility timeout (40 min).
if not 1 <= CHECK_BATCH_SIZE <= 40:
    raise ImproperlyConfigured("CHECK_BATCH_SIZE must be between 1 and 40")
# "single": a check runs whole in one `vision` process (capture waits included). "split": the
# capture runs on the `capture` queue (a threads pool: waiting costs no process) and hands the
# burst's JPEG bytes through the broker to the `count` queue (prefork, one process per core).
CHECK_PIPELINE = env.str("CHECK_PIPELINE", default="single")
if CHECK_PIPELINE not in ("single", "split"):
    raise ImproperlyConfigured('CHECK_PIPELINE must be "single" or "split"')
# Office agents (agents/, kelurahan_agent/): an agent silent this long raises an alert; the
# evidence a box sends per office per day beyond the pictures that decide the day.
AGENT_SILENT_HOURS = env.int("AGENT_SILENT_HOURS", default=24)
AGENT_EVIDENCE_BUDGET_BYTES = env.int("AGENT_EVIDENCE_BUDGET_BYTES", default=1_000_000)
# Empty: the default detector of cameras.vision (see `python manage.py evaluate_detector`).
PEOPLE_DETECTOR = env.str("PEOPLE_DETECTOR", default="")
# Public-area cameras (squares, roads) see small, distant people: the crowd pipeline by default.
PUBLIC_AREA_DETECTOR = env.str("PUBLIC_AREA_DETECTOR", default="mp-crowd")
# Sensor noise (sigma, grey levels) on every frame of replay: cameras, as live cameras have it;
# 0 replays the recorded pixels exactly (`replay_day --no-noise`).
REPLAY_SENSOR_NOISE = env.float("REPLAY_SENSOR_NOISE", default=2.0)
# The nightly final verdicts: offices judged per batch (a fixed number of queries each), and
# how long one task takes batches before it hands on to the next (well inside its 60 s limit).
VERDICT_BATCH_SIZE = env.int("VERDICT_BATCH_SIZE", default=2000)
VERDICT_FINALISE_BUDGET_S = env.float("VERDICT_FINALISE_BUDGET_S", default=20.0)

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        "polling_interval": 0.2,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis hands an unacknowledged message to another worker after this. It must exceed the
    # longest task plus its retry countdown (a shorter one runs a long report twice), and
    # nothing relies on it to recover a check: the tick reclaims a check whose worker died
    # after the check lease (3 min). See tests/test_celery_app.py.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_S", default=2400)
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=2)

# --- Email and alerts ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kelurahan-monitor@localhost")
REPORT_RECIPIENTS = env.list("REPORT_RECIPIENTS", default=[])
# Diskominfo addresses for camera-down and after-hours alerts (camat get theirs per office).
ALERT_EMAILS = env.list("ALERT_EMAILS", default=[])
# A generic JSON webhook (e.g. a WhatsApp/Telegram gateway), signed with HMAC-SHA256.
ALERT_WEBHOOK_URL = env.str("ALERT_WEBHOOK_URL", default="")
ALERT_WEBHOOK_SECRET = env.str("ALERT_WEBHOOK_SECRET", default="")
# The same kind of webhook for an SMS/WhatsApp gateway that tells a citizen who left a phone
# number each status change of their complaint (empty: none is sent).
COMPLAINT_WEBHOOK_URL = env.str("COMPLAINT_WEBHOOK_URL", default="")
COMPLAINT_WEBHOOK_SECRET = env.str("COMPLAINT_WEBHOOK_SECRET", default=ALERT_WEBHOOK_SECRET)

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "EXCEPTION_HANDLER": "kelurahan_monitor.api.errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "kelurahan_monitor.api.throttling.AnonRateThrottle",
        "kelurahan_monitor.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="60/minute"),
        "user": env.str("API_USER_RATE", default="600/minute"),
        "agent": env.str("API_AGENT_RATE", default="120/minute"),
        "agent_enrol": env.str("API_AGENT_ENROL_RATE", default="10/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "kelurahan-monitor API",
    "DESCRIPTION": "Office opening compliance from CCTV people counts.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page describe the API to anyone; the data needs a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VerdictStatusEnum": "compliance.models.VerdictStatus",
        "ObservationStatusEnum": "cameras.models.ObservationStatus",
        "CameraKindEnum": "cameras.models.CameraKind",
        "HealthStateEnum": "cameras.models.HealthState",
        "IncidentKindEnum": "incidents.models.IncidentKind",
        "IncidentSeverityEnum": "incidents.models.Severity",
    },
}

# --- Security (production is DEBUG=False) -------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env.bool("HTTPS", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Reverse proxies (addresses or networks, e.g. 127.0.0.1,10.0.0.0/24) whose X-Forwarded-For is
# believed; from anyone else the header is ignored and REMOTE_ADDR is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address") from _exc

# Login throttling (per account and per address) and the cache it counts in. Several web
# machines must share the cache: set CACHE_URL (e.g. redis://host:6379/2) in production.
# Counts: one account from one address (LOGIN_FAILURE_LIMIT), one address over all accounts,
# one account over all addresses (not counted for browsers that logged in to it before).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=100)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "kelurahan_monitor.log_redaction.RedactCredentialsFilter"}},
    "formatters": {
        "plain": {
            "()": "kelurahan_monitor.log_redaction.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
