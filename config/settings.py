"""Settings of the fund portal, read from environment variables.

Every variable is listed in README.md. With nothing set and DEBUG on, the portal runs on an
embedded SQLite file and an embedded Celery broker (kombu's filesystem transport); production
sets DATABASE_URL, REDIS_URL and SECRET_KEY, and `manage.py check --deploy` stays silent.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# Runtime data of the embedded defaults (SQLite file, broker folders, beat schedule).
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "fund_portal.admin_site.FundAdminConfig",  # django.contrib.admin, with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "auditlog",
    "django_filters",
    "django_htmx",
    "import_export",
    "fund_portal",
    "donations",
    "children",
    "campaigns",
    "reports",
    "public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fund_portal.middleware.VietnameseFirstLocaleMiddleware",
    # After the language is chosen (its page is in Vietnamese), before anything reads the path or query.
    "fund_portal.middleware.RefuseNulBytesMiddleware",
    # Which fund a public page is for (/quy/<code>/..., or its host name), before anything resolves the path.
    "donations.middleware.PublicFundMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Deny by default: every view needs a logged-in user unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "fund_portal.middleware.StaffMFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "fund_portal.context_processors.portal",
                "children.context_processors.incidents",
            ],
            "builtins": ["fund_portal.templatetags.fund_format"],
        },
    }
]

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web server and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Persistent connections are worth 2.6x on a template page (shared/STACK-NOTES.md).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles any query its planner costs high: on the transparency page's donor list
    # (100,000 donations of a month) that was 174 ms of compiling for a 250 ms query. Our pages and
    # reports are many short aggregates, where it costs more than it saves. DB_JIT=on restores it.
    if not env.bool("DB_JIT", default=False):
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker ---------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "fund_portal.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer is an outage (the backend then serves from memory, see
            # fund_portal.cache), not a wait of the system's TCP timeout on every page.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The variables are deliberately not named CELERY_BROKER_URL: Celery itself reads that name
# from the environment for every app, pytest's test app included (shared/STACK-NOTES.md).
CELERY_BROKER_URL = env("BROKER_URL", default=REDIS_URL or "filesystem://")
# Redis keeps a task a worker has taken in its "unacked" set until the worker acknowledges it, and gives it
# to another worker once it is older than the visibility timeout (kombu's default: an hour, during which
# the task of a killed worker waits). Five minutes is longer than any task runs (a report's PDF takes
# seconds, retries wait at most 16 s and no task is scheduled ahead with an ETA); a task that ran longer
# would be run a second time, which the tasks, being idempotent, survive. Workers look for such tasks
# every tenth of the timeout (at most every 10 s) instead of kombu's 100 s.
BROKER_VISIBILITY_TIMEOUT = env.int("BROKER_VISIBILITY_TIMEOUT", default=300)
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": max(1, min(10, BROKER_VISIBILITY_TIMEOUT // 10)),
        "unacked_restore_throttle": 1,
    }
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    _queue_dir.mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# A task is acknowledged when it has run, not when a worker takes it: a worker killed mid-task (deploy,
# OOM, power) leaves it to be redelivered (above). A pool process that dies under a task (the OOM killer
# on a PDF) hands it back at once instead of it being marked failed; the tasks are idempotent. Each worker
# process holds one task at a time, so a killed worker takes no queued tasks down with it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A pool process warms WeasyPrint up as it starts (config.celery); on a cold container that can
# pass Celery's default of 4 s, after which the process would be killed and started again.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 30
# Two queues: "celery" for what people wait on (receipts, urgent-incident mail, the heartbeat) and "long"
# for the long jobs (the priority recomputed over many children, report builds), so a recompute of the
# whole registry or a deadline's reports never hold a receipt back. A worker started without -Q serves
# both (make run, the tests); docker compose runs one worker for each.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("long"))
CELERY_TASK_ROUTES = {
    "children.tasks.priority_recompute_task": {"queue": "long"},
    "children.tasks.priority_recompute_units_task": {"queue": "long"},
    "children.tasks.priority_recompute_batch_task": {"queue": "long"},
    "reports.tasks.report_build_task": {"queue": "long"},
}
#: Children recomputed in one transaction at most (children.tasks._recompute_communes).
PRIORITY_RECOMPUTE_BATCH = env.int("PRIORITY_RECOMPUTE_BATCH", default=5_000)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "celerybeat-schedule")
# The beat schedule lives in code, here; report deadlines are data (reports app).
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "fund_portal.tasks.heartbeat_task",
        "schedule": env.float("HEARTBEAT_SECONDS", default=60.0),
    },
    "children-age-out": {
        "task": "children.tasks.children_age_out_task",
        "schedule": crontab(hour=1, minute=5),
    },
    "campaigns-from-templates": {
        "task": "campaigns.tasks.campaigns_from_templates_task",
        "schedule": crontab(hour=1, minute=15),
    },
    "reports-calendar": {
        "task": "reports.tasks.reports_calendar_task",
        "schedule": crontab(hour=6, minute=15),
    },
    # Urgent incidents whose email task was lost (recorded while the broker was down).
    "incidents-notify-pending": {
        "task": "children.tasks_incidents.incidents_notify_pending_task",
        "schedule": 300.0,
    },
}

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "fund_portal.User"
AUTHENTICATION_BACKENDS = [
    # Django's ModelBackend and allauth's, each reading the account in one query and keeping its
    # permissions in the cache between requests.
    "fund_portal.auth_backends.PortalModelBackend",
    "fund_portal.auth_backends.PortalAllauthBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Django's list is of English-speaking users' passwords; "matkhau123" passed it.
    {"NAME": "fund_portal.passwords.VietnameseCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home_after_login"
ACCOUNT_ADAPTER = "fund_portal.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Wrong passwords: 10 a minute from one address, 5 in 5 minutes for one account (tests/security).
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# How many proxies of ours add to X-Forwarded-For (the TLS proxy in front of gunicorn: 1). With 0
# the client is REMOTE_ADDR, which behind a proxy is the proxy itself, so every visitor would
# share one budget of the rate limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Public donation form: at most this many POSTs per client address in DONATE_RATE_PERIOD seconds.
DONATE_RATE_LIMIT = env.int("DONATE_RATE_LIMIT", default=10)
DONATE_RATE_PERIOD = env.int("DONATE_RATE_PERIOD", default=600)
# The largest amount the public donation form takes, in đồng (staff record larger gifts in the portal).
DONATION_MAX_AMOUNT = env.int("DONATION_MAX_AMOUNT", default=10_000_000_000)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Quỹ Bảo trợ trẻ em")
MFA_TOTP_TOLERANCE = 1
# Staff are sent straight from login to TOTP setup; asking for the password they have just
# typed a second time helps no one.
MFA_REAUTHENTICATION_REQUIRED = False

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["fund_portal.formats"]

# --- Static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Spreadsheet imports (fund_portal.spreadsheets.open_sheet): larger files are refused with a message.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_UNPACKED_BYTES = 400 * 1024 * 1024
IMPORT_MAX_SHEET_ROWS = 250_000
IMPORT_MAX_SHEET_COLUMNS = 200
IMPORT_MAX_SHEET_CELLS = 6_000_000

# --- Email ------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@mail.example.org:587, becomes Django 6.1's MAILERS.
_email = env.email_url_config(env("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"))
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {k: v for k, v in _smtp_options.items() if v not in (None, "")}
        if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Quỹ Bảo trợ trẻ em <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Admin", a) for a in env.list("ADMIN_EMAILS", default=[])]

# --- Security ---------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# The language cookie travels with every request like the session's: the same flags.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "style-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
}
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite (development) has no covering indexes: Django leaves out the INCLUDE columns of
    # child_commune_name_idx there and says so at every command (models.W040).
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- The portal -------------------------------------------------------------------------
FUND_NAME = env("FUND_NAME", default="Quỹ Bảo trợ trẻ em huyện Triệu Sơn")
# The receipt's and the payment voucher's form codes (Mẫu số) and book numbers (Quyển số), as the
# fund's accounting regime names them: printed on every receipt (biên lai) and voucher (phiếu chi).
RECEIPT_FORM_CODE = env("RECEIPT_FORM_CODE", default="C45-BB")
RECEIPT_BOOK_NUMBER = env("RECEIPT_BOOK_NUMBER", default="01")
VOUCHER_FORM_CODE = env("VOUCHER_FORM_CODE", default="C41-BB")
VOUCHER_BOOK_NUMBER = env("VOUCHER_BOOK_NUMBER", default="01")
# The default fund of the public site and /donate/ (its code); empty: the top fund with a default bank
# account. Every other active fund has its own public pages at /quy/<code>/ or on its own host name
# (the fund's "public host name" in the admin, which must also be in ALLOWED_HOSTS).
PUBLIC_FUND_CODE = env("PUBLIC_FUND_CODE", default="")
# The public address of the site, for links in emails and PDFs; by default the development server's,
# on the port `make run` serves (PORT, 8000 unless set).
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}").rstrip("/")
# The live bank feed (`/bank-feed/sepay/`, a SePay-style webhook): its API key, or its HMAC-SHA256
# secret, as set in the provider's dashboard. Neither set: the feed answers 404 and writes nothing.
BANK_FEED_API_KEY = env("BANK_FEED_API_KEY", default="")
BANK_FEED_HMAC_SECRET = env("BANK_FEED_HMAC_SECRET", default="")
# Counts of children in a sensitive group (or of incidents of a sensitive kind) below this are shown as
# "< 5" to users without `children.view_sensitive` and in everything that leaves the portal (reports'
# PDF and XLSX, the public pages): a count of 1 or 2 in a commune points at the child.
SENSITIVE_SMALL_COUNT = env.int("SENSITIVE_SMALL_COUNT", default=5)
# Defaults of the commendation list (a fund may set its own): a donor who gave this much in a year, or
# in this many years running.
RECOGNITION_MIN_AMOUNT = env.int("RECOGNITION_MIN_AMOUNT", default=50_000_000)
RECOGNITION_CONSECUTIVE_YEARS = env.int("RECOGNITION_CONSECUTIVE_YEARS", default=3)
HEALTHZ_TIMEOUT_SECONDS = env.float("HEALTHZ_TIMEOUT_SECONDS", default=2.0)

# The small demo (`seed_demo`): after the core's units and logins, each app's records, in this order.
DEMO_SEEDERS = [
    "donations.demo.demo_seed",
    "campaigns.demo.demo_seed",
    "children.demo.demo_seed",
    "campaigns.demo.demo_seed_handover",
    "campaigns.demo.demo_seed_past_campaigns",
    "reports.demo.demo_seed",
]
# Told, after the commit, of units whose flags or place changed (`unit_save`): each takes `unit_ids`.
UNIT_CHANGED_HOOKS = ["children.tasks.priority_recompute_units"]
# The large data sets of `seed_demo --children N --donations N` and `--national` (benchmarks).
DEMO_LARGE = {
    "children": "children.demo.seed_children",
    "donations": "donations.demo.demo_donations_large",
    "national": "donations.demo_national.national_seed",
}
