"""Settings for the MTA troubleshooting portal, read from the environment.

DATABASE_URL  postgres://... for PostgreSQL (psycopg 3); default: SQLite file db.sqlite3 here.
SECRET_KEY    required when DEBUG is off.
DEBUG         "1"/"true" to turn on debug pages (default off).
ALLOWED_HOSTS comma-separated host names (default: localhost names).
DIAG_*        diagnostics configuration, see diagnostics/checks/config.py.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "portal",
    "kb",
    "diagnostics",
    "tickets",
    "logs",
    "probes",
]

MIDDLEWARE = [
    "portal.middleware.ForwardedClientMiddleware",
    "portal.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Security. Behind nginx (deploy/nginx.conf) set TRUST_X_FORWARDED_PROTO=1 and TRUST_X_FORWARDED_FOR=1: it sets both
# headers, replacing what clients send; HTTPS settings are on unless DEBUG.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR")  # the client's address (portal.middleware)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Databases: SQLite in WAL mode by default, PostgreSQL when DATABASE_URL says so.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Search ranks the first matches a scan meets (kb/search/postgres.py): a scan must start at the table's
    # beginning, not where a concurrent one is (synchronised scans), or the same search ranks a different pool.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c synchronize_seqscans=off".strip()
    # A server that cannot be reached fails the connection (the outage page) instead of holding the request for
    # the operating system's TCP timeout, about two minutes; DATABASE_URL's ?connect_timeout=N overrides it.
    options.setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "portal.login_limit.AddressThrottleBackend",  # password spraying: failed logins per address, any username
    "axes.backends.AxesStandaloneBackend",  # brute-force protection: lockout per user and IP
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "portal.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "portal.login_limit.axes_username"  # bounded: an overlong username is no 500
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "20"))  # across all usernames
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "kb:home"
LOGOUT_REDIRECT_URL = "kb:home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Cache (rate limits, rendered article bodies, search answers, sessions): Redis when REDIS_URL is set (shared by all
# processes), else per-process memory; the portal behaves the same with either (docs/architecture.md, "one cache
# path"). Sessions are read from the cache only when it is shared: a per-process copy could outlive a logout
# handled by another process.
shared_cache = bool(os.environ.get("REDIS_URL"))


def redis_cache(location: str, timeout: float = 2) -> dict:
    """django-redis, not Django's RedisCache: that one builds a new redis-py client for every cache operation (0.3 ms
    of CPU each with redis-py 8, 3-5 per request); django-redis keeps one per process (docs/benchmarks.md)."""
    # Seconds: redis-py waits forever by default. Errors reach the caller as redis-py's own (the 503 page).
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": timeout, "SOCKET_TIMEOUT": timeout},
    }


CACHES = {
    "default": redis_cache(os.environ["REDIS_URL"])
    if shared_cache
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
}
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if shared_cache else "db")
RATE_LIMIT_SEARCH_PER_MINUTE = int(os.environ.get("RATE_LIMIT_SEARCH_PER_MINUTE", "120"))
# Search analytics rows an anonymous client (per address; IPv6: per /64) may add a minute (kb/search/log.py).
SEARCH_LOG_ANONYMOUS_PER_MINUTE = int(os.environ.get("SEARCH_LOG_ANONYMOUS_PER_MINUTE", "30"))
# Repeated audit events (denials, CSRF failures, 429s) are one row per kind, client and minute; past this many
# clients of one kind in a minute, the others share one row (portal/audit.py).
AUDIT_NEW_SOURCES_PER_MINUTE = int(os.environ.get("AUDIT_NEW_SOURCES_PER_MINUTE", "200"))
# Password-reset requests: per client address a minute, and per email address an hour (portal/accounts.py).
RATE_LIMIT_PASSWORD_RESET_PER_MINUTE = int(os.environ.get("RATE_LIMIT_PASSWORD_RESET_PER_MINUTE", "5"))
RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("RATE_LIMIT_PASSWORD_RESET_PER_ADDRESS_PER_HOUR", "3")
)

# Background tasks: django.tasks with the database backend (run `manage.py db_worker`).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Email: printed to the console in development; SMTP (EMAIL_HOST, EMAIL_PORT) otherwise. Mail is sent by a
# background task (portal/mail.py), never inside a request; one SMTP conversation that gets no answer for
# EMAIL_TIMEOUT seconds gives up, and the message is retried later.
email_backend = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
email_timeout = float(os.environ.get("EMAIL_TIMEOUT", "10"))
MAILERS = {
    "default": {
        "BACKEND": email_backend,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "timeout": email_timeout,
        }
        if email_backend == "django.core.mail.backends.smtp.EmailBackend"
        else {},
    },
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "helpdesk@localhost")

# Article view counts are buffered per process and written at most this often (kb/popularity.py).
KB_VIEW_FLUSH_SECONDS = int(os.environ.get("KB_VIEW_FLUSH_SECONDS", "10"))
# JSON API searches are recorded for analytics the same way (kb/search/log.py).
KB_SEARCH_LOG_FLUSH_SECONDS = int(os.environ.get("KB_SEARCH_LOG_FLUSH_SECONDS", "10"))

# The portal's own address, for links in notification emails.
PORTAL_URL = os.environ.get("PORTAL_URL", "http://127.0.0.1:8000")

# The guide shipped with the project; `import_guide` reads it by default.
GUIDE_PATH = BASE_DIR / "kb" / "data" / "troubleshoot-mta-issues.txt"

# Diagnostics (raw values; diagnostics.checks.config parses and validates them).
DIAG_NAMESERVERS = os.environ.get("DIAG_NAMESERVERS", "")
DIAG_CANARY_NAME = os.environ.get("DIAG_CANARY_NAME", ".")  # a name that always resolves: the vantage check
DIAG_FORTIGUARD_URLS = os.environ.get(
    "DIAG_FORTIGUARD_URLS",
    "https://service.fortiguard.net/,https://update.fortiguard.net/,https://securewf.fortiguard.net/",
)
DIAG_DNSBL_ZONES = os.environ.get("DIAG_DNSBL_ZONES", "zen.spamhaus.org,bl.spamcop.net")
DIAG_URIBL_ZONES = os.environ.get("DIAG_URIBL_ZONES", "multi.surbl.org,multi.uribl.com")
DIAG_TIMEOUT = os.environ.get("DIAG_TIMEOUT", "10")
DIAG_ALLOW_PRIVATE = os.environ.get("DIAG_ALLOW_PRIVATE", "")
DIAG_SMTP_PORT = os.environ.get("DIAG_SMTP_PORT", "25")
DIAG_DNSBL_WARN = os.environ.get("DIAG_DNSBL_WARN", "1")  # seconds above which a blocklist answer is slow
DIAG_TLS_CA_FILE = os.environ.get("DIAG_TLS_CA_FILE", "")  # extra CA bundle for FortiGuard endpoints
DIAG_HELO_NAME = os.environ.get("DIAG_HELO_NAME", "")  # FQDN for EHLO; default: PORTAL_URL's host
DIAG_PROBE_SENDER = os.environ.get("DIAG_PROBE_SENDER", "")  # MAIL FROM of the relay test
DIAG_RATE_LIMIT = int(os.environ.get("DIAG_RATE_LIMIT", "10"))  # diagnostic runs per user per minute

# Probes (docs/probes.md)
PROBES_OFFLINE_AFTER = int(os.environ.get("PROBES_OFFLINE_AFTER", "90"))  # seconds without a poll: offline
PROBES_POLL_SECONDS = int(os.environ.get("PROBES_POLL_SECONDS", "10"))  # the interval probes are told to poll at
PROBES_POLL_WAIT_MAX = int(os.environ.get("PROBES_POLL_WAIT_MAX", "0"))  # long-poll cap in seconds (0: short polls)
PROBES_CLOCK_SKEW = int(os.environ.get("PROBES_CLOCK_SKEW", "300"))  # seconds a signed request's time may be off
PROBES_MAX_BODY = int(os.environ.get("PROBES_MAX_BODY", str(256 * 1024)))  # bytes per probe request
PROBES_RATE_LIMIT = int(os.environ.get("PROBES_RATE_LIMIT", "60"))  # requests per probe per minute
PROBES_ENROL_RATE_LIMIT = int(os.environ.get("PROBES_ENROL_RATE_LIMIT", "10"))  # enrolments per address per minute

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logging.JSONFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # portal.middleware.RequestLogMiddleware replaces Django's own request log lines.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

# Log analysis (logs/): analyses and their samples are kept this many days (`purge_log_analyses`); raw uploads
# wait in LOG_UPLOAD_ROOT only until analysed.
LOG_RETENTION_DAYS = int(os.environ.get("LOG_RETENTION_DAYS", "30"))
LOG_UPLOAD_ROOT = os.environ.get("LOG_UPLOAD_ROOT", "")
LOG_MAX_UPLOAD_BYTES = int(os.environ.get("LOG_MAX_UPLOAD_BYTES", str(2 << 30)))
