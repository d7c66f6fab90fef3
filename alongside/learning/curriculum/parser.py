"""The curriculum parser: reads the shipped data files in this folder and validates them.

Layout (see README.md in this folder)::

    curriculum/
      01-what-allyship-is/
        course.toml                 slug, title, summary, description, prerequisites,
                                    version, [[modules]] with their lesson order
        listening-first.md          one lesson: TOML front matter between +++ lines
                                    (title, slug, sources, video_url?, scenario?, quiz),
                                    then the Markdown body
        scenario-the-meeting.toml   a branching scenario, referenced by one lesson

Only the standard library (``tomllib``) and markdown-it (the renderer the app uses, to
refuse raw HTML) are needed. ``load_curriculum()`` either returns every course, fully
validated and in folder order, or raises ``CurriculumError`` listing every problem found,
each naming the file and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

__all__ = [
    "ChoiceSpec",
    "CourseSpec",
    "CurriculumError",
    "LessonSpec",
    "ModuleSpec",
    "QuestionSpec",
    "QuizSpec",
    "ScenarioChoiceSpec",
    "ScenarioSpec",
    "ScenarioStepSpec",
    "load_curriculum",
    "CURRICULUM_ROOT",
]

CURRICULUM_ROOT = Path(__file__).resolve().parent


# The data contract (shared with alongside.learning.services) -------------------------


@dataclass(frozen=True)
class ChoiceSpec:
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class QuestionSpec:
    prompt: str
    kind: Literal["single", "multiple"]
    choices: tuple[ChoiceSpec, ...]


@dataclass(frozen=True)
class QuizSpec:
    pass_mark_pct: int
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class ScenarioChoiceSpec:
    text: str
    consequence: str
    coaching: str
    next_step: str | None  # key of the next step; None ends the scenario


@dataclass(frozen=True)
class ScenarioStepSpec:
    key: str
    prompt: str  # Markdown
    choices: tuple[ScenarioChoiceSpec, ...]


@dataclass(frozen=True)
class ScenarioSpec:
    title: str
    situation: str  # Markdown
    start: str  # key of the first step
    steps: tuple[ScenarioStepSpec, ...]


@dataclass(frozen=True)
class LessonSpec:
    slug: str
    title: str
    body: str  # Markdown
    quiz: QuizSpec | None
    scenario: ScenarioSpec | None
    video_url: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ModuleSpec:
    slug: str
    title: str
    lessons: tuple[LessonSpec, ...]


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    summary: str
    description: str  # Markdown
    prerequisites: tuple[str, ...]  # slugs of earlier courses
    modules: tuple[ModuleSpec, ...]
    version: int


# Errors -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str  # relative to the curriculum root
    field: str  # dotted path inside the file, e.g. quiz.questions[2].choices[0].explanation
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}: {self.field}: {self.message}"
            if self.field
            else f"{self.path}: {self.message}"
        )


class CurriculumError(ValueError):
    """The curriculum files are invalid. ``problems`` lists each one (file, field, why)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Invalid curriculum ({len(problems)} problem(s)):\n{lines}")


# Limits mirror the learning models' field sizes, so a valid file always loads.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COURSE_DIR_RE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
SLUG_MAX = 80
TITLE_MAX = 140
SUMMARY_MAX = 300
DESCRIPTION_MAX = 10_000
BODY_MAX = 50_000
SOURCES_MAX = 5_000
VIDEO_URL_MAX = 300
VIDEO_HOSTS = frozenset(
    {"www.youtube-nocookie.com", "youtube-nocookie.com", "player.vimeo.com"}
)
PROMPT_MAX = 2_000
CHOICE_TEXT_MAX = 500
EXPLANATION_MAX = 2_000
SITUATION_MAX = 5_000
STEP_PROMPT_MAX = 5_000
FRONT_MATTER_FENCE = "+++"

_markdown = MarkdownIt(
    "commonmark"
)  # html enabled here only so raw HTML shows as tokens


def raw_html_in(markdown: str) -> list[str]:
    """Raw HTML fragments in a Markdown text (the app escapes them; we refuse them)."""
    found: list[str] = []
    for token in _markdown.parse(markdown):
        if token.type == "html_block":
            found.append(token.content.strip())
        for child in token.children or ():
            if child.type == "html_inline":
                found.append(child.content.strip())
    return found


