"""Shared test scaffolding: personas, make_* helpers and the browser test base."""

from __future__ import annotations

import os
import shutil
import unittest
from itertools import count
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import TestCase, tag

from alongside.accounts.models import User
from alongside.organizations.models import Membership, Organization, Role

_seq = count(1)


def make_user(
    email: str | None = None,
    *,
    display_name: str = "",
    verified: bool = True,
    **extra: Any,
) -> User:
    from allauth.account.models import EmailAddress

    n = next(_seq)
    email = email or f"user{n}@example.org"
    user = User.objects.create_user(
        email,
        password="correct horse battery staple",
        display_name=display_name or f"User {n}",
        **extra,
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def make_organization(name: str | None = None, **extra: Any) -> Organization:
    n = next(_seq)
    name = name or f"Organization {n}"
    extra.setdefault("slug", f"org-{n}")
    extra.setdefault("require_admin_mfa", False)
    return Organization.objects.create(name=name, **extra)


def make_member(
    organization: Organization, role: str = Role.MEMBER, **user_fields: Any
) -> User:
    user = make_user(**user_fields)
    Membership.objects.create(organization=organization, user=user, role=role)
    return user


class BaseTestCase(TestCase):
    """Personas: alice (member, an ally), bob (member), fiona (facilitator),
    paula (program admin) in one organization; olga (program admin) and oscar (member)
    in another organization, as outsiders.
    """

    org: Organization
    other_org: Organization
    alice: User
    bob: User
    fiona: User
    paula: User
    olga: User
    oscar: User

    @classmethod
    def setUpTestData(cls) -> None:
        cls.org = make_organization("Northwind Collective", slug="northwind")
        cls.other_org = make_organization("Other Org", slug="other")
        cls.alice = make_member(
            cls.org, email="alice@example.org", display_name="Alice Ally"
        )
        cls.bob = make_member(
            cls.org, email="bob@example.org", display_name="Bob Member"
        )
        cls.fiona = make_member(
            cls.org,
            Role.FACILITATOR,
            email="fiona@example.org",
            display_name="Fiona Facilitator",
        )
        cls.paula = make_member(
            cls.org,
            Role.PROGRAM_ADMIN,
            email="paula@example.org",
            display_name="Paula Admin",
        )
        cls.olga = make_member(
            cls.other_org,
            Role.PROGRAM_ADMIN,
            email="olga@other.example",
            display_name="Olga Outsider",
        )
        cls.oscar = make_member(
            cls.other_org, email="oscar@other.example", display_name="Oscar Outsider"
        )


def find_chromium() -> str | None:
    for candidate in (settings.CHROMIUM_PATH, "chromium", "chromium-browser"):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@tag("browser")
@unittest.skipUnless(
    find_chromium() or settings.BROWSER_TESTS_REQUIRED, "chromium is not installed"
)
class BrowserTestCase(StaticLiveServerTestCase):
    """Real headless Chromium through Playwright, with an axe-core check helper.

    Tagged "browser" (subclasses inherit the tag): `make test-fast` leaves them out.

    A missing browser skips these tests locally and fails them when
    BROWSER_TESTS_REQUIRED is set (as in CI).
    """

    _playwright: Any
    browser: Any

    @classmethod
    def setUpClass(cls) -> None:
        # Playwright's sync API runs an event loop in this thread; the ORM calls made
        # by the test itself are still synchronous.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        executable = find_chromium()
        if executable is None:
            raise RuntimeError(
                "BROWSER_TESTS_REQUIRED is set but chromium is not on PATH"
            )
        from playwright.sync_api import sync_playwright

        cls._playwright = sync_playwright().start()
        cls.browser = cls._playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls._playwright.stop()
        super().tearDownClass()

    def setUp(self) -> None:
        super().setUp()
        self.context = self.browser.new_context()
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.console_errors: list[str] = []
        self.page.on(
            "console",
            lambda m: self.console_errors.append(m.text) if m.type == "error" else None,
        )
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def tearDown(self) -> None:
        self.context.close()
        super().tearDown()

    def url(self, path: str) -> str:
        return self.live_server_url + path

    def assert_accessible(self) -> None:
        """axe-core finds no serious or critical problem, and the CSP blocked nothing."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        bad = [
            v
            for v in results.response["violations"]
            if v.get("impact") in {"serious", "critical"}
        ]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in bad
        )
        self.assertFalse(bad, f"accessibility problems on {self.page.url}:\n{report}")
        csp = [e for e in self.console_errors if "Content Security Policy" in e]
        self.assertFalse(csp, f"CSP violations on {self.page.url}: {csp}")

    def log_in(
        self, email: str, password: str = "correct horse battery staple"
    ) -> None:
        self.page.goto(self.url("/accounts/login/"))
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign In").click()
        self.page.wait_for_load_state()


def login_with_mfa(client: Any, user: User) -> None:
    """Sign `user` in on `client` as allauth does after his second factor: he gets a
    TOTP authenticator if he has none, and the session records a passed second factor
    now (what the Django admin's gate and a reveal's approval ask for)."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    client.force_login(user)
    session = client.session
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
