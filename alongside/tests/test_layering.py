"""The apps' layering, and the one door to "is he a member?", checked on the source.

Both checks read every module of `alongside/` with `ast` (never a regex), leaving out
migrations and tests. Modules at the top of the package (`alongside/views.py`,
`urls.py`, `test.py`, `settings.py` ...) are the project: they sit above every app and
are not checked for layering.

Layering: an app may import from the apps below it in LAYERS, never from one above
it. Every `import` and `from ... import` in the file counts, at module level or
inside a function (a function-level import is still a dependency; it only hides a
cycle). Imports under `if TYPE_CHECKING:` do not count: they never run, and naming
the user model or Organization in a type hint is not a dependency on their app's
code (the models point at them by label, "organizations.Organization", anyway).

Membership door: outside organizations, `Membership.objects` is only reached through
`of(user, organization)`, `of_user(user)` or `for_organization(organization)`, and
whatever is chained after them. A lower app (accounts, notifications) that needs a
user's memberships uses the reverse relation `user.memberships`, since it may not
import organizations at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from django.test import SimpleTestCase

PACKAGE = Path(__file__).resolve().parent.parent  # alongside/

# Bottom first. An app may import only from apps listed before it. A new app gets a
# place here (the test below fails until it has one).
LAYERS: list[str] = [
    "lib",  # generic helpers, no models
    "worker",  # the task runner
    "audit",  # the append-only log every app writes to
    "notifications",  # in-app notices and queued email
    "accounts",  # the user model, sign-in, data export and erasure
    "organizations",  # tenants, memberships, invitations, the access door
    "pledges",
    "events",
    "learning",
    "concerns",
    "equity",
    "circles",
    "campaigns",
    "recognition",
    "dialogue",
    "demo",  # loads every app's demo data: on top
]

# Upward imports tolerated for a while ("<file>: <app it reaches up to>"), none today.
# Each one would be a bug to fix, not a design. The test fails if an entry is no
# longer needed, so the set cannot rot.
KNOWN_UPWARD: set[str] = set()

# App folders allowed to read `Membership.objects` directly for a while (none today).
# The test fails if a listed app no longer needs to be here.
NOT_YET_CONVERTED: set[str] = set()

# Creating memberships is a write: it belongs to organizations' services
# (organization_create, organization_join, invitation_accept). The demo loader and
# the tests' helper make members of a given role without an invitation, audit or
# notification, which no service does, so they keep a bare create. Nothing else may.
DOORS = {"of", "of_user", "for_organization"}
WRITES_ALLOWED: dict[str, set[str]] = {
    "demo/loader.py": {"create"},
    "test.py": {"create"},
}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    """(path relative to alongside/, parsed module), migrations and tests left out."""
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        parts = relative.parts
        if "migrations" in parts or "tests" in parts or path.name.startswith("test_"):
            continue
        yield relative.as_posix(), ast.parse(path.read_text(), filename=str(path))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, dotted module) of every import outside `if TYPE_CHECKING:` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _imports_of(child)
            continue
        yield from _imports_of(node)


def _imports_of(node: ast.AST) -> Iterator[tuple[int, str]]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield node.lineno, alias.name
    elif isinstance(node, ast.ImportFrom):
        if node.level == 0 and node.module:
            yield node.lineno, node.module
            # `from alongside import organizations` names the app in the alias.
            if node.module == "alongside":
                for alias in node.names:
                    yield node.lineno, f"alongside.{alias.name}"
    else:
        yield from _imports(node)


def upward_imports() -> dict[str, list[str]]:
    """{"<file>: <higher app>": ["<file>:<line> imports <module>", ...]}."""
    rank = {app: i for i, app in enumerate(LAYERS)}
    found: dict[str, list[str]] = {}
    for relative, tree in _modules():
        app = relative.split("/")[0]
        if app not in rank:
            continue  # the project's own modules sit on top
        for line, module in _imports(tree):
            parts = module.split(".")
            if parts[0] != "alongside" or len(parts) < 2 or parts[1] not in rank:
                continue
            if rank[parts[1]] > rank[app]:
                found.setdefault(f"{relative}: {parts[1]}", []).append(
                    f"{relative}:{line} imports {module}"
                )
    return found


def _membership_uses(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, method) for each `Membership.objects.<method>`, and (line, "") for a bare
    `Membership.objects` handed on (e.g. to get_object_or_404)."""
    chained: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "objects"
            and isinstance(node.value.value, ast.Name)
            and node.value.value.id == "Membership"
        ):
            chained.add(id(node.value))
            yield node.lineno, node.attr
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id == "Membership"
            and id(node) not in chained
        ):
            yield node.lineno, ""


