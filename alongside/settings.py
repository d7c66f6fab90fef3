"""Alongside settings: one file, every environment differs only by environment variables.

See .env.example for the variables and docs/deploy.md for production values.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

from django.utils.csp import CSP

from alongside.lib.env import (
    database_from_url,
    envbool,
    envfloat,
    envint,
    envlist,
    envstr,
)

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "test" in sys.argv[1:2]
# Commands that only read the models: they never sign anything nor serve a request, so
# they run without a production secret (CI and reviewers check migrations this way).
MODELS_ONLY_COMMAND = sys.argv[1:2] in (["makemigrations"], ["showmigrations"])

DEBUG = envbool("DEBUG", "False")
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING or MODELS_ONLY_COMMAND:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production-" + "x" * 20
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "Set SECRET_KEY (a long random string) when DEBUG is off."
        )
SECRET_KEY_FALLBACKS = envlist("OLD_SECRET_KEYS")
# Seals the link between a safe-space pseudonym and its member (dialogue/safespace.py).
# Kept outside the database, and separate from SECRET_KEY: losing it makes pseudonyms
# unlinkable for good (see docs/deploy.md).
PSEUDONYM_KEY = envstr("PSEUDONYM_KEY")
if not PSEUDONYM_KEY:
    if DEBUG or TESTING or MODELS_ONLY_COMMAND:
        PSEUDONYM_KEY = "insecure-development-pseudonym-key-" + "x" * 20
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "Set PSEUDONYM_KEY (a long random string) when DEBUG is off."
        )

# Former pseudonym keys, while `manage.py pseudonym_rekey` moves every pseudonym to the
# current one (docs/deploy.md, "The pseudonym key"): still read, never written.
PSEUDONYM_KEY_FALLBACKS = envlist("OLD_PSEUDONYM_KEYS")

SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = envstr("SITE_NAME", "Alongside")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# Demo mode relaxes the MFA requirement for program admins of the demo organization only.
DEMO_MODE = envbool("DEMO_MODE", "True" if DEBUG else "False")

INSTALLED_APPS = [
    "alongside.checks.AlongsideChecksConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "alongside.worker",
    "alongside.accounts",
    "alongside.organizations",
    "alongside.audit",
    "alongside.notifications",
    "alongside.pledges",
    "alongside.recognition",
    "alongside.concerns",
    "alongside.campaigns",
    "alongside.learning",
    "alongside.events",
    "alongside.equity",
    "alongside.circles",
    "alongside.dialogue",
    "alongside.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "alongside.lib.middleware.DatabaseUnavailableMiddleware",
    # Anonymous visitors' campaign page and counter, when the answer is already known.
    "alongside.campaigns.middleware.PublicPageFastPath",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The Django admin asks staff for a second factor passed in this session.
    "alongside.lib.middleware.AdminRequiresMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "alongside.urls"
TEST_RUNNER = "alongside.test_runner.Runner"
WSGI_APPLICATION = "alongside.wsgi.application"

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
                "alongside.lib.context_processors.site",
                "alongside.notifications.context_processors.unread",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    }
]

DATABASES = {
    "default": database_from_url(
        envstr("DATABASE_URL"),
        sqlite_path=envstr("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES: dict[str, dict[str, Any]]
if envstr("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": envstr("REDIS_URL"),
        }
    }
else:
    # A shared cache so rate limits hold across processes (LocMem would be per process).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "alongside_cache",
            # Django's default of 300 entries would cull live rate-limit counters as
            # soon as a few hundred visitors sign a campaign within the window.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}
# The task worker (`manage.py run_worker`, alongside/worker/): a task left RUNNING by a
# worker not heard from for this long is run again; /healthz reports the queue stalled
# when a task has waited this long, or tasks wait and no worker was seen for this long.
TASK_WORKER_LEASE_SECONDS = envint("TASK_WORKER_LEASE_SECONDS", "30")
TASK_QUEUE_STALL_SECONDS = envint("TASK_QUEUE_STALL_SECONDS", "60")

if envstr("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": envstr("SMTP_HOST"),
                "port": envint("SMTP_PORT", "587"),
                "username": envstr("SMTP_USER"),
                "password": envstr("SMTP_PASSWORD"),
                "use_tls": envbool("SMTP_USE_TLS", "True"),
                "timeout": 20,
            },
        }
    }
elif DEBUG or TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    # Production without SMTP_HOST: hand mail to the machine's own MTA (postfix,
    # nullmailer, ...) on localhost:25, never silently print it to a log.
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "localhost", "port": 25, "timeout": 20},
        }
    }
DEFAULT_FROM_EMAIL = envstr(
    "DEFAULT_FROM_EMAIL", "Alongside <noreply@alongside.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth
ACCOUNT_ADAPTER = "alongside.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Asks for the display name, so other members never see an email address instead.
ACCOUNT_SIGNUP_FORM_CLASS = "alongside.accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,2/h/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_email": "1/m/user",
    "reauthenticate": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and envbool("SECURE_SSL_REDIRECT", "True")
# Local health probes (systemd, a load balancer) speak plain HTTP to the app server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000") if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preload-ready by default (a year, subdomains included). Setting
# SECURE_HSTS_PRELOAD=false is a deliberate choice, so its deploy-check reminder is silenced.
SECURE_HSTS_PRELOAD = HTTPS and envbool("SECURE_HSTS_PRELOAD", "True")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD or not HTTPS else ["security.W021"]
BEHIND_PROXY = envbool("BEHIND_PROXY", "False")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies of ours append to X-Forwarded-For (client IPs for rate limits).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "1" if BEHIND_PROXY else "0")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# STATIC_ROOT exists only after collectstatic (production); in development WhiteNoise
# serves from the finders instead.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
# Payroll uploads wait here (mode 0600) between upload and report, never under MEDIA_ROOT.
# Empty means a private directory in the system's temporary folder.
EQUITY_UPLOAD_ROOT = envstr("EQUITY_UPLOAD_ROOT", "")
# Days before a lowered pay-gap k applies, announced to every program admin meanwhile.
EQUITY_K_LOWERING_DELAY_DAYS = envint("EQUITY_K_LOWERING_DELAY_DAYS", "7")
# Reports whose snapshot dates are fewer days apart describe the same period and must
# not differ by fewer than k people in any cell (docs/paygap-method.md).
EQUITY_SAME_PERIOD_DAYS = envint("EQUITY_SAME_PERIOD_DAYS", "360")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": envstr("LOG_LEVEL", "WARNING" if TESTING else "INFO"),
    },
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING" if TESTING else "INFO"},
        # Tests provoke 4xx/5xx on purpose; keep their output readable.
        "django.request": {"level": "CRITICAL" if TESTING else "WARNING"},
    },
}

# Product rules, each overridable per deployment.
CONFIRMATION_LINK_DAYS = envint("CONFIRMATION_LINK_DAYS", "14")
CONFIRMATION_MAX_PENDING_PER_RECIPIENT = envint(
    "CONFIRMATION_MAX_PENDING_PER_RECIPIENT", "3"
)
CONFIRMATION_MAX_PER_DAY = envint("CONFIRMATION_MAX_PER_DAY", "10")
CONFIRMATION_REMINDER_DAYS = envint("CONFIRMATION_REMINDER_DAYS", "5")
# Program admins see an ally flagged when one confirmer confirmed more than this many
# of his actions, or (once he has at least that many confirmed) more than this percent.
CONFIRMATION_FLAG_FROM_ONE = envint("CONFIRMATION_FLAG_FROM_ONE", "5")
CONFIRMATION_FLAG_PERCENT = envint("CONFIRMATION_FLAG_PERCENT", "80")
INVITATION_DAYS = envint("INVITATION_DAYS", "14")
# Days before a lowered smallest group size (k) applies, announced to every program
# admin meanwhile; raising it applies at once (Organization.effective_min_group_size).
MIN_GROUP_SIZE_LOWERING_DAYS = envint("MIN_GROUP_SIZE_LOWERING_DAYS", "7")
# Break-glass reveal: an approver must have held the program admin role this many days
# before the request was made (a second account made admin today cannot approve). A
# deployment setting, not an organization setting: an admin who could lower it could
# lower it for her own request.
REVEAL_APPROVER_TENURE_DAYS = envint("REVEAL_APPROVER_TENURE_DAYS", "30")
# Concerns raised per hour from one IP address to one organization.
CONCERNS_PER_IP_PER_HOUR = envint("CONCERNS_PER_IP_PER_HOUR", "5")

# Campaigns (alongside/campaigns/README.md, "Settings").
# Signing POSTs one client IP may make in any CAMPAIGN_SIGN_RATE_WINDOW seconds.
CAMPAIGN_SIGN_RATE_LIMIT = envint("CAMPAIGN_SIGN_RATE_LIMIT", "30")
CAMPAIGN_SIGN_RATE_WINDOW = envint("CAMPAIGN_SIGN_RATE_WINDOW", "600")
# A repeated signature re-sends its confirmation email at most once in this many minutes.
CAMPAIGN_RESEND_MINUTES = envint("CAMPAIGN_RESEND_MINUTES", "10")
# Days a signature's confirm link works.
CAMPAIGN_CONFIRM_DAYS = envint("CAMPAIGN_CONFIRM_DAYS", "7")
# Unconfirmed signatures are deleted this many days after their confirm link expired.
CAMPAIGN_PENDING_RETENTION_DAYS = envint("CAMPAIGN_PENDING_RETENTION_DAYS", "30")
# Days the "make it a pledge" link sent after confirming works.
CAMPAIGN_CONVERSION_DAYS = envint("CAMPAIGN_CONVERSION_DAYS", "60")
# PostgreSQL: prepare the signing statement. False behind a pooler without
# prepared-statement support (e.g. PgBouncer before 1.21).
CAMPAIGN_SIGN_PREPARED_STATEMENTS = envbool("CAMPAIGN_SIGN_PREPARED_STATEMENTS", "True")
# Seconds a process's copy of a public campaign (for signing), of its anonymous page
# and of its counter may be old (campaigns/public_cache.py).
CAMPAIGN_PUBLIC_CACHE_SECONDS = envfloat("CAMPAIGN_PUBLIC_CACHE_SECONDS", "1.0")
DATA_EXPORT_DAYS = 7

BROWSER_TESTS_REQUIRED = envbool("BROWSER_TESTS_REQUIRED", "False")
CHROMIUM_PATH = envstr("CHROMIUM_PATH", "")
