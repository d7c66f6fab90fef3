"""Organizations are isolated: every organization route answers outsiders with 404.

The sweep walks the whole URLconf, so a new route is covered the day it is added. Each
route with an `org` kwarg is requested, GET and POST, by oscar (a member of another
organization) and olga (a program admin of another organization):

- with org "northwind" and ids of northwind's objects: the outsider is not a member;
- with the outsider's own org and northwind's ids: the classic IDOR, where a view checks
  membership of the org in the URL but loads the object by id alone.

Each must answer 404 (never 403, which would confirm that the thing exists). 405 is
accepted only when the route answers 405 for a non-existent organization (or object id)
too, so the answer does not depend on northwind or its objects at all.

A route whose kwargs this file cannot fill FAILS the sweep, naming the route: register
its kwarg in KWARG_OBJECTS or SEGMENT_OBJECTS below (and create the object in
`_create_northwind_objects`). Intentionally public routes are listed in PUBLIC_ROUTES
with the reason.

Apps other than the core loop register their own routes' objects in
`alongside/<app>/tests/sweep.py`, which may define KWARG_OBJECTS, SEGMENT_OBJECTS,
PUBLIC_ROUTES (a dict: route name -> why it is public; the app tests what such a page
shows to outsiders) and `create_objects(case) -> dict[str, object]`, called with this test
case class (northwind is `case.org`, its people `case.alice`, `case.paula`, ...).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from alongside import urls
from alongside.concerns.models import Concern
from alongside.lib.tokens import new_token
from alongside.lib.visibility import Visibility
from alongside.organizations.access import OrgHttpRequest, member_required
from alongside.organizations.models import Invitation, Membership
from alongside.pledges.models import (
    Action,
    CommitmentTemplate,
    ConfirmationRequest,
    Pledge,
    PledgeCommitment,
)
from alongside.recognition.models import BadgeAward, Kudos
from alongside.test import BaseTestCase

# Routes anyone may open, even outsiders. Each needs a reason.
PUBLIC_ROUTES = {
    # The confidential concern route is open to anyone, with or without an account, by
    # design (DESIGN: "anyone can raise a concern"). It reveals only the organization's
    # name; the member picker appears only for the organization's own members.
    "concerns:raise",
    # The thank-you page after raising a concern: the organization's name and, once,
    # the reference of the concern the visitor just sent from this browser session.
    "concerns:thanks",
}

# An object kwarg by its name...
KWARG_OBJECTS = {
    "action_id": "action",
    "pledge_id": "pledge",
    "user_id": "ally",
    "award_id": "badge_award",
    "commitment_id": "commitment",
    "concern_id": "concern",
    "kudos_id": "kudos",
    "invitation_id": "invitation",
}
# ...or, for a bare `pk`, by the path segment in front of it ("pledges/<int:pk>/").
SEGMENT_OBJECTS = {
    "pledges": "pledge",
    "commitments": "commitment",
    "actions": "action",
    "catalogue": "commitment_template",
    "members": "membership",
    "invitations": "invitation",
    "concerns": "concern",
    "badges": "badge_award",
    "kudos": "kudos",
    "allies": "ally",
}


def _app_sweep_modules() -> list[ModuleType]:
    modules = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("alongside."):
            continue
        name = f"{app_config.name}.tests.sweep"
        try:
            modules.append(import_module(name))
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
    return modules


APP_SWEEP_MODULES = _app_sweep_modules()
APP_PUBLIC_ROUTES: dict[str, str] = {}
for _module in APP_SWEEP_MODULES:
    KWARG_OBJECTS.update(getattr(_module, "KWARG_OBJECTS", {}))
    SEGMENT_OBJECTS.update(getattr(_module, "SEGMENT_OBJECTS", {}))
    APP_PUBLIC_ROUTES.update(getattr(_module, "PUBLIC_ROUTES", {}))

# Text that must not appear in a public route's page for an outsider.
CANARIES = ("Alice Ally", "Bob Member", "Fiona Facilitator", "Paula Admin", "CANARY-N")

_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    path: str  # "o/<slug:org>/pledges/<int:pk>/"
    name: str  # "pledges:detail", or the path when unnamed

    @property
    def kwargs(self) -> list[str]:
        return [m["name"] for m in _PARAMETER.finditer(self.path)]

    def segment_before(self, kwarg: str) -> str:
        before = self.path.split(f":{kwarg}>")[0].split(f"<{kwarg}>")[0]
        parts = [p for p in before.split("/") if p and not p.startswith("<")]
        # The segment right before the placeholder, e.g. "pledges" in "pledges/<int:pk"
        return parts[-1] if parts else ""

    def build(self, values: dict[str, str]) -> str:
        return "/" + _PARAMETER.sub(lambda m: values[m["name"]], self.path)


def _walk(
    resolvers: list[URLPattern | URLResolver], prefix: str, namespace: str
) -> list[tuple[str, str, bool]]:
    """(route, name, is_regex) for every pattern in the URLconf, includes followed."""
    found = []
    for entry in resolvers:
        pattern = entry.pattern
        text = str(pattern)
        is_regex = not hasattr(pattern, "_route")
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            for route, name, regex in _walk(entry.url_patterns, prefix + text, inner):
                found.append((route, name, regex or is_regex))
        else:
            name = f"{namespace}{entry.name}" if entry.name else prefix + text
            found.append((prefix + text, name, is_regex))
    return found


def organization_routes() -> tuple[list[Route], list[str]]:
    """Routes with an `org` kwarg, and the names of any that cannot be parsed."""
    routes, unparseable = [], []
    for route_path, name, is_regex in _walk(get_resolver().url_patterns, "", ""):
        if is_regex:
            if "(?P<org>" in route_path:
                unparseable.append(f"{name} ({route_path}): a regex route with `org`")
            continue
        route = Route(path=route_path, name=name)
        if "org" in route.kwargs:
            routes.append(route)
    return routes, unparseable


# A URLconf for the sweep's own test: one leaky route, one guarded, one unregistered.
@member_required
def _leaky(request: OrgHttpRequest, pk: int) -> HttpResponse:
    # Checks membership of the org in the URL, then loads the object by id alone.
    return HttpResponse(get_object_or_404(Pledge, pk=pk).statement)


@member_required
def _guarded(request: OrgHttpRequest, pk: int) -> HttpResponse:
    pledge = get_object_or_404(Pledge, pk=pk, organization=request.organization)
    return HttpResponse(pledge.statement)


@require_POST
@member_required
def _post_only(request: OrgHttpRequest, pk: int) -> HttpResponse:
    pledge = get_object_or_404(Pledge, pk=pk, organization=request.organization)
    return HttpResponse(pledge.statement)


_test_patterns = [
    path("o/<slug:org>/pledges/<int:pk>/leaky/", _leaky, name="leaky"),
    path("o/<slug:org>/pledges/<int:pk>/guarded/", _guarded, name="guarded"),
    path("o/<slug:org>/pledges/<int:pk>/post/", _post_only, name="post_only"),
    path("o/<slug:org>/unknown/<int:thing>/", _guarded, name="unknown"),
]
# The project's own routes too: error pages and the layout reverse them.
urlpatterns = [path("", include((_test_patterns, "test"))), path("", include(urls))]


class CrossOrganizationSweepTestCase(BaseTestCase):
    objects: dict[str, int]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.objects = cls._create_northwind_objects()

    @classmethod
    def _create_northwind_objects(cls) -> dict[str, int]:
        """One object of each kind in northwind, as visible as the model allows."""
        org, alice = cls.org, cls.alice
        template = CommitmentTemplate.objects.create(
            organization=org,
            category="speak_up",
            title="CANARY-N template",
            description="CANARY-N description",
        )
        pledge = Pledge.objects.create(
            organization=org,
            member=alice,
            statement="CANARY-N pledge statement",
            visibility=Visibility.PUBLIC,
        )
        commitment = PledgeCommitment.objects.create(
            pledge=pledge, template=template, title="CANARY-N commitment"
        )
        action = Action.objects.create(
            organization=org,
            member=alice,
            commitment=commitment,
            occurred_on=timezone.localdate(),
            description="CANARY-N action",
            visibility=Visibility.PUBLIC,
        )
        ConfirmationRequest.objects.create(
            action=action,
            requester=alice,
            recipient_email="canary-recipient@example.org",
            token_digest=new_token()[1],
            expires_at=timezone.now() + timedelta(days=14),
        )
        kudos = Kudos.objects.create(
            organization=org, giver=cls.bob, receiver=alice, action=action
        )
        award = BadgeAward.objects.create(
            organization=org, member=alice, badge="first_confirmed_action"
        )
        invitation = Invitation.objects.create(
            organization=org,
            email="canary-invitee@example.org",
            invited_by=cls.paula,
            token_digest=new_token()[1],
            expires_at=timezone.now() + timedelta(days=14),
        )
        concern = Concern.objects.create(
            organization=org,
            subject_member=cls.bob,
            subject_name="Bob Member",
            description="CANARY-N concern",
        )
        app_objects: dict[str, int] = {}
        for module in APP_SWEEP_MODULES:
            if hasattr(module, "create_objects"):
                app_objects.update(module.create_objects(cls))
        return app_objects | {
            "pledge": pledge.pk,
            "commitment": commitment.pk,
            "action": action.pk,
            "commitment_template": template.pk,
            "membership": Membership.objects.get(organization=org, user=alice).pk,
            "ally": alice.pk,
            "kudos": kudos.pk,
            "badge_award": award.pk,
            "invitation": invitation.pk,
            "concern": concern.pk,
        }

    def _fill(self, route: Route, org: str) -> dict[str, str] | str:
        """The kwargs for `route`, or why they cannot be filled."""
        values = {}
        for kwarg in route.kwargs:
            if kwarg == "org":
                values[kwarg] = org
                continue
            key = KWARG_OBJECTS.get(kwarg)
            if key is None and kwarg == "pk":
                key = SEGMENT_OBJECTS.get(route.segment_before(kwarg))
            if key is None:
                return (
                    f"{route.name} ({route.path}): no object registered for kwarg "
                    f"{kwarg!r}; add it to KWARG_OBJECTS or SEGMENT_OBJECTS"
                )
            if key not in self.objects:
                return f"{route.name} ({route.path}): no northwind {key!r} was created"
            values[kwarg] = str(self.objects[key])
        return values

    @staticmethod
    def _control(values: dict[str, str], variant: str) -> dict[str, str]:
        """The same kwargs pointing at nothing: an unknown organization, or unknown ids."""
        if variant == "northwind":
            return {**values, "org": "no-such-org"}
        return {k: v if k == "org" else _unknown_id(v) for k, v in values.items()}

    def _request(self, method: str, path: str):
        if method == "GET":
            return self.client.get(path)
        return self.client.post(path, {})

    def test_the_sweep_sees_the_known_routes(self) -> None:
        routes, _ = organization_routes()
        names = {route.name for route in routes}
        for expected in ("organizations:home", "concerns:queue", "concerns:detail"):
            self.assertIn(expected, names)
        self.assertGreater(len(routes), 10)

    def test_every_organization_route_is_404_for_outsiders(self) -> None:
        failures = self._sweep()
        self.assertEqual(failures, [], "\n" + "\n".join(failures))

    @override_settings(ROOT_URLCONF=__name__)
    def test_the_sweep_catches_a_leaky_route_and_an_unknown_kwarg(self) -> None:
        failures = "\n".join(self._sweep(only="test:"))
        # Only the IDOR variant leaks: olga's own org slug with northwind's pledge id.
        self.assertIn("GET /o/other/pledges/", failures)
        self.assertIn("POST /o/other/pledges/", failures)
        self.assertIn("(test:leaky, org=own) as olga@other.example: 200", failures)
        self.assertNotIn("/o/northwind/pledges/", failures)
        self.assertIn("test:unknown", failures)
        self.assertNotIn("test:guarded", failures)
        self.assertNotIn("test:post_only", failures)

    def _sweep(self, only: str = "") -> list[str]:
        routes, problems = organization_routes()
        routes = [route for route in routes if route.name.startswith(only)]
        failures: list[str] = list(problems)
        for route in routes:
            if route.name in PUBLIC_ROUTES or route.name in APP_PUBLIC_ROUTES:
                continue
            variants = {"northwind": self._fill(route, "northwind")}
            if len(route.kwargs) > 1:  # an object id besides the organization
                variants["own"] = self._fill(route, "other")
            if isinstance(variants["northwind"], str):
                failures.append(variants["northwind"])
                continue
            for outsider in (self.oscar, self.olga):
                self.client.force_login(outsider)
                for variant, values in variants.items():
                    assert isinstance(values, dict)
                    path = route.build(values)
                    for method in ("GET", "POST"):
                        status = self._request(method, path).status_code
                        if status == 404:
                            continue
                        if status == 405:
                            # Refused by method before northwind (or its object) was
                            # looked at: the same answer as for something that
                            # does not exist.
                            control = route.build(self._control(values, variant))
                            if self._request(method, control).status_code == 405:
                                continue
                        failures.append(
                            f"{method} {path} ({route.name}, org={variant}) as "
                            f"{outsider.email}: {status}, expected 404"
                        )
        return failures

    def test_public_routes_reveal_only_the_organization_name(self) -> None:
        routes, _ = organization_routes()
        public = [route for route in routes if route.name in PUBLIC_ROUTES]
        self.assertEqual({r.name for r in public}, PUBLIC_ROUTES, "stale allowlist")
        for outsider in (self.oscar, self.olga, None):
            if outsider is None:
                self.client.logout()
            else:
                self.client.force_login(outsider)
            for route in public:
                values = self._fill(route, "northwind")
                assert isinstance(values, dict), values
                r = self.client.get(route.build(values))
                self.assertEqual(r.status_code, 200, route.name)
                body = r.content.decode()
                self.assertIn("Northwind Collective", body)
                for canary in CANARIES:
                    self.assertNotIn(canary, body, f"{route.name} shows {canary}")
                # An unknown organization stays unknown.
                r = self.client.get(route.build({**values, "org": "no-such-org"}))
                self.assertEqual(r.status_code, 404, route.name)

    def test_the_filler_knows_every_route(self) -> None:
        """A route nobody registered fails here with its name, even before the sweep."""
        routes, problems = organization_routes()
        unfilled = [
            result
            for route in routes
            if isinstance(result := self._fill(route, "northwind"), str)
        ]
        self.assertEqual(problems + unfilled, [])

    def test_an_unregistered_route_is_reported_by_name(self) -> None:
        route = Route(path="o/<slug:org>/widgets/<int:pk>/", name="widgets:detail")
        result = self._fill(route, "northwind")
        self.assertIsInstance(result, str)
        self.assertIn("widgets:detail", result)
        route = Route(path="o/<slug:org>/pledges/<int:pk>/", name="pledges:detail")
        self.assertEqual(
            self._fill(route, "northwind"),
            {"org": "northwind", "pk": str(self.objects["pledge"])},
        )


def _unknown_id(value: str) -> str:
    """An id of the same shape as `value` that names nothing."""
    try:
        uuid.UUID(value)
    except ValueError:
        return "987654321"
    return "00000000-0000-4000-8000-000000000000"
