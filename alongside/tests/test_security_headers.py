from __future__ import annotations

from alongside.test import BaseTestCase


def directives(policy: str) -> dict[str, list[str]]:
    result = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            result[words[0].lower()] = words[1:]
    return result


class SecurityHeadersTestCase(BaseTestCase):
    """A sample of public, member, admin and error pages all carry the same headers."""

    def _responses(self):
        yield "start page", self.client.get("/")
        yield "login page", self.client.get("/accounts/login/")
        yield "health check", self.client.get("/healthz")
        yield "concern form", self.client.get("/o/northwind/concerns/new/")
        yield "not found", self.client.get("/no/such/page/")
        self.client.force_login(self.alice)
        yield "organization home", self.client.get("/o/northwind/")
        yield "cross-organization 404", self.client.get("/o/other/")
        self.client.force_login(self.paula)
        yield "concern queue", self.client.get("/o/northwind/concerns/")

    def test_every_sampled_page_sends_the_security_headers(self) -> None:
        for name, r in self._responses():
            with self.subTest(page=name):
                self.assertIn(r.status_code, {200, 404}, name)
                self.assertEqual(r["X-Content-Type-Options"], "nosniff")
                self.assertEqual(r["Referrer-Policy"], "same-origin")
                self.assertEqual(r["Cross-Origin-Opener-Policy"], "same-origin")
                self.assertEqual(r["X-Frame-Options"], "DENY")
                self.assertTrue(r.has_header("Content-Security-Policy"))
                policy = directives(r["Content-Security-Policy"])
                script_src = policy.get("script-src", policy.get("default-src"))
                assert script_src is not None
                self.assertIn("'self'", script_src)
                for unsafe in ("'unsafe-inline'", "'unsafe-eval'"):
                    self.assertNotIn(unsafe, script_src)
                self.assertNotIn("'unsafe-inline'", policy.get("style-src", []))
                self.assertEqual(policy.get("frame-ancestors"), ["'none'"])
                self.assertEqual(policy.get("object-src"), ["'none'"])

    def test_the_policy_is_enforced_not_only_reported(self) -> None:
        r = self.client.get("/")
        self.assertFalse(r.has_header("Content-Security-Policy-Report-Only"))
        self.assertTrue(r.has_header("Content-Security-Policy"))