def membership_bypasses() -> dict[str, list[str]]:
    """{app: ["<file>:<line> Membership.objects.<method>", ...]} outside the doors."""
    found: dict[str, list[str]] = {}
    for relative, tree in _modules():
        app = relative.split("/")[0]
        if app == "organizations":
            continue
        allowed = DOORS | WRITES_ALLOWED.get(relative, set())
        for line, method in _membership_uses(tree):
            if method not in allowed:
                found.setdefault(app, []).append(
                    f"{relative}:{line} Membership.objects.{method or '(bare)'}"
                )
    return found


class LayeringTests(SimpleTestCase):
    def test_every_app_has_a_place_in_the_layers(self) -> None:
        apps = {
            p.name
            for p in PACKAGE.iterdir()
            if p.is_dir() and (p / "__init__.py").exists() and p.name != "tests"
        }
        self.assertEqual(
            apps, set(LAYERS), "each app of alongside/ has exactly one place in LAYERS"
        )

    def test_no_app_imports_an_app_above_it(self) -> None:
        found = upward_imports()
        new = {key: lines for key, lines in found.items() if key not in KNOWN_UPWARD}
        self.assertEqual(
            new, {}, "an app imports one above it in LAYERS (move the code down)"
        )

    def test_known_upward_imports_are_still_there(self) -> None:
        stale = KNOWN_UPWARD - set(upward_imports())
        self.assertEqual(stale, set(), "fixed: take these out of KNOWN_UPWARD")

    def test_the_check_sees_imports_inside_functions_not_type_hints(self) -> None:
        tree = ast.parse(
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from alongside.dialogue.models import Post\n"
            "def f():\n"
            "    from alongside.circles import services\n"
            "    import alongside.demo.loader\n"
        )
        self.assertEqual(
            [module for _line, module in _imports(tree)],
            ["typing", "alongside.circles", "alongside.demo.loader"],
        )


class MembershipDoorTests(SimpleTestCase):
    def test_membership_is_read_through_its_doors_outside_organizations(self) -> None:
        found = membership_bypasses()
        new = {app: uses for app, uses in found.items() if app not in NOT_YET_CONVERTED}
        self.assertEqual(
            new,
            {},
            "use Membership.objects.of(user, organization), .of_user(user), "
            ".for_organization(organization) or organization.has_member(user)",
        )

    def test_not_yet_converted_apps_still_need_their_place(self) -> None:
        stale = NOT_YET_CONVERTED - set(membership_bypasses())
        self.assertEqual(stale, set(), "converted: take these out of NOT_YET_CONVERTED")

    def test_allowed_writes_are_still_there(self) -> None:
        for relative, methods in WRITES_ALLOWED.items():
            tree = ast.parse((PACKAGE / relative).read_text())
            used = {method for _line, method in _membership_uses(tree)}
            self.assertLessEqual(methods, used, f"{relative}: no longer needed")

    def test_the_check_tells_doors_from_raw_reads(self) -> None:
        tree = ast.parse(
            "Membership.objects.of(u, o).exists()\n"
            "Membership.objects.for_organization(o).admins()\n"
            "Membership.objects.filter(user=u).exists()\n"
            "get_object_or_404(Membership.objects, pk=1)\n"
        )
        self.assertEqual(
            list(_membership_uses(tree)),
            [(1, "of"), (2, "for_organization"), (3, "filter"), (4, "")],
        )
