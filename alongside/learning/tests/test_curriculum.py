"""The shipped starter curriculum and the rules its parser enforces (no database needed)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from alongside.learning.curriculum.parser import (
    CURRICULUM_ROOT,
    CourseSpec,
    CurriculumError,
    LessonSpec,
    load_curriculum,
    longest_path,
    raw_html_in,
)
from alongside.lib.markdown import render_markdown


def all_lessons(course: CourseSpec) -> list[LessonSpec]:
    return [lesson for module in course.modules for lesson in module.lessons]


class ShippedCurriculumTestCase(SimpleTestCase):
    courses: list[CourseSpec]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.courses = load_curriculum()

    def test_it_has_at_least_five_courses_of_at_least_four_lessons(self) -> None:
        self.assertGreaterEqual(len(self.courses), 5)
        for course in self.courses:
            with self.subTest(course=course.slug):
                self.assertGreaterEqual(len(all_lessons(course)), 4)

    def test_it_covers_the_five_starter_topics_in_order(self) -> None:
        self.assertEqual(
            [c.slug for c in self.courses[:5]],
            [
                "what-allyship-is",
                "men-who-stood-with-women",
                "equality-benefits-everyone",
                "positive-masculinity",
                "allyship-at-work",
            ],
        )

    def test_course_one_is_a_prerequisite_of_the_workplace_course(self) -> None:
        by_slug = {c.slug: c for c in self.courses}
        self.assertIn("what-allyship-is", by_slug["allyship-at-work"].prerequisites)

    def test_every_lesson_has_a_quiz_of_three_to_five_mixed_questions(self) -> None:
        for course in self.courses:
            for lesson in all_lessons(course):
                with self.subTest(lesson=f"{course.slug}/{lesson.slug}"):
                    self.assertIsNotNone(lesson.quiz)
                    assert lesson.quiz is not None
                    self.assertTrue(3 <= len(lesson.quiz.questions) <= 5)
                    kinds = {q.kind for q in lesson.quiz.questions}
                    self.assertEqual(kinds, {"single", "multiple"})
                    for question in lesson.quiz.questions:
                        self.assertGreaterEqual(len(question.choices), 3)
                        for choice in question.choices:
                            # An explanation that teaches, not just "Correct."
                            self.assertGreaterEqual(len(choice.explanation.split()), 8)

    def test_the_right_answer_is_not_always_in_the_same_place(self) -> None:
        positions: list[int] = []
        for course in self.courses:
            for lesson in all_lessons(course):
                assert lesson.quiz is not None
                for question in lesson.quiz.questions:
                    if question.kind == "single":
                        flags = [c.correct for c in question.choices]
                        positions.append(flags.index(True))
        most_common = max(positions.count(p) for p in set(positions))
        self.assertLessEqual(most_common / len(positions), 0.5)

    def test_every_course_has_a_branching_scenario_at_least_three_steps_deep(
        self,
    ) -> None:
        for course in self.courses:
            with self.subTest(course=course.slug):
                scenarios = [
                    lsn.scenario for lsn in all_lessons(course) if lsn.scenario
                ]
                self.assertGreaterEqual(len(scenarios), 1)
                self.assertGreaterEqual(max(longest_path(s) for s in scenarios), 3)
                for scenario in scenarios:
                    for step in scenario.steps:
                        # Branching: every step offers a real choice.
                        self.assertGreaterEqual(len(step.choices), 2)

    def test_every_lesson_is_sourced_and_of_lesson_length(self) -> None:
        for course in self.courses:
            for lesson in all_lessons(course):
                with self.subTest(lesson=f"{course.slug}/{lesson.slug}"):
                    self.assertGreaterEqual(len(lesson.sources), 2)
                    for source in lesson.sources:
                        # Each source says what it is cited for, in brackets.
                        self.assertRegex(source, r"\(.+\)\.?$")
                        # Dated, or at least findable at a stable address.
                        self.assertRegex(source, r"\b(1[6-9]|20)\d\d\b|https://")
                    words = len(lesson.body.split())
                    self.assertTrue(400 <= words <= 800, f"{words} words")

    def test_markdown_has_no_raw_html_and_renders_without_escaped_tags(self) -> None:
        texts: list[tuple[str, str]] = []
        for course in self.courses:
            texts.append((f"{course.slug} description", course.description))
            for lesson in all_lessons(course):
                texts.append((f"{course.slug}/{lesson.slug} body", lesson.body))
                if lesson.scenario:
                    texts.append(
                        (f"{lesson.slug} situation", lesson.scenario.situation)
                    )
                    for step in lesson.scenario.steps:
                        texts.append((f"{lesson.slug} step {step.key}", step.prompt))
        for label, text in texts:
            with self.subTest(text=label):
                self.assertEqual(raw_html_in(text), [])
                html = str(render_markdown(text))
                self.assertNotIn("&lt;", html)  # raw HTML would show up escaped
                self.assertTrue(html.strip())

    def test_lesson_bodies_do_not_repeat_the_lesson_title_as_a_top_heading(
        self,
    ) -> None:
        for course in self.courses:
            for lesson in all_lessons(course):
                with self.subTest(lesson=lesson.slug):
                    self.assertIsNone(re.match(r"#\s", lesson.body))

    def test_it_accepts_the_root_as_a_string(self) -> None:
        self.assertEqual(load_curriculum(str(CURRICULUM_ROOT)), self.courses)


# A minimal valid curriculum, as files; each validation test breaks one thing.
COURSE_ALPHA = """\
slug = "alpha"
title = "Alpha"
summary = "The first course."
description = "Some *Markdown*."
prerequisites = []
version = 1

