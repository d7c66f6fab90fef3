"""Program admins: create, preview, publish, close, dashboard and the CSV export."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from alongside.audit.models import AuditEvent
from alongside.campaigns import stats
from alongside.campaigns.models import Campaign, Signature
from alongside.campaigns.tests.helpers import make_campaign
from alongside.campaigns.views.admin import csv_safe, export_rows
from alongside.lib.tokens import token_digest
from alongside.test import BaseTestCase


def png_upload(
    size: tuple[int, int] = (3000, 1500), name: str = "photo.png"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def add_signatures(campaign: Campaign, **genders: int) -> None:
    now = timezone.now()
    rows = []
    for gender, n in genders.items():
        for i in range(n):
            key = f"{campaign.pk}-{gender}-{i}"
            rows.append(
                Signature(
                    campaign=campaign,
                    normalized_email=f"{key}@example.net",
                    gender="" if gender == "blank" else gender,
                    country="GB" if i % 2 else "KE",
                    confirmed_at=now - timedelta(days=i % 3),
                    confirm_token_digest=token_digest(f"c{key}"),
                    withdraw_token_digest=token_digest(f"w{key}"),
                    confirm_expires_at=now + timedelta(days=7),
                )
            )
    Signature.objects.bulk_create(rows)
    Campaign.objects.filter(pk=campaign.pk).update(confirmed_count=len(rows))


class AdminTestCase(BaseTestCase):
    # A media directory per class: with --parallel, classes run in several processes
    # at once, and one class's clean-up must not delete another's uploads.
    media: str

    @classmethod
    def setUpClass(cls) -> None:
        cls.media = tempfile.mkdtemp(prefix="campaigns-test-media-")
        cls.enterClassContext(override_settings(MEDIA_ROOT=cls.media))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(cls.media, ignore_errors=True)

    def setUp(self) -> None:
        self.client.force_login(self.paula)

    def url(self, name: str, **kwargs: object) -> str:
        return reverse(f"campaigns:{name}", kwargs={"org": "northwind", **kwargs})

    def form_data(self, **overrides: object) -> dict[str, object]:
        data: dict[str, object] = {
            "title": "Men stand up at Northwind",
            "slug": "northwind-stands-up",
            "statement": "We **commit** to act.",
            "image_alt": "",
            "goal": "500",
            "starts_at": "2026-11-01T09:00",
            "ends_at": "2027-03-08T23:59",
            "ask_name": "on",
            "ask_country": "on",
            "ask_gender": "on",
            "consent_text": "I agree to the privacy notice.",
            "privacy_notice": "We keep your address until the campaign ends.",
            "frame_ancestors": "",
        }
        data.update(overrides)
        return data


class CampaignFormTestCase(AdminTestCase):
    def test_creating_a_campaign_makes_a_draft_with_a_resized_image(self) -> None:
        response = self.client.post(
            self.url("create"),
            self.form_data(image=png_upload(), image_alt="A red square"),
        )
        campaign = Campaign.objects.get()
        self.assertRedirects(response, campaign.get_admin_url())
        self.assertTrue(campaign.is_draft)
        self.assertEqual(campaign.created_by, self.paula)
        with Image.open(campaign.image.path) as stored:
            self.assertEqual((stored.format, stored.size), ("JPEG", (1600, 800)))
        self.assertTrue(str(campaign.image.name).startswith("campaigns/"))
        self.assertTrue(AuditEvent.objects.filter(action="campaign.created").exists())
        # Drafts: 404 to the public, a preview for admins.
        self.client.logout()
        self.assertEqual(self.client.get(campaign.get_absolute_url()).status_code, 404)

    def test_bad_input_is_explained_and_changes_nothing(self) -> None:
        make_campaign(self.org, slug="taken")
        response = self.client.post(
            self.url("create"),
            self.form_data(
                slug="taken",
                ends_at="2026-10-01T09:00",
                image=SimpleUploadedFile(
                    "x.png", b"not an image", content_type="image/png"
                ),
                frame_ancestors="https://ok.example.org\nhttp://plain.example.org\n*\nhttps://a.example.org/path\nhttps://x.example;script-src",
                goal="0",
            ),
        )
        self.assertEqual(response.status_code, 400)
        for message in (
            "Another campaign already uses this short name",
            "Signing must close after it opens",
            "Upload a valid image",
            "Line 2 (“http://plain.example.org”): partner sites must use https://",
            "Line 3 (“*”): write a full origin",
            "Line 4 (“https://a.example.org/path”): only the origin",
            "Line 5 (“https://x.example;script-src”): write one origin per line",
            "Ensure this value is greater than or equal to 1",
        ):
            self.assertContains(response, message, status_code=400, html=False)
        self.assertEqual(Campaign.objects.count(), 1)

    def test_an_image_needs_a_description(self) -> None:
        response = self.client.post(
            self.url("create"), self.form_data(image=png_upload((100, 100)))
        )
        self.assertContains(response, "Describe the image", status_code=400)

    def test_origins_are_normalized_and_deduplicated(self) -> None:
        self.client.post(
            self.url("create"),
            self.form_data(
                frame_ancestors="HTTPS://Partner.Example.org/\nhttps://partner.example.org\nhttps://*.ngo.example:8443\nhttp://localhost:3000"
            ),
        )
        self.assertEqual(
            Campaign.objects.get().frame_ancestor_list(),
            [
                "https://partner.example.org",
                "https://*.ngo.example:8443",
                "http://localhost:3000",
            ],
        )

    def test_members_and_outsiders_get_404(self) -> None:
        campaign = make_campaign(self.org)
        for user in (self.alice, self.olga):
            self.client.force_login(user)
            for name, kwargs in (
                ("admin_list", {}),
                ("create", {}),
                ("dashboard", {"pk": campaign.pk}),
                ("export", {"pk": campaign.pk}),
            ):
                with self.subTest(user=user.email, name=name):
                    self.assertEqual(
                        self.client.get(self.url(name, **kwargs)).status_code, 404
                    )


class LifecycleTestCase(AdminTestCase):
    def test_preview_publish_and_close(self) -> None:
        campaign = make_campaign(
            self.org, status=Campaign.Status.DRAFT, title="Draft drive"
        )
        preview = self.client.get(self.url("preview", pk=campaign.pk))
        self.assertContains(preview, "Preview: this draft is visible only")
        self.assertContains(preview, "Draft drive")
        self.assertContains(
            self.client.get(self.url("publish", pk=campaign.pk)),
            "Publish the campaign?",
        )
        self.assertRedirects(
            self.client.post(self.url("publish", pk=campaign.pk)),
            campaign.get_admin_url(),
        )
        campaign.refresh_from_db()
        self.assertTrue(campaign.is_published)
        self.client.logout()
        self.assertEqual(self.client.get(campaign.get_absolute_url()).status_code, 200)
        self.client.force_login(self.paula)
        self.assertEqual(
            self.client.post(self.url("publish", pk=campaign.pk)).status_code, 409
        )
        self.client.post(self.url("close", pk=campaign.pk))
        campaign.refresh_from_db()
        self.assertTrue(campaign.is_closed)
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        self.assertTrue({"campaign.published", "campaign.closed"} <= actions)


class DashboardTestCase(AdminTestCase):
    def test_small_gender_cells_are_hidden_with_their_complement(self) -> None:
        self.assertEqual(
            stats.suppress({"m": 10, "w": 2, "a": 0, "u": 6}, 5), {"w", "a", "u"}
        )
        self.assertEqual(
            stats.suppress({"m": 10, "w": 3, "a": 0, "u": 9}, 5), {"w", "a", "u"}
        )
        self.assertEqual(stats.suppress({"m": 10, "w": 7, "a": 5, "u": 6}, 5), set())
        # One small cell alone could be derived from the total: a second is hidden.
        self.assertEqual(
            stats.suppress({"m": 10, "w": 7, "a": 4, "u": 6}, 5), {"a", "u"}
        )

    def test_the_dashboard_hides_small_cells_and_pools_small_countries(self) -> None:
        campaign = make_campaign(self.org)
        add_signatures(campaign, man=12, woman=7, another=2, undisclosed=3, blank=1)
        html = self.client.get(self.url("dashboard", pk=campaign.pk)).content.decode()
        self.assertIn("48% of confirmed signers sign as men", html)
        # another (2) and didn't say (3 + 1 blank = 4) are both under 5: hidden.
        self.assertIn("<td>12</td>", html)
        self.assertIn("<td>7</td>", html)
        self.assertEqual(html.count('<span class="tag">hidden</span>'), 2)
        self.assertIn("Kenya", html)
        self.assertIn("<svg", html)
        self.assertIn("The same figures as a table", html)

    def test_all_cells_hidden_when_men_alone_are_under_k(self) -> None:
        campaign = make_campaign(self.org)
        add_signatures(campaign, man=3, woman=20)
        breakdown = stats.gender_breakdown(campaign)
        self.assertIsNone(breakdown.men_percent)
        self.assertTrue(breakdown.suppressed)

    def test_the_export_streams_every_signature_with_formulas_defused(self) -> None:
        campaign = make_campaign(self.org)
        add_signatures(campaign, man=3)
        Signature.objects.filter(pk=Signature.objects.first().pk).update(  # type: ignore[union-attr]
            first_name='=HYPERLINK("http://evil.example","x")'
        )
        response = self.client.get(self.url("export", pk=campaign.pk))
        self.assertTrue(response.streaming)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        rows = list(csv.reader(io.StringIO(body)))
        self.assertEqual(rows[0][:2], ["email", "first_name"])
        self.assertEqual(len(rows), 4)
        self.assertIn("'=HYPERLINK(", body)
        self.assertNotIn(",=HYPERLINK", body)
        self.assertTrue(AuditEvent.objects.filter(action="campaign.exported").exists())

    def test_the_export_is_a_generator_over_chunks(self) -> None:
        campaign = make_campaign(self.org)
        add_signatures(campaign, man=7)
        rows = export_rows(campaign, chunk_size=2)
        self.assertEqual(
            next(rows).strip(),
            "email,first_name,show_name,country,signed_at,confirmed_at,converted_at",
        )
        self.assertEqual(len(list(rows)), 7)

    def test_csv_safe(self) -> None:
        for raw in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
            self.assertEqual(csv_safe(raw), "'" + raw)
        self.assertEqual(csv_safe("Sam"), "Sam")
        self.assertEqual(csv_safe(None), "")
