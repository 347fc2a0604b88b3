"""Concert settings: every value that differs between machines is read from the
environment here, and only here (django-environ). Defaults are the embedded ones
(SQLite and Kombu's filesystem broker under var/) so a fresh clone runs with no server.
"""
import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        # A guessable key would let anyone forge sessions and password-reset links.
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_celery_beat",
    "django_htmx",
    "csp",
    "accounts",
    "coordination",
    "alerts",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Database away (restart, fail-over): a short 503 with Retry-After, never a 500 page.
    "config.unavailable.DatabaseUnavailableMiddleware",
    # Content-Security-Policy on every response (the Security block below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pages show dates in the signed-in user's own time zone.
    "accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The audit log (accounts/audit.py): every 403 to a signed-in user, and the request
    # made known to the hooks that write sign-ins, exports and alert actions.
    "accounts.audit.AuditMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of authentication for lock-outs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.header",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'concert.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file: WAL lets readers run beside the
    # writer, the busy timeout makes a writer wait for the lock instead of failing,
    # and IMMEDIATE transactions take the write lock up front so two writers never
    # deadlock upgrading a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and authentication ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username/IP before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# --- Time and language -----------------------------------------------------------
LANGUAGE_CODE = "en"
# Request bodies above this answer 413 (the API's parser, core/api/parsers.py): the
# largest legitimate body is a bulk of 1,000 readings, about 5.5 MB if every note and
# source is at its maximum.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=6 * 1024 * 1024)

TIME_ZONE = "UTC"  # stored and computed in UTC; shown in each user's own zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The pages' own stylesheet and the vendored htmx (static/README.md): no CDN, no build step.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail ----------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Concert <alerts@concert.invalid>")

# --- Celery ------------------------------------------------------------------------
# The broker carries wake-up calls only; PostgreSQL is the ledger (docs/DESIGN.md).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder for both directions: every process on this machine is both a
        # producer and a consumer of the same queues.
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Redis redelivers an unacknowledged message after this many seconds. With late
        # acks a task is unacknowledged while it runs, and a countdown message is
        # unacknowledged until its time; both must end well within the timeout or the
        # task runs twice. Our longest countdown is ALERTS_SHORT_RETRY_SECONDS (< 60 s)
        # and our hard time limit 120 s; longer waits live in indexed columns instead.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }
    # Processes that share one Redis database but must not consume each other's tasks
    # (the test suite's parallel workers, each with its own test database) keep their
    # queues apart by a key prefix. pytest-xdist names each worker in PYTEST_XDIST_WORKER.
    _broker_keyprefix = env.str("CELERY_BROKER_KEYPREFIX", default="") or os.environ.get("PYTEST_XDIST_WORKER", "")
    if _broker_keyprefix:
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{_broker_keyprefix}:"
# Late acknowledgement: a message is acknowledged after its task ran, so a worker that
# dies mid-task leaves it on the broker for another worker (every task is idempotent).
CELERY_TASK_ACKS_LATE = True
# ...and the same when the worker process is killed (OOM, SIGKILL): re-queue, not drop.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Each worker process reserves one message at a time: a slow webhook does not hold a
# backlog of deliveries hostage, and nothing piles up in one worker's memory. Run the
# delivery queue on its own worker (-Q delivery) so evaluations never wait behind it.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Separate queues, so a flood of readings (evaluation) cannot delay the notifications
# already decided (delivery), and neither delays the minute-by-minute scans (periodic).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {name: {"routing_key": name} for name in ("celery", "evaluation", "delivery", "periodic")}
CELERY_TASK_ROUTES = {
    "alerts.evaluate_situation": {"queue": "evaluation"},
    "alerts.deliver_notification": {"queue": "delivery"},
    "alerts.scan_deadlines": {"queue": "periodic"},
    "alerts.escalate_due_alerts": {"queue": "periodic"},
    "alerts.sweep_pending_notifications": {"queue": "periodic"},
    "alerts.sweep_unevaluated": {"queue": "periodic"},
    "alerts.daily_digest": {"queue": "periodic"},
    "alerts.expire_signoffs": {"queue": "periodic"},
}
# Time limits: a task stuck on a dead socket must not occupy a worker forever. The soft
# limit raises inside the task (its transaction rolls back, the row stays pending for
# the sweep); the hard limit kills it. Webhook timeouts (ALERTS_WEBHOOK_*) are far below.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=90)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
# No result backend: tasks write their outcome to the database, nobody waits on one.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
# Publishing happens after commit; if the broker is away, fail fast (the periodic
# sweep re-publishes) rather than hold a web request for the default retry period.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every minute: the catch-up scans over indexed next-time columns (docs/DESIGN.md, "How data
# flows"). Each is idempotent, so a late or doubled run is harmless. The fault test
# (bin/fault) shortens the period to bound its recovery windows.
_SCAN_EVERY = env.float("CELERY_BEAT_SCAN_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "alerts-scan-deadlines": {"task": "alerts.scan_deadlines", "schedule": _SCAN_EVERY},
    "alerts-escalate-due": {"task": "alerts.escalate_due_alerts", "schedule": _SCAN_EVERY},
    "alerts-sweep-pending-notifications": {"task": "alerts.sweep_pending_notifications", "schedule": _SCAN_EVERY},
    "alerts-sweep-unevaluated": {"task": "alerts.sweep_unevaluated", "schedule": _SCAN_EVERY},
    "alerts-expire-signoffs": {"task": "alerts.expire_signoffs", "schedule": _SCAN_EVERY},
    "alerts-daily-digest": {"task": "alerts.daily_digest", "schedule": crontab(hour=7, minute=0)},
}

