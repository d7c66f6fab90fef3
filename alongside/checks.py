"""Alongside's own system checks, next to Django's `check --deploy`.

They guard the settings the privacy promises rest on, so a deployment that weakens one
fails `manage.py check --deploy --fail-level WARNING` instead of running quietly.
The AppConfig below is listed first in INSTALLED_APPS only to register them.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

MAX_SESSION_AGE = 60 * 60 * 24 * 14
UNSAFE_SCRIPT_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"}
LOGIN_REQUIRED_MIDDLEWARE = "django.contrib.auth.middleware.LoginRequiredMiddleware"
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
ARGON2_HASHER = "django.contrib.auth.hashers.Argon2PasswordHasher"


class AlongsideChecksConfig(AppConfig):
    name = "alongside"
    label = "alongside"
    verbose_name = "Alongside"

    def ready(self) -> None:
        register(check_content_security_policy, Tags.security)
        register(check_login_required_middleware, Tags.security)
        register(check_shared_cache, Tags.caches, deploy=True)
        register(check_password_hashers, Tags.security, deploy=True)
        register(check_session_cookie_age, Tags.security, deploy=True)


def _script_sources(policy: dict[str, Any]) -> list[str]:
    """The sources that govern scripts: script-src, or default-src when it is absent."""
    sources = policy.get("script-src", policy.get("default-src", []))
    if isinstance(sources, str):
        return sources.split()
    return [str(source) for source in sources]


def check_content_security_policy(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    policy = getattr(settings, "SECURE_CSP", None)
    if not policy:
        return [
            Error(
                "SECURE_CSP is not set: pages are served without a Content Security Policy.",
                hint="Enforce a policy with 'self' sources; see alongside/settings.py.",
                id="alongside.E001",
            )
        ]
    unsafe = sorted(UNSAFE_SCRIPT_SOURCES.intersection(_script_sources(policy)))
    if unsafe:
        return [
            Error(
                f"SECURE_CSP allows {', '.join(unsafe)} for scripts.",
                hint="Keep JavaScript in static files; never allow inline or eval'd scripts.",
                id="alongside.E002",
            )
        ]
    return []


def check_login_required_middleware(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    if LOGIN_REQUIRED_MIDDLEWARE not in settings.MIDDLEWARE:
        return [
            Error(
                "LoginRequiredMiddleware is not in MIDDLEWARE: pages are public unless each view opts out.",
                hint=f"Add {LOGIN_REQUIRED_MIDDLEWARE!r} after AuthenticationMiddleware.",
                id="alongside.E003",
            )
        ]
    return []


def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    errors: list[CheckMessage] = []
    for alias, config in settings.CACHES.items():
        backend = config.get("BACKEND", "")
        if backend in PROCESS_LOCAL_CACHES:
            errors.append(
                Warning(
                    f"The {alias!r} cache uses {backend}, which is not shared between processes: "
                    "rate limits would multiply by the number of workers.",
                    hint="Use the database cache (the default) or Redis (REDIS_URL).",
                    id="alongside.W001",
                )
            )
    return errors


def check_password_hashers(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    hashers = list(settings.PASSWORD_HASHERS)
    if not hashers or hashers[0] != ARGON2_HASHER:
        return [
            Warning(
                "Argon2 is not the first password hasher, so new passwords are not stored with it.",
                hint=f"Put {ARGON2_HASHER!r} first in PASSWORD_HASHERS.",
                id="alongside.W002",
            )
        ]
    return []


def check_session_cookie_age(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    if settings.SESSION_COOKIE_AGE > MAX_SESSION_AGE:
        return [
            Warning(
                f"SESSION_COOKIE_AGE is {settings.SESSION_COOKIE_AGE} seconds, longer than 14 days.",
                hint=f"Use at most {MAX_SESSION_AGE} seconds.",
                id="alongside.W003",
            )
        ]
    return []