class _Reader:
    """Typed field access on one TOML table, recording problems instead of raising."""

    def __init__(self, problems: list[Problem], path: str) -> None:
        self.problems = problems
        self.path = path

    def error(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.path, field, message))

    def table(self, data: Mapping[str, Any], prefix: str, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.error(
                    _join(prefix, key),
                    f"unknown field (allowed: {', '.join(sorted(allowed))})",
                )

    def text(
        self,
        data: Mapping[str, Any],
        prefix: str,
        key: str,
        *,
        max_length: int,
        required: bool = True,
        markdown: bool = False,
        single_line: bool = True,
    ) -> str | None:
        field = _join(prefix, key)
        if key not in data:
            if required:
                self.error(field, "missing (required)")
            return None
        value = data[key]
        if not isinstance(value, str):
            self.error(field, f"must be a string, not {_type_name(value)}")
            return None
        value = value.strip()
        if not value:
            self.error(field, "must not be empty")
            return None
        if len(value) > max_length:
            self.error(
                field, f"too long: {len(value)} characters, at most {max_length}"
            )
        if single_line and "\n" in value:
            self.error(field, "must be a single line")
        if markdown:
            for fragment in raw_html_in(value):
                self.error(
                    field, f"raw HTML is not allowed in Markdown: {fragment[:60]!r}"
                )
        return value

    def slug(
        self, data: Mapping[str, Any], prefix: str, key: str = "slug"
    ) -> str | None:
        value = self.text(data, prefix, key, max_length=SLUG_MAX)
        if value is not None and not SLUG_RE.match(value):
            self.error(
                _join(prefix, key),
                f"{value!r} is not a slug (lowercase letters, digits and single hyphens)",
            )
            return None
        return value

    def integer(
        self, data: Mapping[str, Any], prefix: str, key: str, *, low: int, high: int
    ) -> int | None:
        field = _join(prefix, key)
        if key not in data:
            self.error(field, "missing (required)")
            return None
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(field, f"must be a whole number, not {_type_name(value)}")
            return None
        if not low <= value <= high:
            self.error(field, f"must be between {low} and {high}, not {value}")
            return None
        return value

    def boolean(self, data: Mapping[str, Any], prefix: str, key: str) -> bool | None:
        field = _join(prefix, key)
        if key not in data:
            self.error(field, "missing (required: true or false)")
            return None
        value = data[key]
        if not isinstance(value, bool):
            self.error(field, f"must be true or false, not {_type_name(value)}")
            return None
        return value

    def array(
        self, data: Mapping[str, Any], prefix: str, key: str, *, required: bool = True
    ) -> list[Any] | None:
        field = _join(prefix, key)
        if key not in data:
            if required:
                self.error(field, "missing (required)")
            return None
        value = data[key]
        if not isinstance(value, list):
            self.error(field, f"must be a list, not {_type_name(value)}")
            return None
        return value

    def tables(
        self, data: Mapping[str, Any], prefix: str, key: str, *, minimum: int
    ) -> list[tuple[str, dict[str, Any]]]:
        """An array of tables, as (field prefix, table) pairs; problems recorded."""
        items = self.array(data, prefix, key)
        if items is None:
            return []
        field = _join(prefix, key)
        if len(items) < minimum:
            self.error(field, f"needs at least {minimum}, has {len(items)}")
        result = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                self.error(
                    f"{field}[{index}]", f"must be a table, not {_type_name(item)}"
                )
                continue
            result.append((f"{field}[{index}]", item))
        return result

    def strings(
        self, data: Mapping[str, Any], prefix: str, key: str, *, max_length: int
    ) -> list[str]:
        items = self.array(data, prefix, key)
        if items is None:
            return []
        field = _join(prefix, key)
        result = []
        for index, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                self.error(f"{field}[{index}]", "must be a non-empty string")
                continue
            if "\n" in item.strip():
                self.error(f"{field}[{index}]", "must be a single line")
            if len(item.strip()) > max_length:
                self.error(
                    f"{field}[{index}]", f"too long: at most {max_length} characters"
                )
            result.append(item.strip())
        return result


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _type_name(value: object) -> str:
    return {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _read_toml(text: str, rel: str, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(rel, "", f"not valid TOML: {exc}"))
        return None


# Parsing ------------------------------------------------------------------------------


def load_curriculum(root: Path | str | None = None) -> list[CourseSpec]:
    """Every course under ``root`` (default: this folder), validated, in folder order.

    Raises ``CurriculumError`` naming each problem's file and field.
    """
    base = Path(root) if root is not None else CURRICULUM_ROOT
    problems: list[Problem] = []
    if not base.is_dir():
        raise CurriculumError(
            [Problem(base.as_posix(), "", "curriculum folder not found")]
        )

    folders = sorted(p for p in base.iterdir() if (p / "course.toml").is_file())
    if not folders:
        raise CurriculumError(
            [Problem(base.as_posix(), "", "no course folder with a course.toml")]
        )

    courses: list[CourseSpec] = []
    seen_numbers: dict[str, str] = {}
    earlier_slugs: set[str] = set()
    for folder in folders:
        rel = _relative(folder / "course.toml", base)
        match = COURSE_DIR_RE.match(folder.name)
        if not match:
            problems.append(
                Problem(
                    _relative(folder, base),
                    "",
                    "course folder must be named <nn>-<slug>, e.g. 01-what-allyship-is",
                )
            )
            continue
        number, folder_slug = match.groups()
        if number in seen_numbers:
            problems.append(
                Problem(
                    _relative(folder, base),
                    "",
                    f"number {number} is already used by {seen_numbers[number]}",
                )
            )
        seen_numbers.setdefault(number, folder.name)
        course = _parse_course(folder, base, folder_slug, earlier_slugs, problems)
        if course is None:
            continue
        if course.slug in earlier_slugs:
            problems.append(
                Problem(rel, "slug", f"course slug {course.slug!r} is used twice")
            )
        earlier_slugs.add(course.slug)
        courses.append(course)

    if problems:
        raise CurriculumError(problems)
    return courses


def _parse_course(
    folder: Path,
    base: Path,
    folder_slug: str,
    earlier_slugs: set[str],
    problems: list[Problem],
) -> CourseSpec | None:
    course_file = folder / "course.toml"
    rel = _relative(course_file, base)
    data = _read_toml(course_file.read_text(encoding="utf-8"), rel, problems)
    if data is None:
        return None
    before = len(problems)
    r = _Reader(problems, rel)
    r.table(
        data,
        "",
        {
            "slug",
            "title",
            "summary",
            "description",
            "prerequisites",
            "version",
            "modules",
        },
    )
    slug = r.slug(data, "")
    if slug is not None and slug != folder_slug:
        r.error("slug", f"{slug!r} must match the folder name's slug {folder_slug!r}")
    title = r.text(data, "", "title", max_length=TITLE_MAX)
    summary = r.text(data, "", "summary", max_length=SUMMARY_MAX)
    description = r.text(
        data,
        "",
        "description",
        max_length=DESCRIPTION_MAX,
        markdown=True,
        single_line=False,
    )
    version = r.integer(data, "", "version", low=1, high=1_000_000)
    prerequisites = r.strings(data, "", "prerequisites", max_length=SLUG_MAX)
    for index, prerequisite in enumerate(prerequisites):
        if prerequisite == slug:
            r.error(f"prerequisites[{index}]", "a course cannot require itself")
        elif prerequisite not in earlier_slugs:
            r.error(
                f"prerequisites[{index}]",
                f"{prerequisite!r} is not the slug of an earlier course "
                "(prerequisites must come before the course, by folder number)",
            )
    if len(set(prerequisites)) != len(prerequisites):
        r.error("prerequisites", "lists a course twice")

    lesson_files = {
        p.name for p in folder.glob("*.md") if p.name.lower() != "readme.md"
    }
    scenario_files = {p.name for p in folder.glob("scenario-*.toml")}
    used_lessons: set[str] = set()
    used_scenarios: set[str] = set()
    module_slugs: set[str] = set()
    modules: list[ModuleSpec] = []
    for prefix, table in r.tables(data, "", "modules", minimum=1):
        r.table(table, prefix, {"slug", "title", "lessons"})
        module_slug = r.slug(table, prefix)
        module_title = r.text(table, prefix, "title", max_length=TITLE_MAX)
        if module_slug is not None:
            if module_slug in module_slugs:
                r.error(
                    _join(prefix, "slug"), f"module slug {module_slug!r} is used twice"
                )
            module_slugs.add(module_slug)
        lesson_slugs = r.strings(table, prefix, "lessons", max_length=SLUG_MAX)
        if "lessons" in table and not lesson_slugs:
            r.error(_join(prefix, "lessons"), "a module needs at least one lesson")
        lessons: list[LessonSpec] = []
        for index, lesson_slug in enumerate(lesson_slugs):
            field = f"{_join(prefix, 'lessons')}[{index}]"
            filename = f"{lesson_slug}.md"
            if filename in used_lessons:
                r.error(field, f"lesson {lesson_slug!r} is listed twice in this course")
                continue
            if filename not in lesson_files:
                r.error(field, f"no lesson file {filename} in {folder.name}/")
                continue
            used_lessons.add(filename)
            lesson = _parse_lesson(folder / filename, base, problems, used_scenarios)
            if lesson is not None:
                lessons.append(lesson)
        if module_slug is not None and module_title is not None:
            modules.append(ModuleSpec(module_slug, module_title, tuple(lessons)))

    for orphan in sorted(lesson_files - used_lessons):
        problems.append(
            Problem(
                _relative(folder / orphan, base),
                "",
                "lesson file is not listed in any module of course.toml",
            )
        )
    for orphan in sorted(scenario_files - used_scenarios):
        problems.append(
            Problem(
                _relative(folder / orphan, base),
                "",
                "scenario file is not referenced by any lesson",
            )
        )

    if len(problems) > before:
        return None
    assert slug and title and summary and description and version is not None
    return CourseSpec(
        slug=slug,
        title=title,
        summary=summary,
        description=description,
        prerequisites=tuple(prerequisites),
        modules=tuple(modules),
        version=version,
    )


def _split_front_matter(
    text: str, rel: str, problems: list[Problem]
) -> tuple[str, str] | None:
    lines = text.splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        problems.append(
            Problem(
                rel,
                "",
                f"must start with a {FRONT_MATTER_FENCE} line (TOML front matter)",
            )
        )
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == FRONT_MATTER_FENCE:
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    problems.append(
        Problem(rel, "", f"front matter is not closed by a {FRONT_MATTER_FENCE} line")
    )
    return None


def _parse_lesson(
    path: Path, base: Path, problems: list[Problem], used_scenarios: set[str]
) -> LessonSpec | None:
    rel = _relative(path, base)
    parts = _split_front_matter(path.read_text(encoding="utf-8"), rel, problems)
    if parts is None:
        return None
    front_text, body_text = parts
    data = _read_toml(front_text, rel, problems)
    if data is None:
        return None
    before = len(problems)
    r = _Reader(problems, rel)
    r.table(data, "", {"slug", "title", "sources", "video_url", "scenario", "quiz"})
    slug = r.slug(data, "")
    if slug is not None and f"{slug}.md" != path.name:
        r.error("slug", f"{slug!r} must match the file name {path.name}")
    title = r.text(data, "", "title", max_length=TITLE_MAX)
    sources = r.strings(data, "", "sources", max_length=SOURCES_MAX)
    if len("\n".join(sources)) > SOURCES_MAX:
        r.error("sources", f"too long together: at most {SOURCES_MAX} characters")
    video_url = r.text(data, "", "video_url", max_length=VIDEO_URL_MAX, required=False)
    if video_url is not None:
        parts_url = urlsplit(video_url)
        if parts_url.scheme != "https" or (parts_url.hostname or "") not in VIDEO_HOSTS:
            r.error(
                "video_url",
                f"must be an https embed link on one of: {', '.join(sorted(VIDEO_HOSTS))}",
            )

    body = body_text.strip()
    if not body:
        r.error("body", "the lesson text after the front matter is empty")
    elif len(body) > BODY_MAX:
        r.error("body", f"too long: {len(body)} characters, at most {BODY_MAX}")
    for fragment in raw_html_in(body):
        r.error("body", f"raw HTML is not allowed in Markdown: {fragment[:60]!r}")

    quiz: QuizSpec | None = None
    if "quiz" in data:
        if isinstance(data["quiz"], dict):
            quiz = _parse_quiz(data["quiz"], r)
        else:
            r.error("quiz", f"must be a table, not {_type_name(data['quiz'])}")

    scenario: ScenarioSpec | None = None
    scenario_name = r.text(data, "", "scenario", max_length=200, required=False)
    if scenario_name is not None:
        if not re.fullmatch(r"scenario-[a-z0-9]+(?:-[a-z0-9]+)*\.toml", scenario_name):
            r.error("scenario", "must be a file name like scenario-<slug>.toml")
        elif not (path.parent / scenario_name).is_file():
            r.error("scenario", f"no file {scenario_name} in {path.parent.name}/")
        elif scenario_name in used_scenarios:
            r.error("scenario", f"{scenario_name} is already used by another lesson")
        else:
            used_scenarios.add(scenario_name)
            scenario = _parse_scenario(path.parent / scenario_name, base, problems)
            if scenario is None:
                r.error(
                    "scenario", f"{scenario_name} is invalid (see its own problems)"
                )

    if len(problems) > before:
        return None
    assert slug and title
    return LessonSpec(
        slug=slug,
        title=title,
        body=body,
        quiz=quiz,
        scenario=scenario,
        video_url=video_url,
        sources=tuple(sources),
    )


def _parse_quiz(data: Mapping[str, Any], r: _Reader) -> QuizSpec | None:
    before = len(r.problems)
    r.table(data, "quiz", {"pass_mark_pct", "questions"})
    pass_mark = r.integer(data, "quiz", "pass_mark_pct", low=1, high=100)
    questions: list[QuestionSpec] = []
    for prefix, table in r.tables(data, "quiz", "questions", minimum=1):
        r.table(table, prefix, {"prompt", "kind", "choices"})
        prompt = r.text(
            table, prefix, "prompt", max_length=PROMPT_MAX, single_line=False
        )
        kind = table.get("kind")
        if kind not in ("single", "multiple"):
            r.error(
                _join(prefix, "kind"), f'must be "single" or "multiple", not {kind!r}'
            )
        choices: list[ChoiceSpec] = []
        for choice_prefix, choice in r.tables(table, prefix, "choices", minimum=2):
            r.table(choice, choice_prefix, {"text", "correct", "explanation"})
            text = r.text(choice, choice_prefix, "text", max_length=CHOICE_TEXT_MAX)
            correct = r.boolean(choice, choice_prefix, "correct")
            explanation = r.text(
                choice,
                choice_prefix,
                "explanation",
                max_length=EXPLANATION_MAX,
                single_line=False,
            )
            if text is not None and correct is not None and explanation is not None:
                choices.append(ChoiceSpec(text, correct, explanation))
        texts = [c.text for c in choices]
        if len(set(texts)) != len(texts):
            r.error(_join(prefix, "choices"), "two choices have the same text")
        n_correct = sum(1 for c in choices if c.correct)
        if (
            kind == "single"
            and len(choices) == len(table.get("choices", ()))
            and n_correct != 1
        ):
            r.error(
                _join(prefix, "choices"),
                f'a "single" question needs exactly one correct choice, has {n_correct}',
            )
        if kind == "multiple" and n_correct < 1:
            r.error(
                _join(prefix, "choices"), "needs at least one correct choice, has none"
            )
        if prompt is not None and kind in ("single", "multiple"):
            questions.append(
                QuestionSpec(
                    prompt, cast(Literal["single", "multiple"], kind), tuple(choices)
                )
            )
    if len(r.problems) > before or pass_mark is None:
        return None
    return QuizSpec(pass_mark, tuple(questions))


def _parse_scenario(
    path: Path, base: Path, problems: list[Problem]
) -> ScenarioSpec | None:
    rel = _relative(path, base)
    data = _read_toml(path.read_text(encoding="utf-8"), rel, problems)
    if data is None:
        return None
    before = len(problems)
    r = _Reader(problems, rel)
    r.table(data, "", {"title", "situation", "start", "steps"})
    title = r.text(data, "", "title", max_length=TITLE_MAX)
    situation = r.text(
        data,
        "",
        "situation",
        max_length=SITUATION_MAX,
        markdown=True,
        single_line=False,
    )
    start = r.slug(data, "", "start")
    steps: list[ScenarioStepSpec] = []
    step_fields: dict[str, str] = {}
    # (field of the choice's next_step, target key) to check once all keys are known
    links: list[tuple[str, str]] = []
    for prefix, table in r.tables(data, "", "steps", minimum=1):
        r.table(table, prefix, {"key", "prompt", "choices"})
        key = r.slug(table, prefix, "key")
        prompt = r.text(
            table,
            prefix,
            "prompt",
            max_length=STEP_PROMPT_MAX,
            markdown=True,
            single_line=False,
        )
        if key is not None:
            if key in step_fields:
                r.error(_join(prefix, "key"), f"step key {key!r} is used twice")
            step_fields.setdefault(key, prefix)
        choices: list[ScenarioChoiceSpec] = []
        for choice_prefix, choice in r.tables(table, prefix, "choices", minimum=2):
            r.table(
                choice, choice_prefix, {"text", "consequence", "coaching", "next_step"}
            )
            text = r.text(choice, choice_prefix, "text", max_length=CHOICE_TEXT_MAX)
            consequence = r.text(
                choice,
                choice_prefix,
                "consequence",
                max_length=EXPLANATION_MAX,
                single_line=False,
            )
            coaching = r.text(
                choice,
                choice_prefix,
                "coaching",
                max_length=EXPLANATION_MAX,
                single_line=False,
            )
            next_step = None
            if "next_step" in choice:
                next_step = r.slug(choice, choice_prefix, "next_step")
                if next_step is not None:
                    links.append((_join(choice_prefix, "next_step"), next_step))
            if text is not None and consequence is not None and coaching is not None:
                choices.append(
                    ScenarioChoiceSpec(text, consequence, coaching, next_step)
                )
        if key is not None and prompt is not None:
            steps.append(ScenarioStepSpec(key, prompt, tuple(choices)))

    for field, target in links:
        if target not in step_fields:
            r.error(field, f"no step has the key {target!r}")
    if start is not None and start not in step_fields:
        r.error("start", f"no step has the key {start!r}")

    if len(problems) == before and start is not None:
        graph = {s.key: [c.next_step for c in s.choices if c.next_step] for s in steps}
        reachable = _reachable(graph, start)
        for step in steps:
            if step.key not in reachable:
                r.error(
                    f"{step_fields[step.key]}.key",
                    f"step {step.key!r} cannot be reached from the start step {start!r}",
                )
        cycle = _find_cycle(graph, start)
        if cycle:
            r.error(
                "steps",
                "the steps loop back on themselves: "
                + " -> ".join(cycle)
                + " (a scenario must always end)",
            )

    if len(problems) > before:
        return None
    assert title and situation and start
    return ScenarioSpec(
        title=title, situation=situation, start=start, steps=tuple(steps)
    )


def _reachable(graph: Mapping[str, list[str]], start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for target in graph.get(stack.pop(), []):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _find_cycle(graph: Mapping[str, list[str]], start: str) -> list[str] | None:
    """A loop reachable from start, as the list of keys around it, or None."""
    path: list[str] = []
    on_path: set[str] = set()
    done: set[str] = set()

    def visit(key: str) -> list[str] | None:
        path.append(key)
        on_path.add(key)
        for target in graph.get(key, []):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done:
                found = visit(target)
                if found:
                    return found
        path.pop()
        on_path.discard(key)
        done.add(key)
        return None

    return visit(start)


def longest_path(scenario: ScenarioSpec) -> int:
    """Number of steps on the longest run through a (validated, acyclic) scenario."""
    graph = {
        s.key: [c.next_step for c in s.choices if c.next_step] for s in scenario.steps
    }
    memo: dict[str, int] = {}

    def depth(key: str) -> int:
        if key not in memo:
            memo[key] = 1 + max((depth(t) for t in graph.get(key, [])), default=0)
        return memo[key]

    return depth(scenario.start)