# --- Alert delivery --------------------------------------------------------------------
# Attempts before a notification is marked dead (and the alert's timeline says so).
ALERTS_DELIVERY_MAX_ATTEMPTS = env.int("ALERTS_DELIVERY_MAX_ATTEMPTS", default=8)
# Backoff: base * 2^(attempt-1) seconds, capped, with jitter (alerts/delivery/backoff.py).
ALERTS_RETRY_BASE_SECONDS = env.float("ALERTS_RETRY_BASE_SECONDS", default=15.0)
ALERTS_RETRY_MAX_SECONDS = env.float("ALERTS_RETRY_MAX_SECONDS", default=3600.0)
# A retry due sooner than this rides the broker as a countdown; a later one waits for
# the sweep over next_attempt_at. Must stay far below the Redis visibility timeout.
ALERTS_SHORT_RETRY_SECONDS = env.float("ALERTS_SHORT_RETRY_SECONDS", default=55.0)
# The sweeps leave rows this young alone: their own wake-up call is still on its way.
ALERTS_SWEEP_GRACE_SECONDS = env.float("ALERTS_SWEEP_GRACE_SECONDS", default=30.0)
ALERTS_WEBHOOK_CONNECT_TIMEOUT = env.float("ALERTS_WEBHOOK_CONNECT_TIMEOUT", default=3.05)
ALERTS_WEBHOOK_READ_TIMEOUT = env.float("ALERTS_WEBHOOK_READ_TIMEOUT", default=10.0)
ALERTS_LINK_TEMPLATE = env.str("ALERTS_LINK_TEMPLATE", default="{site}/alerts/{id}/")
# A condition joining an open escalation, or its severity rising, reaches each recipient
# as at most one batched update per this many seconds (Alertmanager's group_interval).
ALERTS_GROUP_INTERVAL_SECONDS = env.float("ALERTS_GROUP_INTERVAL_SECONDS", default=300.0)
# A condition returning within its cool-down more than this many times in 24 hours marks
# its escalation as flapping, and one notice suggests a threshold review.
ALERTS_FLAP_LIMIT = env.int("ALERTS_FLAP_LIMIT", default=5)

# Check-ins (coordination/checkins.py): every assigned government confirms each open
# situation every this many days, by the situation's risk level; "default" for the rest.
CHECKIN_DAYS = {
    "critical": env.int("CHECKIN_DAYS_CRITICAL", default=3),
    "very_high": env.int("CHECKIN_DAYS_VERY_HIGH", default=7),
    "high": env.int("CHECKIN_DAYS_HIGH", default=14),
    "default": env.int("CHECKIN_DAYS_DEFAULT", default=30),
}
# A decision that can silence a warning waits this long for a second person's sign-off,
# then expires unapproved and nothing changes (coordination/signoffs.py).
SIGNOFF_EXPIRY_HOURS = env.int("SIGNOFF_EXPIRY_HOURS", default=72)
HEALTHZ_WORKER_PING_TIMEOUT = env.float("HEALTHZ_WORKER_PING_TIMEOUT", default=1.0)

