from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alongside.equity.forms.wording import MAX_TEXT_CHARS, MAX_UPLOAD_BYTES
from alongside.equity.models import AnalystGrant
from alongside.equity.tests.test_wording_extract import make_docx, make_pdf
from alongside.equity.views.wording import VERDICT_EXPLANATIONS, VERDICT_LABELS
from alongside.equity.wording import VERDICTS
from alongside.organizations.models import Organization
from alongside.test import BaseTestCase


class WordingPageTestCase(BaseTestCase):
    url = "/o/northwind/equity/wording/"
    partial_url = "/o/northwind/equity/wording/check/"

    def test_the_routes_are_named(self) -> None:
        self.assertEqual(
            reverse("equity:wording", kwargs={"org": "northwind"}), self.url
        )
        self.assertEqual(
            reverse("equity:wording_check", kwargs={"org": "northwind"}),
            self.partial_url,
        )

    # Who may use it: program admins of the organization; members and outsiders get 404.
    def test_a_program_admin_gets_the_page(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.get(self.url)
        self.assertContains(r, "Check a job ad for gendered wording")
        self.assertContains(r, 'hx-trigger="input changed delay:400ms"')
        self.assertContains(r, f'hx-post="{self.partial_url}"')
        self.assertContains(r, 'enctype="multipart/form-data"')
        self.assertContains(r, "Gaucher, Friesen and Kay (2011")

    def test_an_hr_analyst_gets_the_page_and_the_partial(self) -> None:
        AnalystGrant.objects.create(
            organization=self.org, user=self.bob, granted_by=self.paula
        )
        self.client.force_login(self.bob)
        self.assertContains(
            self.client.get(self.url), "Check a job ad for gendered wording"
        )
        r = self.client.post(
            self.partial_url, {"text": "lead"}, headers={"HX-Request": "true"}
        )
        self.assertContains(r, "Verdict: masculine-coded")

    def test_an_hr_analyst_of_another_organization_gets_404(self) -> None:
        AnalystGrant.objects.create(organization=self.other_org, user=self.oscar)
        self.client.force_login(self.oscar)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(
            self.client.post(self.partial_url, {"text": "x"}).status_code, 404
        )

    def test_an_hr_analyst_follows_the_admin_mfa_rule(self) -> None:
        AnalystGrant.objects.create(organization=self.org, user=self.bob)
        Organization.objects.filter(pk=self.org.pk).update(require_admin_mfa=True)
        self.client.force_login(self.bob)
        r = self.client.get(self.url)
        self.assertRedirects(
            r, reverse("organizations:mfa_required", kwargs={"org": "northwind"})
        )

    def test_a_member_gets_404(self) -> None:
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(
            self.client.post(self.partial_url, {"text": "x"}).status_code, 404
        )

    def test_an_admin_of_another_organization_gets_404(self) -> None:
        self.client.force_login(self.olga)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(self.url, {"text": "lead"}).status_code, 404)
        self.assertEqual(
            self.client.post(self.partial_url, {"text": "x"}).status_code, 404
        )

    def test_an_anonymous_visitor_is_sent_to_log_in(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 302)

    def test_the_empty_page_invites_a_text(self) -> None:
        self.client.force_login(self.paula)
        self.assertContains(self.client.get(self.url), "Type or paste a job ad above")

    # Without JavaScript: a normal form submit renders the whole page with the result.
    def test_a_form_submit_shows_the_highlighted_text_and_verdict(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(self.url, {"text": "A competitive leader. Kind."})
        self.assertContains(r, "Verdict: masculine-coded")
        self.assertContains(r, "<strong>competitive</strong>", html=False)
        self.assertContains(r, "<em>Kind</em>", html=False)
        self.assertContains(r, "high-performing")  # a suggestion for "compet"
        self.assertContains(r, "<html", html=False)

    def test_every_verdict_has_a_label_and_an_explanation(self) -> None:
        self.assertEqual(set(VERDICT_LABELS), set(VERDICTS))
        self.assertEqual(set(VERDICT_EXPLANATIONS), set(VERDICTS))

    def test_a_text_without_coded_words_is_empty_not_neutral(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(self.url, {"text": "We bake bread."})
        self.assertContains(r, "Verdict: empty (no coded words)")
        self.assertContains(r, "This text uses no words from either list.")

    def test_it_escapes_the_users_text(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(
            self.partial_url,
            {"text": "<script>alert(1)</script><b>lead</b>"},
            headers={"HX-Request": "true"},
        )
        self.assertNotContains(r, "<script>alert", html=False)
        self.assertNotContains(r, "<b>", html=False)
        self.assertContains(
            r, "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;", html=False
        )

    # With htmx: the partial holds the result and an out-of-band status update.
    def test_the_partial_returns_the_result_and_status(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(
            self.partial_url,
            {"text": "loyal, warm and kind"},
            headers={"HX-Request": "true"},
        )
        content = r.content.decode()
        self.assertNotIn("<html", content)
        self.assertIn("Verdict: feminine-coded", content)
        self.assertIn('hx-swap-oob="innerHTML:#wording-status"', content)
        self.assertEqual(content.count("<mark"), 3)

    def test_the_partial_rejects_get(self) -> None:
        self.client.force_login(self.paula)
        self.assertEqual(self.client.get(self.partial_url).status_code, 405)

    def test_the_partial_of_an_empty_text_is_the_empty_state(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(
            self.partial_url, {"text": "  "}, headers={"HX-Request": "true"}
        )
        self.assertContains(r, "Type or paste a job ad above")

    def test_the_partial_says_when_the_text_is_too_long(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(
            self.partial_url,
            {"text": "a" * (MAX_TEXT_CHARS + 1)},
            headers={"HX-Request": "true"},
        )
        self.assertContains(r, f"the limit is {MAX_TEXT_CHARS}")
        self.assertContains(r, 'role="alert"')

    # Uploads
    def test_it_checks_an_uploaded_docx_and_puts_its_text_in_the_box(self) -> None:
        self.client.force_login(self.paula)
        upload = SimpleUploadedFile("ad.docx", make_docx("A driven leader.", "Loyal."))
        r = self.client.post(self.url, {"text": "", "file": upload})
        self.assertContains(r, "Verdict: masculine-coded")
        self.assertContains(r, "A driven leader.\nLoyal.</textarea>", html=False)

    def test_it_checks_an_uploaded_pdf(self) -> None:
        self.client.force_login(self.paula)
        upload = SimpleUploadedFile("ad.pdf", make_pdf("Kind, warm, loyal, honest."))
        r = self.client.post(self.url, {"file": upload})
        self.assertContains(r, "Verdict: strongly feminine-coded")

    def test_a_bad_file_type_gets_a_clear_message(self) -> None:
        self.client.force_login(self.paula)
        upload = SimpleUploadedFile("ad.rtf", b"{\\rtf1 lead}")
        r = self.client.post(self.url, {"file": upload})
        self.assertContains(r, "ad.rtf is not a .txt, .docx or .pdf file.")
        self.assertNotContains(r, "Verdict:")

    def test_an_oversized_file_gets_a_clear_message(self) -> None:
        self.client.force_login(self.paula)
        upload = SimpleUploadedFile("big.txt", b"lead " * (MAX_UPLOAD_BYTES // 5 + 1))
        r = self.client.post(self.url, {"file": upload})
        self.assertContains(r, "big.txt is 2.0 MB; the limit is 2 MB.")
        self.assertNotContains(r, "Verdict:")

    def test_an_unreadable_file_gets_a_clear_message(self) -> None:
        self.client.force_login(self.paula)
        upload = SimpleUploadedFile("ad.pdf", b"%PDF-1.4 broken")
        with self.assertLogs("pypdf", "WARNING"):
            r = self.client.post(self.url, {"file": upload})
        self.assertContains(r, "ad.pdf is not a readable PDF.")

    def test_a_text_file_in_another_encoding_gets_a_clear_message(self) -> None:
        self.client.force_login(self.paula)
        upload = SimpleUploadedFile("ad.txt", "caf\u00e9 lead".encode("cp1252"))
        r = self.client.post(self.url, {"file": upload})
        self.assertContains(r, "ad.txt is not UTF-8 text")

    def test_pages_are_not_cached(self) -> None:
        self.client.force_login(self.paula)
        self.assertIn("no-cache", self.client.get(self.url)["Cache-Control"])


class ReviewPageTestCase(BaseTestCase):
    url = "/o/northwind/equity/wording/reviews/"
    partial_url = "/o/northwind/equity/wording/reviews/check/"

    def test_a_program_admin_gets_the_page_with_the_caveat(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.get(self.url)
        self.assertContains(r, "A heuristic aid, not a verdict.")
        self.assertContains(r, f'hx-post="{self.partial_url}"')

    def test_an_hr_analyst_gets_the_page(self) -> None:
        AnalystGrant.objects.create(organization=self.org, user=self.fiona)
        self.client.force_login(self.fiona)
        self.assertContains(
            self.client.get(self.url), "A heuristic aid, not a verdict."
        )

    def test_members_and_outsiders_get_404(self) -> None:
        for user in (self.alice, self.fiona, self.olga, self.oscar):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)
            self.assertEqual(
                self.client.post(self.partial_url, {"text": "x"}).status_code, 404
            )

    def test_a_form_submit_flags_phrases_with_alternatives(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(
            self.url, {"text": "She is bossy but has a great attitude."}
        )
        self.assertContains(r, "2 phrases to look at again")
        self.assertContains(r, "Personality critique (1)")
        self.assertContains(r, "describe how work was assigned")
        self.assertContains(r, "Vague or communal praise (1)")

    def test_the_partial_highlights_and_escapes(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(
            self.partial_url,
            {"text": "<i>abrasive</i> but delivered the launch"},
            headers={"HX-Request": "true"},
        )
        content = r.content.decode()
        self.assertIn("&lt;i&gt;", content)
        self.assertIn('<mark class="review-personality"', content)
        self.assertIn('<ins class="review-achievement"', content)
        self.assertIn('hx-swap-oob="innerHTML:#wording-status"', content)
