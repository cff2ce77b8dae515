"""Opora settings: one module, switched by environment variables only.

Embedded defaults (no variables set): SQLite under ``var/``, Celery over kombu's
filesystem transport under ``var/celery``, console e-mail. Scale-out: set
``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` (broker, results and cache).
Bad values fail at start-up with a message naming the variable.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file beside manage.py is read when present; real environment wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env_bool(name: str, default: bool) -> bool:
    """Parse a boolean strictly: a typo such as DEBUG=ture must not pass as False."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


DEBUG = _env_bool("DEBUG", False)
# With DEBUG=1 users still get the Russian 404/500 pages; set this to see Django's technical ones.
DEBUG_TECHNICAL_PAGES = _env_bool("DEBUG_TECHNICAL_PAGES", False)

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is not set (a development default exists only with DEBUG=1)")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - used only with DEBUG=1  # nosec B105 # development key, refused unless DEBUG=1

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "simple_history",
    "accounts",
    "schools",
    "core",
    "people",
    "monitoring",
    "identification",
    "analytics",
    "risks",
    "roadmaps",
    "partnerships",
    "events",
    "teachers",
    "reports",
]

MIDDLEWARE = [
    # Before anything that reads the Host header: the container's health probe uses 127.0.0.1.
    "core.middleware.LivenessMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RussianErrorPagesMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must be last: it answers locked-out logins itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.csp",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'opora.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share one file: WAL lets readers go on while a
    # writer works, IMMEDIATE takes the write lock up front (no deadlock on upgrade),
    # and the timeout makes a second writer wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r}: expected redis://host:port/db")
if REDIS_URL:
    # Fail soft: with Redis down the cache misses instead of failing the page (core/cache.py);
    # short timeouts so a Redis that does not answer costs a page at most a second.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's PBKDF2, computed at the lowest CPU priority so a burst of logins cannot starve
# page requests (core/hashers.py). It reads and writes Django's «pbkdf2_sha256» hashes, so it
# replaces Django's class in the list (two classes of one algorithm: the later one would win);
# the others are Django's defaults, to read older hashes.
PASSWORD_HASHERS = [
    "core.hashers.LowPriorityPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:public_home"

# How many proxies of our own stand in front of the application (the HTTPS proxy: 1). The client's
# address is then read from X-Forwarded-For that far from the right (core.client_ip), for axes and
# for every rate limit; with 0 the header is ignored. Behind a proxy with 0, every visitor would
# share the proxy's address: one bad password from anywhere would count against everyone.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if not 0 <= TRUSTED_PROXY_COUNT <= 5:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT}: expected 0 to 5")
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Axes locks one username from one address; password spraying (one try per username from one
# address) is capped across usernames here (accounts.views.login): failures per address and window.
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=30)
LOGIN_IP_FAILURE_WINDOW = 15 * 60
# Password reset letters: per address and per client address, in an hour.
PASSWORD_RESET_PER_EMAIL = env.int("PASSWORD_RESET_PER_EMAIL", default=3)
PASSWORD_RESET_PER_IP = env.int("PASSWORD_RESET_PER_IP", default=20)
PASSWORD_RESET_WINDOW = 3600

# Links that invite a new account or reset a password by staff: signed, single-use, this long.
INVITATION_TIMEOUT_DAYS = env.int("INVITATION_TIMEOUT_DAYS", default=7)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Internationalisation -------------------------------------------------------
LANGUAGE_CODE = "ru"
# Our Russian for the few messages Django's own catalogue lacks (locale/ru/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
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
# Uploads bigger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
# What an uploaded XLSX may unpack to in all (core.tabular). A real workbook compresses its XML
# 5–30 times — a Ф1 of 700,000 rows is 46 MB packed and 565 MB unpacked — so the cap is thirty
# times the upload limit unless set (core.tabular.max_uncompressed_bytes); the sheet limits below
# bound what a sheet costs in memory anyway.
UPLOAD_MAX_UNCOMPRESSED_BYTES = env.int("UPLOAD_MAX_UNCOMPRESSED_BYTES", default=0) or None
# What one sheet of an uploaded table may hold (core.tabular). Counted in the archive's XML (or
# the CSV's lines) before anything is loaded, so a small file that unpacks into millions of rows
# is refused with a Russian message instead of growing the worker by gigabytes. The rows default
# to Excel's own limit; the cells bound what a sheet costs in memory (about 60 bytes a cell).
IMPORT_MAX_SHEET_ROWS = env.int("IMPORT_MAX_SHEET_ROWS", default=1_048_576)
IMPORT_MAX_SHEET_CELLS = env.int("IMPORT_MAX_SHEET_CELLS", default=20_000_000)
# Uploaded import files (results, registry) are inputs only: a results upload is deleted when its
# job ends (it may hold names and passports), and every import upload after this many days.
UPLOAD_RETENTION_DAYS = env.int("UPLOAD_RETENTION_DAYS", default=7)
if UPLOAD_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("UPLOAD_RETENTION_DAYS must be at least 1")
# Evidence files of roadmap progress (pdf, docx, xlsx, jpg, png), each checked by content.
ROADMAP_EVIDENCE_MAX_BYTES = env.int("ROADMAP_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# Directors are reminded this many days before a reporting period is due.
ROADMAP_REMINDER_DAYS = env.int("ROADMAP_REMINDER_DAYS", default=3)
# A municipality's data export holds personal data (staff names, e-mails): its file is deleted
# this many days after it was made; the row stays in the list as history.
MUNICIPAL_EXPORT_KEEP_DAYS = env.int("MUNICIPAL_EXPORT_KEEP_DAYS", default=7)
if MUNICIPAL_EXPORT_KEEP_DAYS < 1:
    raise ImproperlyConfigured("MUNICIPAL_EXPORT_KEEP_DAYS must be at least 1")
# Key of the participant hash (HMAC-SHA256) in result imports.
PARTICIPANT_HASH_KEY = env.str("PARTICIPANT_HASH_KEY", default="")
if not PARTICIPANT_HASH_KEY:
    if not DEBUG:
        # Deriving it from SECRET_KEY would tie every stored participant key to the secret: rotating
        # the secret after a leak would silently split each participant's history in two.
        raise ImproperlyConfigured(
            "PARTICIPANT_HASH_KEY is not set: production needs its own key for participant hashes "
            "(a long random string, kept unchanged for the life of the data)"
        )
    PARTICIPANT_HASH_KEY = f"participant:{SECRET_KEY}"

# --- E-mail ---------------------------------------------------------------------
# Django 6.1 configures mail through MAILERS (the EMAIL_* settings are deprecated).
_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp = _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
# The console prints letters decoded (Django's prints base64 for Russian text).
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    _email["EMAIL_BACKEND"] = "core.mail.ReadableConsoleBackend"
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {
            "host": _email.get("EMAIL_HOST") or "localhost",
            "port": _email.get("EMAIL_PORT") or None,
            "username": _email.get("EMAIL_HOST_USER") or None,
            "password": _email.get("EMAIL_HOST_PASSWORD") or None,
            "use_tls": bool(_email.get("EMAIL_USE_TLS")),
            "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        }
        if _smtp
        else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="opora@localhost")
# A participant's link in event letters (cancel, survey, certificate) stops working this many days
# after the letter; later letters (survey, certificate) carry fresh links.
REGISTRATION_LINK_MAX_AGE_DAYS = env.int("REGISTRATION_LINK_MAX_AGE_DAYS", default=180)
# The portal's public address, for links in letters (cancel a registration, open a roadmap).
# `make run` passes http://HOST:PORT, so links follow the port the portal listens on.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL={SITE_URL!r}: expected https://host")

# --- UI -------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# --- Celery -----------------------------------------------------------------------
# Without REDIS_URL the broker is a folder: the web process drops messages there and
# the worker that `make run` starts picks them up, so long jobs never block a page.
CELERY_DATA_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    for sub in ("queue", "processed", "control"):
        (CELERY_DATA_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_RESULT_BACKEND = None
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
        # Exchange bindings are shared through files here, so the web process and the
        # worker route to the same queues (the default is a "control" folder in the cwd).
        "control_folder": str(CELERY_DATA_DIR / "control"),
    }
CELERY_TASK_QUEUES = [
    Queue("default", Exchange("default"), routing_key="default"),
    Queue("imports", Exchange("imports"), routing_key="imports"),
    Queue("reports", Exchange("reports"), routing_key="reports"),
]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_DEFAULT_EXCHANGE = "default"
CELERY_TASK_DEFAULT_ROUTING_KEY = "default"
CELERY_TASK_ROUTES = {
    "*.import_*": {"queue": "imports", "routing_key": "imports"},
    "*.render_*": {"queue": "reports", "routing_key": "reports"},
}
# Time limits per queue, in seconds (soft, hard). At the soft limit the task gets an exception
# and its job fails with a Russian message, nothing written (core.jobs.services.job_run); at the
# hard limit the worker's child process is killed, the job's heartbeat stops, and the sweep queues
# it again or, after JOBS_MAX_ATTEMPTS, fails it. Applied by config.celery.QueueTimeLimits. Prefork
# workers only (the deployed `celery worker`): the thread pool of `make run` cannot stop a task.
CELERY_QUEUE_TIME_LIMITS = {
    "default": (
        env.int("CELERY_DEFAULT_SOFT_TIME_LIMIT", default=15 * 60),
        env.int("CELERY_DEFAULT_TIME_LIMIT", default=16 * 60),
    ),
    "imports": (
        env.int("CELERY_IMPORTS_SOFT_TIME_LIMIT", default=45 * 60),
        env.int("CELERY_IMPORTS_TIME_LIMIT", default=47 * 60),
    ),
    "reports": (
        env.int("CELERY_REPORTS_SOFT_TIME_LIMIT", default=10 * 60),
        env.int("CELERY_REPORTS_TIME_LIMIT", default=11 * 60),
    ),
}
for _queue, (_soft, _hard) in CELERY_QUEUE_TIME_LIMITS.items():
    if not 0 < _soft < _hard:
        raise ImproperlyConfigured(f"time limits of the {_queue} queue: expected 0 < soft ({_soft}) < hard ({_hard})")
# A prefork child that has grown past this (KiB) after a task is replaced by a fresh one: a large
# import or PDF leaves its memory to no later task. 0 turns it off.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=1_000_000) or None
# The job layer (core/jobs): a running job's worker touches its heartbeat every JOBS_HEARTBEAT_SECONDS;
# a job silent for JOBS_STALE_AFTER_SECONDS lost its worker, and the sweep (core.tasks.sweep_jobs)
# queues it again, or fails it with «Задача не завершилась после N попыток…» once N = JOBS_MAX_ATTEMPTS
# claims died (a file that kills the worker must not loop for ever).
JOBS_HEARTBEAT_SECONDS = env.int("JOBS_HEARTBEAT_SECONDS", default=30)
JOBS_STALE_AFTER_SECONDS = env.int("JOBS_STALE_AFTER_SECONDS", default=10 * 60)
JOBS_MAX_ATTEMPTS = env.int("JOBS_MAX_ATTEMPTS", default=3)
if JOBS_MAX_ATTEMPTS < 1 or 3 * max(JOBS_HEARTBEAT_SECONDS, 1) > JOBS_STALE_AFTER_SECONDS:
    raise ImproperlyConfigured("JOBS_MAX_ATTEMPTS ≥ 1 and JOBS_STALE_AFTER_SECONDS ≥ 3 × JOBS_HEARTBEAT_SECONDS")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every job keeps its state in its own database row; nobody reads Celery results. Storing them
# would also make each `.delay()` subscribe to the result backend, which with Redis down
# blocks the page for ~20 s and raises RuntimeError instead of the broker's error (core/queue.py).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = _env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs live here (django-celery-beat does not support Django 6.1).
CELERY_BEAT_SCHEDULE = {
    # The one sweep of every job kind (core/jobs): lost messages sent again, stale jobs taken back.
    "sweep-jobs": {
        "task": "core.tasks.sweep_jobs",
        "schedule": 60,
    },
    "purge-old-submit-tokens": {
        "task": "core.tasks.purge_submit_tokens",
        "schedule": 24 * 3600,
    },
    "purge-expired-rate-limits": {
        "task": "core.tasks.purge_rate_limits",
        "schedule": 3600,
    },
    "purge-expired-result-uploads": {
        "task": "monitoring.tasks.purge_result_uploads",
        "schedule": 3600,
    },
    "purge-stale-registry-uploads": {
        "task": "schools.tasks.purge_registry_uploads",
        "schedule": 24 * 3600,
    },
    # Idempotent: a period is claimed once (reminder_sent_at), so hourly runs remind once.
    "remind-progress-reports-due": {
        "task": "roadmaps.tasks.remind_periods_due",
        "schedule": 3600,
    },
    "purge-expired-municipal-exports": {
        "task": "reports.tasks.purge_municipal_exports",
        "schedule": 3600,
    },
    # Idempotent: each step of a school's escalation is written once (unique), so hourly runs send it once.
    "escalate-missing-reports": {
        "task": "roadmaps.tasks.escalate_missing_reports",
        "schedule": 3600,
    },
    # Idempotent: each step of an overdue measure is written once (unique), so hourly runs send it once.
    "escalate-late-measures": {
        "task": "roadmaps.tasks.escalate_late_measures",
        "schedule": 3600,
    },
    # The sweeps below send again what a broker outage or a dead worker left behind (core.queue.requeue_stale);
    # every task they send claims its row first, so a job that is already done does nothing.
    "requeue-stale-risks": {
        "task": "risks.tasks.requeue_stale_risks",
        "schedule": 5 * 60,
    },
}

# --- Security (production) -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content Security Policy (Django's own, 6.0+): scripts only from our static files (no inline
# scripts, no inline event handlers; a <script nonce="{{ csp_nonce }}"> where one is unavoidable),
# nothing from other hosts (the users' networks are closed anyway). Inline styles stay allowed:
# progress bars and Bootstrap's positioning set style attributes, and styles cannot run code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if not DEBUG:
    # Production is behind an HTTPS proxy that sets X-Forwarded-Proto; `manage.py check --deploy`
    # passes with these defaults (tests/test_security.py, tests/test_deployment.py). The health checks
    # stay on plain HTTP for the load balancer.
    SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = _env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^health/live/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preload is a promise to browsers' built-in lists that is hard to take back: the operator opts in.
    SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # W021 asks for preload; leaving it off is the decision above, not an oversight.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_without_traceback": {"()": "core.log_filters.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["forbidden_without_traceback"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
