from __future__ import annotations

from alongside.test import BrowserTestCase


class PublicPagesBrowserTestCase(BrowserTestCase):
    def test_it_shows_the_start_and_login_pages_accessibly(self) -> None:
        self.page.goto(self.url("/"))
        self.assertIn("Allyship you can show", self.page.content())
        self.assert_accessible()
        self.page.get_by_role("link", name="Log in").first.click()
        self.page.wait_for_url("**/accounts/login/")
        self.assert_accessible()

    def test_the_skip_link_is_the_first_stop_for_keyboard_users(self) -> None:
        self.page.goto(self.url("/"))
        self.page.keyboard.press("Tab")
        focused = self.page.evaluate("document.activeElement.textContent")
        self.assertEqual(focused.strip(), "Skip to main content")
        self.page.keyboard.press("Enter")
        self.assertTrue(self.page.url.endswith("#main"))