[[modules]]
slug = "start"
title = "Start"
lessons = ["one"]
"""

LESSON_ONE = """\
+++
slug = "one"
title = "Lesson one"
sources = ["A. Author, A Book, Publisher, 2020 (what it supports)."]
scenario = "scenario-talk.toml"

[quiz]
pass_mark_pct = 80

[[quiz.questions]]
prompt = "Pick one."
kind = "single"

[[quiz.questions.choices]]
text = "Right"
correct = true
explanation = "Because."

[[quiz.questions.choices]]
text = "Wrong"
correct = false
explanation = "Because not."

[[quiz.questions]]
prompt = "Pick some."
kind = "multiple"

[[quiz.questions.choices]]
text = "Yes"
correct = true
explanation = "Indeed."

[[quiz.questions.choices]]
text = "No"
correct = false
explanation = "Indeed not."
+++

The lesson text.
"""

SCENARIO_TALK = """\
title = "A talk"
situation = "Someone says something."
start = "first"

[[steps]]
key = "first"
prompt = "What now?"

[[steps.choices]]
text = "Ask"
consequence = "They answer."
coaching = "Good."
next_step = "second"

[[steps.choices]]
text = "Leave"
consequence = "Nothing."
coaching = "Try again."

[[steps]]
key = "second"
prompt = "And then?"

[[steps.choices]]
text = "Thank them"
consequence = "They smile."
coaching = "Well done."

[[steps.choices]]
text = "Argue"
consequence = "It escalates."
coaching = "Slow down."
"""

COURSE_BETA = """\
slug = "beta"
title = "Beta"
summary = "The second course."
description = "More text."
prerequisites = ["alpha"]
version = 2

[[modules]]
slug = "only"
title = "Only"
lessons = ["two"]
"""

LESSON_TWO = """\
+++
slug = "two"
title = "Lesson two"
sources = []
+++

