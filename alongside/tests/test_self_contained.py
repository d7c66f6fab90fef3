"""The project stands on its own: no file names a path outside the repository.

Code, docs and templates may cite only documents that ship with the project (docs/,
README.md, CONTRIBUTING.md). A reference to a directory next to the checkout, to a
machine's own paths, or to design notes that are not in the repository leaves a newcomer
with a pointer to nothing: what is needed is copied into docs/ in the project's words.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]

# What is scanned: every file of these directories (static/vendor holds third-party
# code, not ours) and these top-level files.
SCANNED_DIRS = ("alongside", "docs", "templates", "static")
SCANNED_FILES = ("README.md", "CONTRIBUTING.md")
SKIPPED_DIRS = ("static/vendor/",)
TEXT_SUFFIXES = {
    ".py", ".md", ".html", ".txt", ".css", ".js", ".json", ".toml", ".cfg", ".ini",
    ".yml", ".yaml", ".xml", ".svg", ".po", ".csv", ".sh",
}  # fmt: skip

# Paths outside the repository: a sibling directory, the directory this checkout sits
# in (whatever machine runs the test), and the design notes that never shipped with the
# code (named as documents to read).
PARENT = ROOT.parent.as_posix().rstrip("/")  # empty for a checkout at the root
OUTSIDE = re.compile(
    "|".join(
        [
            r"\.\./shared",
            r"\.\./seed",
            *([re.escape(PARENT + "/")] if PARENT else []),
            r"(?:^|[\s`'\"(])seed/",
            r"\b(?:DESIGN|RELIABILITY|STYLE|PAYGAP-METHOD|ANCHORS)\.md\b",
        ]
    )
)

# Files allowed to name such a path for a while, each with its reason (none today). The
# test fails on an entry that no longer matches anything, so the list cannot rot.
ALLOWED: dict[str, str] = {}

THIS_FILE = "alongside/tests/test_self_contained.py"


def scanned_files() -> list[str]:
    """Tracked files (git ls-files), or every file when git is not there."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", *SCANNED_DIRS, *SCANNED_FILES],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        names = [name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        names = [
            path.relative_to(ROOT).as_posix()
            for top in SCANNED_DIRS
            for path in (ROOT / top).rglob("*")
            if path.is_file()
        ] + [name for name in SCANNED_FILES if (ROOT / name).is_file()]
    return sorted(
        name
        for name in names
        if not name.startswith(SKIPPED_DIRS)
        and "__pycache__" not in name
        and name != THIS_FILE
        and (Path(name).suffix in TEXT_SUFFIXES or name in SCANNED_FILES)
    )


def outside_references() -> dict[str, list[str]]:
    """File -> the lines naming a path outside the repository."""
    found: dict[str, list[str]] = {}
    for name in scanned_files():
        path = ROOT / name
        if not path.is_file():
            continue  # deleted in the working tree, not yet committed
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = [
            f"{number}: {line.strip()}"
            for number, line in enumerate(text.splitlines(), start=1)
            if OUTSIDE.search(line)
        ]
        if lines:
            found[name] = lines
    return found


class SelfContainedTestCase(SimpleTestCase):
    def test_no_file_names_a_path_outside_the_repository(self) -> None:
        offending = {
            name: lines
            for name, lines in outside_references().items()
            if name not in ALLOWED
        }
        self.assertEqual(
            offending,
            {},
            "Cite a document inside the repository (copy what is needed into docs/).",
        )

    def test_every_allowance_is_still_needed(self) -> None:
        found = outside_references()
        stale = sorted(name for name in ALLOWED if name not in found)
        self.assertEqual(stale, [], "These files are clean: remove them from ALLOWED.")

    def test_the_pattern_catches_what_it_is_for(self) -> None:
        for line in (
            "see ../shared/notes.md",
            *([f"the method is `{PARENT}/notes/method.md`"] if PARENT else []),
            "(RELIABILITY.md T4)",
            "Journey 1 of DESIGN.md",
            "data in seed/people.csv",
        ):
            with self.subTest(line=line):
                self.assertIsNotNone(OUTSIDE.search(line))
        for line in (
            "docs/paygap-method.md",
            "CONTRIBUTING.md",
            "reseed/x",
        ):
            with self.subTest(line=line):
                self.assertIsNone(OUTSIDE.search(line))
