"""Pacer settings. Everything that differs between installs comes from the environment."""

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from pacer.datasources.sql import parse_sources
from pacer.env import env_bool, env_list, env_str, persistent_secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("PACER_DATA_DIR", "var")).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or persistent_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from Pacer's own static files (no CDN; CSP)
    "auditlog",
    "axes",
    "pacer.accounts",
    "pacer.okrs",
    "pacer.web",
    "pacer.bench",
    "pacer.api",
    "django_tasks",
    "django_tasks_db",
    "pacer.jobs",
    "pacer.events",
    "pacer.notifications",
    "pacer.webhooks",
    "pacer.messaging",
    "pacer.digest",
    "pacer.reminders",
    "pacer.initiatives",
    "pacer.datasources",
    "pacer.kpis",
    "pacer.insights",
    "pacer.reports",
    "pacer.coach",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "pacer.okrs.history.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pacer.web.middleware.BusyDatabaseMiddleware",  # a busy database: a 503 page, not a 500
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into its page
]

ROOT_URLCONF = "pacer.urls"
WSGI_APPLICATION = "pacer.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pacer.notifications.context_processors.bell",
            ],
        },
    },
]

SQLITE_OPTIONS = {
    # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue (up to `timeout`) instead of failing mid-transaction.
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,  # seconds; then the request answers 503 with Retry-After (pacer/busy.py)
}


def database_settings(url: str) -> dict[str, Any]:
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = "pacer.sqlite_backend"  # writers served in turn (its docstring)
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        # Kept open between requests as PostgreSQL's are (with the health check): opening
        # and closing a file database on every request cost ~15 % of a check-in, the close
        # running a WAL checkpoint each time (docs/benchmarks.md, issue 16).
    elif config["ENGINE"] == "django.db.backends.postgresql":  # the same bound on row locks
        config["OPTIONS"] = {"options": "-c lock_timeout=30s", **config.get("OPTIONS", {})}
    return config


DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'pacer.sqlite3'}"
if DATABASE_URL.startswith("sqlite:///"):
    Path(DATABASE_URL.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": database_settings(DATABASE_URL)}
if sys.argv[1:2] == ["runserver"]:
    # The development server runs each request on a thread of its own: a connection kept
    # for the next request would outlive its thread, and a burst of requests then runs
    # PostgreSQL out of connections ("too many clients"). Django's docs say as much.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

# Mail (docs/operations.md): Django's own backends and settings, from the environment.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(env_str("EMAIL_TIMEOUT", "30"))
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pacer@localhost")
# The address people reach Pacer at, for the links in mail, Slack and Teams messages.
PACER_BASE_URL = env_str("PACER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Background work (docs/architecture.md, "Background work") ------------------------------
# django-tasks with its database backend: the queue lives in Pacer's own database, so the
# default install needs no broker; `pacer worker` runs the tasks and the schedule. A larger
# deployment can point PACER_TASKS_BACKEND at a broker-backed backend (django_tasks_rq).
TASKS = {
    "default": {
        "BACKEND": env_str("PACER_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Outgoing requests (webhooks, Slack, Teams) refuse private, loopback and link-local
# addresses unless the host is listed here (names, addresses or CIDR ranges).
PACER_OUTBOUND_ALLOW = env_list("PACER_OUTBOUND_ALLOW")
PACER_OUTBOUND_TIMEOUT = float(env_str("PACER_OUTBOUND_TIMEOUT", "10"))
# How often the worker syncs initiatives linked to GitHub, GitLab or Jira (docs/trackers.md).
PACER_SYNC_INTERVAL_MINUTES = int(env_str("PACER_SYNC_INTERVAL_MINUTES", "15"))
# Read-only SQL connections metric key results may read (docs/datasources.md): name=URL,...
PACER_SQL_SOURCES = parse_sources(env_str("PACER_SQL_SOURCES"))
PACER_SQL_TIMEOUT = float(env_str("PACER_SQL_TIMEOUT", "5"))
# Live pages (docs/live-pages.md): how often an open page asks whether it changed; 0 = never.
PACER_LIVE_SECONDS = int(env_str("PACER_LIVE_SECONDS", "5"))
# The organization's own OKR templates (docs/coach.md, "Templates by role"): a folder of
# *.yaml OKR files, listed after the built-in ones; one with a built-in's name replaces it.
PACER_TEMPLATE_DIR = env_str("PACER_TEMPLATE_DIR")

# --- Security (docs/security.md) ------------------------------------------------------------
# Production mode (DEBUG off): secure cookies and transport by default.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # pages hand the token to htmx in hx-headers; no script reads it
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A sign-in lasts two weeks (not sliding) and survives closing the browser: people check in
# weekly from their own devices. Signing out, changing the password or being deactivated
# ends it earlier.
SESSION_COOKIE_AGE = int(env_str("SESSION_COOKIE_AGE", str(60 * 60 * 24 * 14)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp): scripts only from Pacer's own files (no inline script,
# no eval: htmx runs with allowEval off); style elements only from Pacer's stylesheet; style
# *attributes* (progress bar widths, tree depths) are the one inline allowance (CSP3
# style-src-attr). No framing (with X-Frame-Options DENY for older browsers).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Behind N reverse proxies that each append to X-Forwarded-For, the client is the N-th
# address from the right; 0 (the default) trusts only the socket's address.
PROXY_COUNT = int(env_str("PACER_PROXY_COUNT", "0"))
NINJA_NUM_PROXIES = PROXY_COUNT

# Sign-in lockout (django-axes): 5 failed sign-ins for one email from one address lock that
# pair out for 15 minutes; a successful sign-in resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("PACER_LOCKOUT", True)
AXES_FAILURE_LIMIT = int(env_str("PACER_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env_str("PACER_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field (it holds the email)
AXES_USERNAME_CALLABLE = "pacer.security.lockout_username"  # the email, lowercased
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "pacer.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "pacer.security.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password", "token"]

# API rate limits (django-ninja throttling, pacer/api/throttling.py): requests per person
# (token or session) and per address for unauthenticated calls. "off" disables one. Counts
# live in the cache (CACHES; per process unless a shared cache is configured).
PACER_API_RATES = {
    "auth": env_str("PACER_API_RATE", "1200/min"),
    "anon": env_str("PACER_API_ANON_RATE", "60/min"),
}

# Static files: `pacer collectstatic` copies them to STATIC_ROOT (DATA_DIR/static), from where
# WhiteNoise serves them compressed, also with DEBUG off.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Every handler masks passwords, tokens, session ids and Authorization headers (the filter
# pacer.security.RedactSecrets). Django's own defaults (django.utils.log.DEFAULT_LOGGING) give
# the "django" logger a console handler in DEBUG and "django.server" (runserver's access log,
# whose lines carry query strings) one always, neither with the filter: both are replaced here
# (and Django's mail_admins handler dropped: Pacer sets no ADMINS).
# gunicorn's logs: pacer/gunicorn_config.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "pacer.security.RedactSecrets"},
        "one_line_refusals": {"()": "pacer.security.OneLineRefusals"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},  # to the root's console, once
        # A 403 (or other 4xx) is one line with its reason, not a traceback.
        "django.request": {"filters": ["one_line_refusals"]},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
