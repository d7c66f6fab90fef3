from __future__ import annotations

from django.test import SimpleTestCase

from alongside.learning.models import Lesson, LessonImage


def image(name: str, alt: str, caption: str = "") -> LessonImage:
    return LessonImage(image=f"lessons/{name}.png", alt_text=alt, caption=caption)


class BodyWithImagesTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.images = [
            image("a", "A chart of promotions"),
            image("b", 'Two people "talking"', caption="At the stand-up"),
            image("c", "Unplaced"),
        ]

    def test_a_marker_line_places_the_image_there_and_the_rest_follow(self) -> None:
        lesson = Lesson(
            body="First part.\n\n[image 2]\n\nSecond part.\n\n  [image 1]  \n"
        )
        html, after = lesson.body_with_images(self.images)
        first = html.index("First part.")
        figure_b = html.index('alt="Two people &quot;talking&quot;"')
        second = html.index("Second part.")
        figure_a = html.index('alt="A chart of promotions"')
        self.assertLess(first, figure_b)
        self.assertLess(figure_b, second)
        self.assertLess(second, figure_a)
        self.assertIn("<figcaption>At the stand-up</figcaption>", html)
        self.assertEqual(after, [self.images[2]])

    def test_a_number_with_no_image_and_inline_mentions_stay_as_typed(self) -> None:
        lesson = Lesson(body="See [image 1] below.\n\n[image 9]\n")
        html, after = lesson.body_with_images(self.images[:1])
        self.assertIn("See [image 1] below.", html)
        self.assertIn("[image 9]", html)
        self.assertNotIn("<figure", html)
        self.assertEqual(after, self.images[:1])

    def test_text_around_markers_is_still_sanitized(self) -> None:
        lesson = Lesson(
            body="<script>alert(1)</script>\n[image 1]\n[x](javascript:alert(1))"
        )
        html, _after = lesson.body_with_images(self.images[:1])
        self.assertNotIn("<script", html)
        self.assertNotIn('href="javascript', html)
        self.assertIn("<figure>", html)

    def test_a_preview_renders_the_given_text(self) -> None:
        lesson = Lesson(body="Saved text")
        html, _after = lesson.body_with_images([], "Draft text")
        self.assertIn("Draft text", html)
        self.assertNotIn("Saved text", html)
