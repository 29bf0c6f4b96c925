"""Django settings for Entezam, configured through ENTEZAM_* environment variables."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/entezam
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ENTEZAM_VAR_DIR", PROJECT_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"ENTEZAM_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


def _secret_key() -> str:
    key = env("SECRET_KEY")
    if key:
        return key
    # Local use only: generate once into var/ so sessions survive restarts.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
# The embedded SQLite database is the local/demo mode: plain HTTP on 127.0.0.1.
EMBEDDED = not env("DATABASE_URL")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "entezam.core",
    "entezam.accounts",
    "entezam.notifications",
    "entezam.geo",
    "entezam.institutions",
    "entezam.personnel",
    "entezam.vetting",
    "entezam.roster",
    "entezam.guidelines",
    "entezam.training",
    "entezam.credentials",
    "entezam.feedback",
    "entezam.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "entezam.core.middleware.RequestIdMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "entezam.core.middleware.PersianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "entezam.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "entezam.config.urls"
WSGI_APPLICATION = "entezam.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Django's renderer, with selects written in Python (entezam.core.renderers).
FORM_RENDERER = "entezam.core.renderers.FormRenderer"

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
                "entezam.core.context_processors.navigation",
            ],
            "builtins": ["entezam.core.templatetags.persian"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'entezam.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # WAL: a long import's transaction does not block readers (pages stay usable);
        # IMMEDIATE: a writing transaction takes the write lock when it begins, so two
        # writers queue for it instead of failing midway with "database is locked".
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
    )
    DATABASES["default"]["TEST"] = {"NAME": None}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A page reads a page of rows. Parallel workers cost more to start than they save on
    # such queries, and on a busy server they wait for a core: a scoped people list over
    # 1,000,000 people took 25 ms with two workers and 10 ms without (bench_pages.py).
    # Random reads priced as on SSD or cached data (PostgreSQL's default 4 is a spinning
    # disk's): otherwise a scoped search counts its matches through a bitmap scan of every
    # match (45,000 rows, 220 ms at 1M people) rather than from the 4,800 people in scope.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={int(env('DB_PARALLEL_WORKERS', '0'))} "
        f"-c random_page_cost={float(env('DB_RANDOM_PAGE_COST', '1.1'))}"
    )
    # Django turns psycopg's prepared statements off (`prepare_threshold=None`), and then
    # psycopg ignores `execute(..., prepare=True)` too. A threshold no query reaches keeps
    # Django's queries unprepared while the statements asked for by name are prepared
    # once per connection (the card check: its planning cost more than its execution).
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = int(
        env("DB_PREPARE_THRESHOLD", str(2**31 - 1))
    )
if env("TEST_DB_TEMPLATE"):
    DATABASES["default"]["TEST"] = {"TEMPLATE": env("TEST_DB_TEMPLATE"), "CHARSET": "UTF8"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "entezam",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# With Redis, a signed-in request reads its session there (written to both, so a restart of
# Redis loses no one's sign-in); the user is still read from the database every request.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Every task the apps registered (`core.registry.register_periodic`), when due.
    "periodic-round": {"task": "entezam.core.tasks.periodic_round", "schedule": 60.0},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# The audit chain's secrets and witness live outside the database (core/audit_keys.py).
AUDIT_KEYS = env("AUDIT_KEYS", "") or ""
AUDIT_KEY_FILE = Path(env("AUDIT_KEY_FILE", str(VAR_DIR / "audit_keys")))
# The Ed25519 key that signs the compact credential in card QR codes and the revocation list
# (generated on first use when absent; keep it outside the database and back it up).
CREDENTIAL_SIGNING_KEY_FILE = Path(
    env("CREDENTIAL_SIGNING_KEY_FILE", str(VAR_DIR / "credential_signing_key"))
)
AUDIT_ANCHOR_FILE = Path(env("AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchor.log")))
AUDIT_ANCHOR_SINK = env("AUDIT_ANCHOR_SINK", "") or ""
# An event may stay unsealed this long (the sealer runs every minute) before verify fails.
AUDIT_MAX_UNSEALED_SECONDS = int(env("AUDIT_MAX_UNSEALED_SECONDS", "300"))

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username before its password is checked, on every sign-in path.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in lockout (django-axes, see accounts/lockout.py): failures counted per username in
# the database; after LOGIN_FAILURE_LIMIT of them the account is refused for
# LOGIN_LOCKOUT_SECONDS after the last one.
LOGIN_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_SECONDS = int(env("LOGIN_LOCKOUT_SECONDS", "900"))
# One address (many users behind one NAT gateway) is slowed down, never locked out.
LOGIN_ADDRESS_SLOWDOWN_AFTER = int(
    env("LOGIN_ADDRESS_SLOWDOWN_AFTER", str(4 * LOGIN_FAILURE_LIMIT))
)
# Exact national-code searches a user may make in an hour (each one is audited).
CODE_LOOKUPS_PER_HOUR = int(env("CODE_LOOKUPS_PER_HOUR", "200"))
# Lists count exactly up to this many rows; longer ones say "more than" and page by cursor.
LIST_COUNT_CAP = int(env("LIST_COUNT_CAP", "10000"))
# An export of more rows than this runs as a background job with a progress bar; up to
# EXPORT_JOB_LIMIT rows (a sheet holds 1,048,576).
EXPORT_INLINE_LIMIT = int(env("EXPORT_INLINE_LIMIT", "50000"))
EXPORT_JOB_LIMIT = int(env("EXPORT_JOB_LIMIT", "1000000"))
# A background export's file (personal data) is deleted this many hours after it was written.
EXPORT_KEEP_HOURS = int(env("EXPORT_KEEP_HOURS", "24"))
# The selection board reads a summary recomputed this often (the page states its age).
BOARD_REFRESH_SECONDS = int(env("BOARD_REFRESH_SECONDS", "300"))
# The managing director must hold a valid manager-course certificate to activate.
TRAINING_MANAGER_CERTIFICATE_REQUIRED = env_bool("TRAINING_MANAGER_CERTIFICATE_REQUIRED", True)
# Public card checks answered per address and minute before "too many checks".
CREDENTIAL_VERIFY_RATE_PER_MINUTE = int(env("CREDENTIAL_VERIFY_RATE_PER_MINUTE", "30"))
# With Redis, each process pushes its checks (and counts) at most this often, in one trip.
CREDENTIAL_CHECK_PUSH_SECONDS = float(env("CREDENTIAL_CHECK_PUSH_SECONDS", "1"))
LOGIN_ADDRESS_SLOWDOWN_SECONDS = int(env("LOGIN_ADDRESS_SLOWDOWN_SECONDS", "10"))
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_LOCKOUT_SECONDS)
# Per username, not per address: one NAT gateway must not lock out everyone behind it.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "entezam.accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "entezam.core.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lockout neither count nor prolong it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Only the counters: sign-ins are not logged in a table of their own.
AXES_DISABLE_ACCESS_LOG = True
# The admin shows domain data read-only to HQ administrators; unlock with
# `entezam axes_reset_username USERNAME`.
AXES_ENABLE_ADMIN = False
SILENCED_SYSTEM_CHECKS = [
    # axes.W002: AxesMiddleware only swaps the page for a bare 429 once an account is
    # locked; the sign-in forms show the lockout themselves (accounts/forms.py).
    "axes.W002",
    # axes.W006 asks for the address among the lockout parameters; leaving it out is the
    # point (see AXES_LOCKOUT_PARAMETERS), and the user agent is not a parameter either, so
    # rotating it gains an attacker nothing.
    "axes.W006",
]

LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tehran"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static", PROJECT_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "entezam.core.staticfiles.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Security: secure by default, relaxed only by explicit configuration (the demo).
HTTPS = env_bool("HTTPS", not DEBUG and not EMBEDDED)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = bool(SECURE_HSTS_SECONDS)
# Sent on every response by django-csp's middleware; scripts only from our own files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "style-src": [SELF, UNSAFE_INLINE],
        "script-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "entezam.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "2000/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Entezam API",
    "DESCRIPTION": "Private security institutions and police units — API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe the whole API surface: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "entezam.core.api.schema.document_errors",
    ],
    # One schema name per choice set, whichever field uses it.
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "entezam.vetting.choices.ApplicationStatus",
        "RuleKindEnum": "entezam.vetting.choices.RuleKind",
        "PositionEnum": "entezam.personnel.choices.Position",
        "FeedbackCategoryEnum": "entezam.feedback.choices.Category",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "forbidden_one_line": {"()": "entezam.core.logfilters.ForbiddenOneLine"},
        "card_check_answers": {"()": "entezam.core.logfilters.CardCheckAnswers"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["forbidden_one_line", "card_check_answers"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
