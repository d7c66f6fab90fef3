from __future__ import annotations

from django.conf import settings
from django.test import SimpleTestCase, override_settings
from django.utils.csp import CSP

from alongside import checks

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def ids(messages) -> list[str]:
    return [m.id for m in messages]


class CustomChecksTestCase(SimpleTestCase):
    def test_the_project_settings_pass_the_always_on_checks(self) -> None:
        self.assertEqual(checks.check_content_security_policy(), [])
        self.assertEqual(checks.check_login_required_middleware(), [])
        self.assertEqual(checks.check_session_cookie_age(), [])

    @override_settings(SECURE_CSP={})
    def test_it_requires_a_content_security_policy(self) -> None:
        self.assertEqual(
            ids(checks.check_content_security_policy()), ["alongside.E001"]
        )

    def test_it_rejects_unsafe_script_sources(self) -> None:
        for script_src in (
            [CSP.SELF, CSP.UNSAFE_INLINE],
            [CSP.SELF, CSP.UNSAFE_EVAL],
            "'self' 'unsafe-inline'",
        ):
            policy = {**settings.SECURE_CSP, "script-src": script_src}
            with (
                self.subTest(script_src=script_src),
                override_settings(SECURE_CSP=policy),
            ):
                self.assertEqual(
                    ids(checks.check_content_security_policy()), ["alongside.E002"]
                )

    def test_it_reads_default_src_when_script_src_is_absent(self) -> None:
        policy = {"default-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
        with override_settings(SECURE_CSP=policy):
            self.assertEqual(
                ids(checks.check_content_security_policy()), ["alongside.E002"]
            )

    def test_it_requires_the_login_required_middleware(self) -> None:
        middleware = [
            m for m in settings.MIDDLEWARE if m != checks.LOGIN_REQUIRED_MIDDLEWARE
        ]
        with override_settings(MIDDLEWARE=middleware):
            self.assertEqual(
                ids(checks.check_login_required_middleware()), ["alongside.E003"]
            )

    def test_it_rejects_process_local_caches_outside_debug(self) -> None:
        for caches in (LOCMEM, DUMMY):
            with override_settings(DEBUG=False, CACHES=caches):
                self.assertEqual(ids(checks.check_shared_cache()), ["alongside.W001"])
            with override_settings(DEBUG=True, CACHES=caches):
                self.assertEqual(checks.check_shared_cache(), [])

    def test_it_accepts_the_database_cache(self) -> None:
        caches = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "alongside_cache",
            }
        }
        with override_settings(DEBUG=False, CACHES=caches):
            self.assertEqual(checks.check_shared_cache(), [])

    def test_it_wants_argon2_first(self) -> None:
        argon_first = [
            checks.ARGON2_HASHER,
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ]
        with override_settings(PASSWORD_HASHERS=argon_first):
            self.assertEqual(checks.check_password_hashers(), [])
        with override_settings(PASSWORD_HASHERS=list(reversed(argon_first))):
            self.assertEqual(ids(checks.check_password_hashers()), ["alongside.W002"])

    def test_it_caps_the_session_age_at_14_days(self) -> None:
        with override_settings(SESSION_COOKIE_AGE=60 * 60 * 24 * 14):
            self.assertEqual(checks.check_session_cookie_age(), [])
        with override_settings(SESSION_COOKIE_AGE=60 * 60 * 24 * 14 + 1):
            self.assertEqual(ids(checks.check_session_cookie_age()), ["alongside.W003"])

    def test_the_deploy_checks_are_registered(self) -> None:
        from django.core.checks.registry import registry

        deploy_checks = registry.get_checks(include_deployment_checks=True)
        for check in (
            checks.check_shared_cache,
            checks.check_password_hashers,
            checks.check_session_cookie_age,
            checks.check_content_security_policy,
            checks.check_login_required_middleware,
        ):
            self.assertIn(check, deploy_checks)