# --- API -------------------------------------------------------------------------------
# Webhooks never reach private, loopback, link-local, unspecified or multicast addresses
# (a manager's URL must not become a probe of the internal network or the cloud's
# metadata service) unless the address is inside one of these networks, e.g.
# "127.0.0.0/8" for a receiver on the same machine, "10.20.0.0/16" for an internal one.
# Checked when an endpoint is saved and again, after DNS resolution, at every send.
ALERTS_WEBHOOK_ALLOWED_NETWORKS = env.list("ALERTS_WEBHOOK_ALLOWED_NETWORKS", default=[])
# At most this much of a webhook's answer is read (only its status matters).
ALERTS_WEBHOOK_MAX_RESPONSE_BYTES = env.int("ALERTS_WEBHOOK_MAX_RESPONSE_BYTES", default=65_536)
# Conventions shared by every resource (coordination, alerts): core/api/__init__.py.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ConcertAutoSchema",
    # Tokens for scripts (knox: only a digest is stored, tokens expire); the session
    # for the pages, where DRF enforces CSRF on unsafe methods.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON, read at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes: larger bodies answer 413.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.BoundedJSONParser"],
    # Times in the API are ISO 8601 in UTC (settings.TIME_ZONE), whatever the user's zone.
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
    "URL_FIELD_NAME": "url",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 20,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Concert API",
    "DESCRIPTION": "Coordination and escalation for governments acting together to prevent mass atrocities.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # No CDN is reachable from where Concert runs: the docs page serves its own assets.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models name a field "status", "role" or "kind" with different choices;
    # naming each enum here keeps the schema free of collision warnings.
    "ENUM_NAME_OVERRIDES": {
        "SituationStatusEnum": "coordination.choices.SituationStatus",
        "ActionStatusEnum": "coordination.choices.ActionStatus",
        "CommitmentStatusEnum": "coordination.choices.CommitmentStatus",
        "ActionKindEnum": "coordination.choices.ActionKind",
        "GovernmentKindEnum": "coordination.models.situations.Government.Kind",
        "PartnerRoleEnum": "coordination.choices.PartnerRole",
        "UserRoleEnum": "accounts.models.Role",
        "RiskLevelEnum": "coordination.choices.RiskLevel",
        "PriorityEnum": "coordination.choices.Priority",
        "MarkingEnum": "coordination.choices.Marking",
        "RiskWindowKindEnum": "coordination.choices.RiskWindowKind",
        "AlertStatusEnum": "alerts.choices.AlertStatus",
        "AlertSeverityEnum": "alerts.choices.Severity",
        "NotificationStatusEnum": "alerts.choices.NotificationStatus",
        "NotificationChannelEnum": "alerts.choices.Channel",
        "AlertEventKindEnum": "alerts.choices.EventKind",
    },
}

# --- Security ----------------------------------------------------------------------------
# What `manage.py check --deploy` asks of a production site, plus a strict
# Content-Security-Policy (tests/test_deploy.py proves both). With DEBUG on (bin/run,
# plain http on loopback) the transport settings stay off; the CSP applies everywhere so
# a page that would break under it breaks on the developer's machine first.
if not DEBUG:
    # Browsers remember to use HTTPS only for a year (and for subdomains, and may ship the
    # host in their preload list): a first visit over http cannot be downgraded later.
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # http is answered with a redirect to https. Off only where TLS ends elsewhere and the
    # proxy does not say so, or for plain-http test servers on loopback (bin/test).
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health probes of a container or load balancer speak plain http inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Behind a TLS-terminating proxy: the header it sets and the value meaning https, e.g.
# SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https". Only set it when the proxy
# always overwrites that header, or a client could claim https itself.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header:
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured('SECURE_PROXY_SSL_HEADER must be "HEADER,value", e.g. HTTP_X_FORWARDED_PROTO,https')
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
# Scripts cannot read the session cookie; neither cookie rides a cross-site POST.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only our own files: no inline script or style, no handler attributes, no framing,
# forms post only here. The pages load htmx and concert.js from /static/; the API docs
# load Swagger UI's files from the sidecar package and their start-up script from their
# own URL (config/api/urls.py), so they need no exception either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