Text of lesson two.
"""

VALID_FILES = {
    "01-alpha/course.toml": COURSE_ALPHA,
    "01-alpha/one.md": LESSON_ONE,
    "01-alpha/scenario-talk.toml": SCENARIO_TALK,
    "02-beta/course.toml": COURSE_BETA,
    "02-beta/two.md": LESSON_TWO,
}


class ValidationTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="curriculum-"))
        self.addCleanup(shutil.rmtree, self.root)

    def write(self, files: dict[str, str]) -> Path:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return self.root

    def with_change(self, name: str, old: str, new: str) -> dict[str, str]:
        files = dict(VALID_FILES)
        self.assertIn(old, files[name], "the test's replacement must apply")
        files[name] = files[name].replace(old, new, 1)
        return files

    def assert_rejected(
        self, files: dict[str, str], path: str, field: str, fragment: str
    ) -> None:
        with self.assertRaises(CurriculumError) as caught:
            load_curriculum(self.write(files))
        message = str(caught.exception)
        expected = f"{path}: {field}: " if field else f"{path}: "
        self.assertIn(expected, message)
        self.assertIn(fragment, message)

    def test_the_valid_fixture_loads(self) -> None:
        courses = load_curriculum(self.write(VALID_FILES))
        self.assertEqual([c.slug for c in courses], ["alpha", "beta"])
        lesson = courses[0].modules[0].lessons[0]
        self.assertEqual(lesson.body, "The lesson text.")
        assert lesson.quiz is not None and lesson.scenario is not None
        self.assertEqual(lesson.quiz.pass_mark_pct, 80)
        self.assertEqual(lesson.quiz.questions[0].choices[0].explanation, "Because.")
        self.assertEqual(lesson.scenario.start, "first")
        self.assertEqual(lesson.scenario.steps[0].choices[0].next_step, "second")
        self.assertIsNone(lesson.scenario.steps[0].choices[1].next_step)
        self.assertEqual(longest_path(lesson.scenario), 2)
        self.assertIsNone(lesson.video_url)
        self.assertEqual(courses[1].prerequisites, ("alpha",))
        self.assertEqual(courses[1].version, 2)

    # Slugs ----------------------------------------------------------------------------

    def test_it_rejects_a_course_slug_used_twice(self) -> None:
        files = dict(VALID_FILES)
        files["03-alpha/course.toml"] = COURSE_ALPHA.replace(
            'lessons = ["one"]', 'lessons = ["x"]'
        )
        files["03-alpha/x.md"] = LESSON_TWO.replace('"two"', '"x"')
        self.assert_rejected(files, "03-alpha/course.toml", "slug", "used twice")

    def test_it_rejects_a_course_slug_that_does_not_match_its_folder(self) -> None:
        files = self.with_change(
            "01-alpha/course.toml", 'slug = "alpha"', 'slug = "gamma"'
        )
        self.assert_rejected(
            files, "01-alpha/course.toml", "slug", "must match the folder"
        )

    def test_it_rejects_a_module_slug_used_twice(self) -> None:
        files = self.with_change(
            "01-alpha/course.toml",
            'lessons = ["one"]',
            'lessons = ["one"]\n\n[[modules]]\nslug = "start"\ntitle = "Again"\nlessons = ["three"]',
        )
        files["01-alpha/three.md"] = LESSON_TWO.replace('"two"', '"three"')
        self.assert_rejected(
            files, "01-alpha/course.toml", "modules[1].slug", "used twice"
        )

    def test_it_rejects_a_lesson_listed_twice(self) -> None:
        files = self.with_change("01-alpha/course.toml", '["one"]', '["one", "one"]')
        self.assert_rejected(
            files, "01-alpha/course.toml", "modules[0].lessons[1]", "listed twice"
        )

    def test_it_rejects_an_invalid_slug(self) -> None:
        files = self.with_change(
            "01-alpha/course.toml", 'slug = "start"', 'slug = "Start Here"'
        )
        self.assert_rejected(
            files, "01-alpha/course.toml", "modules[0].slug", "not a slug"
        )

    def test_it_rejects_a_lesson_slug_that_does_not_match_its_file(self) -> None:
        files = self.with_change("01-alpha/one.md", 'slug = "one"', 'slug = "uno"')
        self.assert_rejected(
            files, "01-alpha/one.md", "slug", "must match the file name"
        )

    def test_it_rejects_a_course_folder_without_a_number(self) -> None:
        files = dict(VALID_FILES)
        files["gamma/course.toml"] = COURSE_ALPHA
        self.assert_rejected(files, "gamma", "", "<nn>-<slug>")

    # Prerequisites --------------------------------------------------------------------

    def test_it_rejects_a_prerequisite_on_a_later_course(self) -> None:
        files = self.with_change(
            "01-alpha/course.toml", "prerequisites = []", 'prerequisites = ["beta"]'
        )
        self.assert_rejected(
            files,
            "01-alpha/course.toml",
            "prerequisites[0]",
            "not the slug of an earlier course",
        )

    def test_it_rejects_an_unknown_prerequisite(self) -> None:
        files = self.with_change(
            "02-beta/course.toml", '["alpha"]', '["alpha", "omega"]'
        )
        self.assert_rejected(
            files, "02-beta/course.toml", "prerequisites[1]", "'omega'"
        )

    # Quizzes --------------------------------------------------------------------------

    def test_it_rejects_a_single_question_with_two_correct_choices(self) -> None:
        files = self.with_change(
            "01-alpha/one.md",
            'text = "Wrong"\ncorrect = false',
            'text = "Wrong"\ncorrect = true',
        )
        self.assert_rejected(
            files,
            "01-alpha/one.md",
            "quiz.questions[0].choices",
            "exactly one correct choice, has 2",
        )

    def test_it_rejects_a_single_question_with_no_correct_choice(self) -> None:
        files = self.with_change(
            "01-alpha/one.md",
            'text = "Right"\ncorrect = true',
            'text = "Right"\ncorrect = false',
        )
        self.assert_rejected(
            files,
            "01-alpha/one.md",
            "quiz.questions[0].choices",
            "exactly one correct choice, has 0",
        )

    def test_it_rejects_a_multiple_question_with_no_correct_choice(self) -> None:
        files = self.with_change(
            "01-alpha/one.md",
            'text = "Yes"\ncorrect = true',
            'text = "Yes"\ncorrect = false',
        )
        self.assert_rejected(
            files,
            "01-alpha/one.md",
            "quiz.questions[1].choices",
            "at least one correct choice",
        )

    def test_it_rejects_a_choice_without_an_explanation(self) -> None:
        files = self.with_change("01-alpha/one.md", 'explanation = "Indeed not."\n', "")
        self.assert_rejected(
            files,
            "01-alpha/one.md",
            "quiz.questions[1].choices[1].explanation",
            "missing (required)",
        )

    def test_it_rejects_an_empty_explanation(self) -> None:
        files = self.with_change("01-alpha/one.md", '"Because."', '"   "')
        self.assert_rejected(
            files,
            "01-alpha/one.md",
            "quiz.questions[0].choices[0].explanation",
            "must not be empty",
        )

    def test_it_rejects_an_unknown_question_kind(self) -> None:
        files = self.with_change(
            "01-alpha/one.md", 'kind = "multiple"', 'kind = "several"'
        )
        self.assert_rejected(
            files, "01-alpha/one.md", "quiz.questions[1].kind", "'several'"
        )

    def test_it_rejects_a_pass_mark_of_zero(self) -> None:
        files = self.with_change(
            "01-alpha/one.md", "pass_mark_pct = 80", "pass_mark_pct = 0"
        )
        self.assert_rejected(
            files, "01-alpha/one.md", "quiz.pass_mark_pct", "between 1 and 100, not 0"
        )

    def test_it_rejects_a_pass_mark_above_one_hundred(self) -> None:
        files = self.with_change(
            "01-alpha/one.md", "pass_mark_pct = 80", "pass_mark_pct = 101"
        )
        self.assert_rejected(
            files, "01-alpha/one.md", "quiz.pass_mark_pct", "between 1 and 100, not 101"
        )

    def test_it_rejects_a_pass_mark_that_is_not_a_number(self) -> None:
        files = self.with_change(
            "01-alpha/one.md", "pass_mark_pct = 80", 'pass_mark_pct = "80"'
        )
        self.assert_rejected(
            files, "01-alpha/one.md", "quiz.pass_mark_pct", "whole number"
        )

    def test_it_accepts_pass_marks_at_the_bounds(self) -> None:
        for mark in (1, 100):
            with self.subTest(mark=mark):
                files = self.with_change(
                    "01-alpha/one.md", "pass_mark_pct = 80", f"pass_mark_pct = {mark}"
                )
                lesson = load_curriculum(self.write(files))[0].modules[0].lessons[0]
                assert lesson.quiz is not None
                self.assertEqual(lesson.quiz.pass_mark_pct, mark)

    def test_it_rejects_a_misspelled_field(self) -> None:
        files = self.with_change(
            "01-alpha/one.md", 'explanation = "Because."', 'explaination = "Because."'
        )
        self.assert_rejected(
            files,
            "01-alpha/one.md",
            "quiz.questions[0].choices[0].explaination",
            "unknown field",
        )

    # Scenarios ------------------------------------------------------------------------

    def test_it_rejects_a_next_step_that_does_not_exist(self) -> None:
        files = self.with_change(
            "01-alpha/scenario-talk.toml", 'next_step = "second"', 'next_step = "third"'
        )
        self.assert_rejected(
            files,
            "01-alpha/scenario-talk.toml",
            "steps[0].choices[0].next_step",
            "no step has the key 'third'",
        )

    def test_it_rejects_a_start_step_that_does_not_exist(self) -> None:
        files = self.with_change(
            "01-alpha/scenario-talk.toml", 'start = "first"', 'start = "zero"'
        )
        self.assert_rejected(files, "01-alpha/scenario-talk.toml", "start", "'zero'")

    def test_it_rejects_an_unreachable_step(self) -> None:
        files = self.with_change(
            "01-alpha/scenario-talk.toml",
            'coaching = "Good."\nnext_step = "second"\n',
            'coaching = "Good."\n',
        )
        self.assert_rejected(
            files, "01-alpha/scenario-talk.toml", "steps[1].key", "cannot be reached"
        )

    def test_it_rejects_a_scenario_that_loops(self) -> None:
        files = self.with_change(
            "01-alpha/scenario-talk.toml",
            'coaching = "Slow down."',
            'coaching = "Slow down."\nnext_step = "first"',
        )
        self.assert_rejected(
            files, "01-alpha/scenario-talk.toml", "steps", "first -> second -> first"
        )

    def test_it_rejects_a_step_key_used_twice(self) -> None:
        files = self.with_change(
            "01-alpha/scenario-talk.toml", 'key = "second"', 'key = "first"'
        )
        self.assert_rejected(
            files, "01-alpha/scenario-talk.toml", "steps[1].key", "used twice"
        )

    def test_it_rejects_a_scenario_choice_without_coaching(self) -> None:
        files = self.with_change(
            "01-alpha/scenario-talk.toml", 'coaching = "Try again."\n', ""
        )
        self.assert_rejected(
            files,
            "01-alpha/scenario-talk.toml",
            "steps[0].choices[1].coaching",
            "missing",
        )

    def test_it_rejects_a_missing_scenario_file(self) -> None:
        files = dict(VALID_FILES)
        del files["01-alpha/scenario-talk.toml"]
        self.assert_rejected(
            files, "01-alpha/one.md", "scenario", "no file scenario-talk.toml"
        )

    def test_it_rejects_a_scenario_file_no_lesson_uses(self) -> None:
        files = dict(VALID_FILES)
        files["01-alpha/scenario-spare.toml"] = SCENARIO_TALK
        self.assert_rejected(
            files, "01-alpha/scenario-spare.toml", "", "not referenced"
        )

    def test_it_rejects_a_scenario_shared_by_two_lessons(self) -> None:
        files = self.with_change("01-alpha/course.toml", '["one"]', '["one", "three"]')
        files["01-alpha/three.md"] = LESSON_ONE.replace(
            'slug = "one"', 'slug = "three"'
        )
        self.assert_rejected(
            files, "01-alpha/three.md", "scenario", "already used by another lesson"
        )

    # Markdown -------------------------------------------------------------------------

    def test_it_rejects_raw_html_in_a_lesson_body(self) -> None:
        files = self.with_change(
            "01-alpha/one.md", "The lesson text.", "The <b>lesson</b> text."
        )
        self.assert_rejected(files, "01-alpha/one.md", "body", "raw HTML")

    def test_it_rejects_an_html_block_in_a_scenario_prompt(self) -> None:
        files = self.with_change(
            "01-alpha/scenario-talk.toml",
            'prompt = "And then?"',
            'prompt = """\n<div>And then?</div>\n"""',
        )
        self.assert_rejected(
            files, "01-alpha/scenario-talk.toml", "steps[1].prompt", "raw HTML"
        )

    def test_it_rejects_raw_html_in_a_course_description(self) -> None:
        files = self.with_change(
            "01-alpha/course.toml", "Some *Markdown*.", "Some <script>x</script>."
        )
        self.assert_rejected(files, "01-alpha/course.toml", "description", "raw HTML")

    def test_it_allows_angle_brackets_in_code_and_text(self) -> None:
        files = self.with_change(
            "01-alpha/one.md", "The lesson text.", "Use `<b>` never; 3 < 4."
        )
        load_curriculum(self.write(files))

    def test_it_rejects_an_empty_body(self) -> None:
        files = self.with_change("02-beta/two.md", "Text of lesson two.", "")
        self.assert_rejected(files, "02-beta/two.md", "body", "empty")

    # Files ----------------------------------------------------------------------------

    def test_it_rejects_a_listed_lesson_without_a_file(self) -> None:
        files = self.with_change("02-beta/course.toml", '["two"]', '["two", "four"]')
        self.assert_rejected(
            files,
            "02-beta/course.toml",
            "modules[0].lessons[1]",
            "no lesson file four.md",
        )

    def test_it_rejects_a_lesson_file_no_module_lists(self) -> None:
        files = dict(VALID_FILES)
        files["02-beta/spare.md"] = LESSON_TWO.replace('"two"', '"spare"')
        self.assert_rejected(files, "02-beta/spare.md", "", "not listed in any module")

    def test_it_rejects_front_matter_that_is_not_closed(self) -> None:
        files = dict(VALID_FILES)
        files["02-beta/two.md"] = LESSON_TWO.replace("+++\n\nText", "\nText")
        self.assert_rejected(files, "02-beta/two.md", "", "not closed")

    def test_it_rejects_invalid_toml(self) -> None:
        files = self.with_change(
            "02-beta/course.toml", 'title = "Beta"', "title = Beta"
        )
        self.assert_rejected(files, "02-beta/course.toml", "", "not valid TOML")

    def test_it_rejects_a_video_link_from_another_host(self) -> None:
        files = self.with_change(
            "02-beta/two.md",
            "sources = []",
            'sources = []\nvideo_url = "https://example.com/v/1"',
        )
        self.assert_rejected(files, "02-beta/two.md", "video_url", "https embed link")

    def test_it_accepts_an_allowed_video_link(self) -> None:
        url = "https://www.youtube-nocookie.com/embed/abc123"
        files = self.with_change(
            "02-beta/two.md", "sources = []", f'sources = []\nvideo_url = "{url}"'
        )
        lesson = load_curriculum(self.write(files))[1].modules[0].lessons[0]
        self.assertEqual(lesson.video_url, url)

    def test_it_rejects_a_title_longer_than_the_database_allows(self) -> None:
        files = self.with_change(
            "02-beta/course.toml", 'title = "Beta"', f'title = "{"B" * 141}"'
        )
        self.assert_rejected(files, "02-beta/course.toml", "title", "at most 140")

    def test_it_reports_every_problem_at_once(self) -> None:
        files = self.with_change(
            "01-alpha/one.md", "pass_mark_pct = 80", "pass_mark_pct = 0"
        )
        files["02-beta/course.toml"] = files["02-beta/course.toml"].replace(
            "version = 2", "version = 0"
        )
        with self.assertRaises(CurriculumError) as caught:
            load_curriculum(self.write(files))
        fields = {(p.path, p.field) for p in caught.exception.problems}
        self.assertIn(("01-alpha/one.md", "quiz.pass_mark_pct"), fields)
        self.assertIn(("02-beta/course.toml", "version"), fields)

    def test_it_rejects_a_folder_without_courses(self) -> None:
        with self.assertRaises(CurriculumError) as caught:
            load_curriculum(self.root)
        self.assertIn("no course folder", str(caught.exception))
