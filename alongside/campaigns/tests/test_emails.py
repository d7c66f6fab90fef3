"""Normalizing signers' addresses, and refusing look-alikes with a clear reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from alongside.lib.emailaddr import normalize_email


class NormalizeEmailTestCase(SimpleTestCase):
    def assert_refused(self, raw: str, code: str, fragment: str) -> None:
        with self.assertRaises(ValidationError) as caught:
            normalize_email(raw)
        self.assertEqual(caught.exception.code, code, caught.exception.messages)
        self.assertIn(fragment, caught.exception.messages[0])

    def test_case_space_and_width_are_folded(self) -> None:
        self.assertEqual(
            normalize_email("  Sam.Jones@Example.ORG "), "sam.jones@example.org"
        )
        # NFKC: full-width letters are the ordinary ones.
        self.assertEqual(normalize_email("ｓａｍ@example.org"), "sam@example.org")

    def test_punycode_and_unicode_domains_are_one_address(self) -> None:
        self.assertEqual(
            normalize_email("anna@xn--bcher-kva.example"), "anna@bücher.example"
        )
        self.assertEqual(normalize_email("Anna@BÜCHER.example"), "anna@bücher.example")

    def test_invalid_addresses_say_why(self) -> None:
        self.assert_refused("", "required", "Enter your email")
        self.assert_refused("sam.example.org", "invalid", "exactly one @")
        self.assert_refused("sam@@example.org", "invalid", "exactly one @")
        self.assert_refused("@example.org", "invalid", "name before the @")
        self.assert_refused("sam@", "invalid", "name before the @")
        self.assert_refused("sam@example", "invalid", "not a valid email address")
        self.assert_refused("sa m@example.org", "invisible", "space or an invisible")
        self.assert_refused("sam\u200b@example.org", "invisible", "invisible")

    def test_overlong_addresses_are_refused_with_the_length(self) -> None:
        raw = "a" * 60 + "@" + ("b" * 60 + ".") * 4 + "org"
        self.assertGreater(len(raw), 254)
        self.assert_refused(raw, "too_long", f"{len(raw)} characters long")
        self.assert_refused("a" * 65 + "@example.org", "too_long", "at most 64")
        exactly = "a" * 64 + "@" + ("b" * 61 + ".") * 3 + "org"
        self.assertEqual(len(exactly), 254)
        self.assertEqual(normalize_email(exactly), exactly)

    def test_mixed_script_is_refused(self) -> None:
        # "pаypal" with a Cyrillic "а".
        self.assert_refused("sam@p\u0430ypal.com", "mixed_script", "Cyrillic, Latin")
        self.assert_refused(
            "s\u0430m@example.org", "mixed_script", "different alphabets"
        )

    def test_whole_script_look_alikes_are_refused(self) -> None:
        # "аррӏе" written entirely in Cyrillic.
        self.assert_refused(
            "sam@\u0430\u0440\u0440\u04cf\u0435.com", "confusable", "only look like"
        )
        # The same hidden behind punycode.
        puny = "\u0430\u0440\u0440\u04cf\u0435".encode("idna").decode()
        self.assert_refused(f"sam@{puny}.com", "confusable", "only look like")

    def test_latin_look_alike_letters_are_refused(self) -> None:
        # A dotless "ı" among Latin letters.
        self.assert_refused("sam@gmaıl.com", "confusable", "looks like “i”")

    def test_genuine_non_latin_domains_are_accepted(self) -> None:
        self.assertEqual(normalize_email("ivan@пример.рф"), "ivan@пример.рф")
        self.assertEqual(normalize_email("taro@例え.jp"), "taro@例え.jp")

    def test_non_latin_local_part_is_refused_clearly(self) -> None:
        self.assert_refused("иван@пример.рф", "non_ascii_local", "before the @")


class NormalizeEmailPropertyTestCase(SimpleTestCase):
    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=80), st.text(max_size=40))
    def test_normalizing_is_idempotent_and_never_crashes(
        self, local: str, domain: str
    ) -> None:
        for raw in (f"{local}@{domain}", f"{local}@{domain}.org", local):
            try:
                once = normalize_email(raw)
            except ValidationError as e:
                self.assertTrue(e.messages[0])  # every refusal says why
                continue
            self.assertEqual(normalize_email(once), once)
            self.assertLessEqual(len(once), 254)
            self.assertEqual(once, once.strip().lower())
