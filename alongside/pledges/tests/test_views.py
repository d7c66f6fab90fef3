from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import html5lib
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.lib.visibility import Visibility
from alongside.pledges import urls as pledge_urls
from alongside.pledges.models import (
    Action,
    Category,
    CommitmentTemplate,
    ConfirmationRequest,
    Pledge,
    PledgeCommitment,
)
from alongside.pledges.tests.helpers import make_action, make_pledge, make_request
from alongside.test import BaseTestCase

XSS = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">a</a>',
    "<iframe src=//evil.example></iframe>",
    "<style>body{display:none}</style>",
]


def assert_inert(testcase: Any, html: str) -> None:
    """No script, no event handler, no javascript: URL, no style/iframe/form from users."""
    doc = html5lib.parse(html, namespaceHTMLElements=False)
    for element in doc.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        testcase.assertNotIn(tag, {"iframe", "svg", "img", "style"}, tag)
        if tag == "script":
            testcase.assertTrue(element.get("src"), "inline script in page")
        for name, value in element.attrib.items():
            testcase.assertFalse(name.lower().startswith("on"), f"{tag} {name}")
            testcase.assertNotIn("javascript:", value.lower(), f"{tag} {name}")


class ViewTestCase(BaseTestCase):
    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"pledges:{name}", kwargs={"org": self.org.slug, **kwargs})


class MyPledgesTestCase(ViewTestCase):
    def test_it_shows_an_empty_state(self) -> None:
        self.client.force_login(self.alice)
        r = self.client.get(self.url("my_pledges"))
        self.assertContains(r, "You haven't made a pledge yet.")
        self.assertContains(r, self.url("create"))

    def test_it_lists_only_my_pledges_here(self) -> None:
        mine = make_pledge(self.alice, self.org, statement="Alice's own promise")
        make_pledge(self.bob, self.org, statement="Bob's promise")
        make_pledge(self.alice, self.other_org, statement="Elsewhere")
        self.client.force_login(self.alice)
        r = self.client.get(self.url("my_pledges"))
        self.assertContains(r, "Alice&#x27;s own promise")
        self.assertContains(r, mine.get_absolute_url())
        self.assertNotContains(r, "Bob&#x27;s promise")
        self.assertNotContains(r, "Elsewhere")


class PledgeListTestCase(ViewTestCase):
    def test_it_lists_what_the_viewer_may_see_paginated(self) -> None:
        for n in range(23):
            make_pledge(self.bob, self.org, statement=f"Shared pledge {n}")
        make_pledge(
            self.bob, self.org, statement="Bob private", visibility=Visibility.PRIVATE
        )
        make_pledge(self.oscar, self.other_org, statement="Oscar's")
        self.client.force_login(self.alice)
        r = self.client.get(self.url("list"))
        self.assertContains(r, "Page 1 of 2")
        self.assertNotContains(r, "Bob private")
        self.assertNotContains(r, "Oscar")
        r = self.client.get(self.url("list") + "?page=2")
        self.assertContains(r, "Shared pledge 0")

    def test_its_query_count_does_not_grow_with_the_pledges_shown(self) -> None:
        self.client.force_login(self.alice)
        make_pledge(self.bob, self.org, commitments=2)
        with CaptureQueriesContext(connection) as one:
            self.assertEqual(self.client.get(self.url("list")).status_code, 200)
        for _ in range(5):
            make_pledge(self.bob, self.org, commitments=3)
            make_pledge(self.alice, self.org, commitments=1)
        with CaptureQueriesContext(connection) as eleven:
            self.assertEqual(self.client.get(self.url("list")).status_code, 200)
        self.assertEqual(len(eleven), len(one))

        with CaptureQueriesContext(connection) as mine:
            self.assertEqual(self.client.get(self.url("my_pledges")).status_code, 200)
        make_pledge(self.alice, self.org, commitments=2)
        with CaptureQueriesContext(connection) as more:
            self.assertEqual(self.client.get(self.url("my_pledges")).status_code, 200)
        self.assertEqual(len(more), len(mine))


class PledgeCreateViewTestCase(ViewTestCase):
    def form_data(
        self, commitments: list[dict[str, str]], **overrides: str
    ) -> dict[str, str]:
        data = {
            "statement": "I will listen more and speak up when it matters.",
            "cadence": "weekly",
            "target_date": "",
            "visibility": Visibility.ORGANIZATION,
            "submission_key": str(uuid.uuid4()),
            "commitments-TOTAL_FORMS": str(max(5, len(commitments))),
            "commitments-INITIAL_FORMS": "0",
            "commitments-MIN_NUM_FORMS": "0",
            "commitments-MAX_NUM_FORMS": "5",
        }
        for i, row in enumerate(commitments):
            for key, value in row.items():
                data[f"commitments-{i}-{key}"] = value
        data.update(overrides)
        return data

    def setUp(self) -> None:
        self.client.force_login(self.alice)

    def templates(self) -> list[CommitmentTemplate]:
        CommitmentTemplate.objects.ensure_default_catalogue(self.org)
        return list(CommitmentTemplate.objects.for_organization(self.org))

    def test_the_form_offers_the_seeded_catalogue(self) -> None:
        r = self.client.get(self.url("create"))
        self.assertEqual(r.status_code, 200)
        self.assertGreaterEqual(
            CommitmentTemplate.objects.for_organization(self.org).count(), 24
        )
        self.assertContains(r, "Credit ideas to the person who had them")
        self.assertContains(r, '<optgroup label="Speak up">', html=False)

    def test_it_preselects_a_template_from_the_catalogue(self) -> None:
        template = self.templates()[3]
        r = self.client.get(self.url("create") + f"?template={template.pk}")
        self.assertContains(r, f'<option value="{template.pk}" selected>', html=False)

    def test_it_creates_a_pledge_with_three_commitments(self) -> None:
        t = self.templates()
        data = self.form_data(
            [
                {"template": str(t[0].pk), "specifics": "In every sprint review"},
                {"template": str(t[5].pk)},
                {"title": "Mentor one woman engineer", "specifics": "Monthly, an hour"},
            ],
            target_date=(timezone.localdate() + timedelta(days=90)).isoformat(),
        )
        r = self.client.post(self.url("create"), data)
        pledge = Pledge.objects.get()
        self.assertRedirects(r, pledge.get_absolute_url())
        self.assertEqual(pledge.cadence, "weekly")
        self.assertEqual(
            list(pledge.commitments.values_list("title", flat=True)),
            [t[0].title, t[5].title, "Mentor one woman engineer"],
        )
        # A double click: the same form again makes no second pledge.
        r = self.client.post(self.url("create"), data)
        self.assertRedirects(r, pledge.get_absolute_url())
        self.assertEqual(Pledge.objects.count(), 1)
        self.assertEqual(PledgeCommitment.objects.count(), 3)

    def assert_refused(self, data: dict[str, str], message: str) -> None:
        r = self.client.post(self.url("create"), data)
        self.assertContains(r, message)
        self.assertFalse(Pledge.objects.exists())
        self.assertFalse(PledgeCommitment.objects.exists())

    def test_it_refuses_no_commitment(self) -> None:
        self.assert_refused(self.form_data([]), "Choose at least one commitment")

    def test_it_refuses_six_commitments(self) -> None:
        rows = [{"title": f"Thing {n}"} for n in range(6)]
        self.assert_refused(self.form_data(rows), "at most five commitments")

    def test_it_refuses_duplicates(self) -> None:
        t = self.templates()
        rows = [{"template": str(t[0].pk)}, {"title": t[0].title.lower()}]
        self.assert_refused(self.form_data(rows), "You already chose this commitment")

    def test_it_refuses_an_empty_statement(self) -> None:
        self.assert_refused(
            self.form_data([{"title": "A"}], statement="   "),
            "Write your pledge in your own words.",
        )

    def test_it_refuses_overlong_text(self) -> None:
        self.assert_refused(
            self.form_data([{"title": "A"}], statement="x" * 2001),
            "Keep this under 2000 characters (it has 2001).",
        )
        self.assert_refused(
            self.form_data([{"title": "A" * 141}]),
            "Keep this under 140 characters (it has 141).",
        )
        self.assert_refused(
            self.form_data([{"title": "A", "specifics": "s" * 1001}]),
            "Keep this under 1000 characters (it has 1001).",
        )

    def test_it_refuses_a_past_target_date(self) -> None:
        past = (timezone.localdate() - timedelta(days=1)).isoformat()
        self.assert_refused(
            self.form_data([{"title": "A"}], target_date=past),
            "The target date can&#x27;t be in the past.",
        )

    def test_it_refuses_both_or_neither_in_a_row(self) -> None:
        t = self.templates()
        self.assert_refused(
            self.form_data([{"template": str(t[0].pk), "title": "Mine"}]), "not both"
        )
        self.assert_refused(
            self.form_data([{"title": "A"}, {"specifics": "orphan"}]),
            "Say which commitment these specifics belong to.",
        )

    def test_it_refuses_a_template_of_another_organization(self) -> None:
        other = CommitmentTemplate.objects.create(
            organization=self.other_org,
            category=Category.SPEAK_UP,
            title="Theirs",
            description="x",
        )
        self.assert_refused(
            self.form_data([{"template": str(other.pk)}]),
            "Choose a commitment from the list.",
        )


class PledgeDetailTestCase(ViewTestCase):
    def test_the_owner_sees_the_record_and_controls(self) -> None:
        pledge = make_pledge(self.alice, self.org, commitments=2)
        confirmed = make_action(pledge, confirmed_at=timezone.now())
        make_action(pledge)
        self.client.force_login(self.alice)
        r = self.client.get(pledge.get_absolute_url())
        self.assertContains(r, "Your pledge")
        self.assertContains(r, self.url("action_create", pk=pledge.pk))
        self.assertContains(r, self.url("pause", pk=pledge.pk))
        self.assertContains(r, confirmed.get_absolute_url())
        self.assertContains(
            r,
            '<div><dt>Confirmed actions</dt><dd><span class="stat-value">1</span></dd></div>',
            html=True,
        )
        self.assertContains(
            r,
            '<div><dt>Self-reported actions</dt><dd><span class="stat-value">1</span></dd></div>',
            html=True,
        )
        self.assertContains(r, "actions in 1 of 1 month")

    def test_members_see_it_without_controls_or_private_actions(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        make_action(pledge, description="Visible one")
        make_action(pledge, description="Secret one", visibility=Visibility.PRIVATE)
        self.client.force_login(self.bob)
        r = self.client.get(pledge.get_absolute_url())
        self.assertContains(r, "Pledge by Alice Ally")
        self.assertContains(r, "Visible one")
        self.assertNotContains(r, "Secret one")
        self.assertNotContains(r, self.url("pause", pk=pledge.pk))

    def test_a_private_pledge_is_404_for_others(self) -> None:
        pledge = make_pledge(self.alice, self.org, visibility=Visibility.PRIVATE)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(pledge.get_absolute_url()).status_code, 404)
        self.client.force_login(self.paula)  # program admins too
        self.assertEqual(self.client.get(pledge.get_absolute_url()).status_code, 404)

    def test_ended_commitments_show_outcome_and_reflection(self) -> None:
        pledge = make_pledge(self.alice, self.org, commitments=2)
        first, second = pledge.commitments.all()
        first.end("kept", "Easier than I thought.")
        second.end("not_managed", "I never found the time.")
        self.client.force_login(self.bob)
        r = self.client.get(pledge.get_absolute_url())
        self.assertContains(r, "Kept")
        self.assertContains(r, "Easier than I thought.")
        self.assertContains(r, "Didn&#x27;t manage it")
        self.assertContains(r, "I never found the time.")


class LifecycleViewTestCase(ViewTestCase):
    def setUp(self) -> None:
        self.pledge = make_pledge(self.alice, self.org, commitments=2)
        self.client.force_login(self.alice)

    def test_pause_and_resume_need_a_confirmation_step(self) -> None:
        r = self.client.get(self.url("pause", pk=self.pledge.pk))
        self.assertContains(r, "Yes, pause my pledge")
        self.pledge.refresh_from_db()
        self.assertTrue(self.pledge.is_active)
        r = self.client.post(self.url("pause", pk=self.pledge.pk))
        self.assertRedirects(r, self.pledge.get_absolute_url())
        self.pledge.refresh_from_db()
        self.assertTrue(self.pledge.is_paused)
        r = self.client.get(self.url("action_create", pk=self.pledge.pk), follow=True)
        self.assertContains(r, "resume it to log actions")
        self.client.post(self.url("resume", pk=self.pledge.pk))
        self.pledge.refresh_from_db()
        self.assertTrue(self.pledge.is_active)

    def test_renew_sets_a_new_target_date(self) -> None:
        r = self.client.post(
            self.url("renew", pk=self.pledge.pk),
            {"target_date": timezone.localdate().isoformat()},
        )
        self.assertContains(r, "Choose a new target date after today.")
        new = timezone.localdate() + timedelta(days=120)
        r = self.client.post(
            self.url("renew", pk=self.pledge.pk), {"target_date": new.isoformat()}
        )
        self.assertRedirects(r, self.pledge.get_absolute_url())
        self.pledge.refresh_from_db()
        self.assertEqual(self.pledge.target_date, new)

    def test_complete_asks_how_each_commitment_went(self) -> None:
        first, second = self.pledge.commitments.all()
        url = self.url("complete", pk=self.pledge.pk)
        r = self.client.get(url)
        self.assertContains(r, "Complete my pledge")
        r = self.client.post(
            url,
            {
                f"c{first.pk}-outcome": "kept",
                f"c{second.pk}-outcome": "not_managed",
                f"c{second.pk}-reflection": "",
            },
        )
        self.assertContains(r, "Write a few words on what got in the way")
        self.pledge.refresh_from_db()
        self.assertTrue(self.pledge.is_active)
        r = self.client.post(
            url,
            {
                f"c{first.pk}-outcome": "kept",
                f"c{second.pk}-outcome": "not_managed",
                f"c{second.pk}-reflection": "Changed roles.",
            },
        )
        self.assertRedirects(r, self.pledge.get_absolute_url())
        self.pledge.refresh_from_db()
        self.assertTrue(self.pledge.is_completed)
        self.assertEqual(
            list(self.pledge.commitments.values_list("outcome", "reflection")),
            [("kept", ""), ("not_managed", "Changed roles.")],
        )

    def test_ending_one_commitment(self) -> None:
        first = self.pledge.commitments.first()
        assert first is not None
        url = self.url("commitment_end", pk=first.pk)
        r = self.client.post(url, {"outcome": "not_managed"})
        self.assertContains(r, "Write a few words on what got in the way")
        r = self.client.post(url, {"outcome": "kept"})
        self.assertRedirects(r, self.pledge.get_absolute_url())
        first.refresh_from_db()
        self.assertEqual(first.outcome, "kept")

    def test_only_the_owner_can_change_the_pledge(self) -> None:
        self.client.force_login(self.bob)
        first = self.pledge.commitments.first()
        assert first is not None
        for url in (
            self.url("pause", pk=self.pledge.pk),
            self.url("resume", pk=self.pledge.pk),
            self.url("renew", pk=self.pledge.pk),
            self.url("complete", pk=self.pledge.pk),
            self.url("action_create", pk=self.pledge.pk),
            self.url("commitment_end", pk=first.pk),
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)
            self.assertEqual(
                self.client.post(url, {"outcome": "kept"}).status_code, 404, url
            )
        self.pledge.refresh_from_db()
        self.assertTrue(self.pledge.is_active)


class ActionViewTestCase(ViewTestCase):
    def setUp(self) -> None:
        self.pledge = make_pledge(
            self.alice,
            self.org,
            commitments=2,
            started_on=timezone.localdate() - timedelta(days=10),
        )
        self.client.force_login(self.alice)

    def post(self, **overrides: str) -> Any:
        commitment = self.pledge.commitments.first()
        assert commitment is not None
        data = {
            "commitment": str(commitment.pk),
            "occurred_on": timezone.localdate().isoformat(),
            "description": "Took the notes at the **all-hands**.",
            "visibility": Visibility.ORGANIZATION,
            "submission_key": str(uuid.uuid4()),
        }
        data.update(overrides)
        return self.client.post(self.url("action_create", pk=self.pledge.pk), data)

    def test_it_logs_an_action(self) -> None:
        r = self.post()
        action = Action.objects.get()
        self.assertRedirects(r, action.get_absolute_url())
        r = self.client.get(action.get_absolute_url())
        self.assertContains(r, "<strong>all-hands</strong>", html=False)
        self.assertContains(r, "Ask for confirmation")

    def test_it_refuses_bad_dates_and_empty_text(self) -> None:
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        before = (self.pledge.started_on - timedelta(days=1)).isoformat()
        self.assertContains(
            self.post(occurred_on=tomorrow), "can&#x27;t be in the future"
        )
        self.assertContains(self.post(occurred_on=before), "before the pledge started")
        self.assertContains(self.post(description="  "), "Describe what you did.")
        self.assertContains(
            self.post(description="x" * 5001), "Keep this under 5000 characters"
        )
        self.assertFalse(Action.objects.exists())

    def test_it_refuses_an_ended_commitment(self) -> None:
        first = self.pledge.commitments.first()
        assert first is not None
        first.end("kept")
        self.assertContains(
            self.post(commitment=str(first.pk)), "Choose one of the open commitments"
        )
        self.assertFalse(Action.objects.exists())

    def test_visibility_rules_the_detail_page(self) -> None:
        private = make_action(self.pledge, visibility=Visibility.PRIVATE)
        shared = make_action(self.pledge)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(private.get_absolute_url()).status_code, 404)
        r = self.client.get(shared.get_absolute_url())
        self.assertContains(r, "Self-reported")
        self.assertNotContains(r, "Ask for confirmation")

    def test_only_the_ally_sees_who_was_asked(self) -> None:
        action = make_action(
            self.pledge, confirmed_at=timezone.now(), confirmation_note="Thanks!"
        )
        make_request(
            action, email="zed@example.net", name="Zed Secret", status="confirmed"
        )
        r = self.client.get(action.get_absolute_url())
        self.assertContains(r, "Zed Secret confirmed it on")
        self.assertContains(r, "Thanks!")
        self.client.force_login(self.bob)
        r = self.client.get(action.get_absolute_url())
        self.assertContains(r, "Confirmed")
        self.assertNotContains(r, "Zed")
        self.assertNotContains(r, "Thanks!")
        r = self.client.get(self.pledge.get_absolute_url())
        self.assertNotContains(r, "Zed")


class ConfirmationRequestViewTestCase(ViewTestCase):
    def test_it_sends_a_request(self) -> None:
        action = make_action(make_pledge(self.alice, self.org))
        self.client.force_login(self.alice)
        url = self.url("confirmation_request", pk=action.pk)
        with self.captureOnCommitCallbacks(execute=True):
            r = self.client.post(
                url, {"recipient_email": "dana@example.net", "recipient_name": "Dana"}
            )
        self.assertRedirects(r, action.get_absolute_url())
        self.assertEqual(len(mail.outbox), 1)
        r = self.client.get(action.get_absolute_url())
        self.assertContains(r, "You asked Dana on")
        self.assertNotContains(r, self.url("confirmation_request", pk=action.pk))
        # One person, once.
        r = self.client.get(url, follow=True)
        self.assertContains(r, "already asked someone")

    def test_it_refuses_bad_addresses_and_own_address(self) -> None:
        action = make_action(make_pledge(self.alice, self.org))
        self.client.force_login(self.alice)
        url = self.url("confirmation_request", pk=action.pk)
        self.assertContains(
            self.client.post(url, {"recipient_email": ""}), "Enter the email address"
        )
        self.assertContains(
            self.client.post(url, {"recipient_email": "nope"}), "Enter a valid email"
        )
        self.assertContains(
            self.client.post(url, {"recipient_email": "Alice@Example.org"}),
            "you can&#x27;t confirm your own action",
        )
        self.assertFalse(ConfirmationRequest.objects.exists())

    @override_settings(CONFIRMATION_MAX_PENDING_PER_RECIPIENT=1)
    def test_caps_answer_429_with_a_message(self) -> None:
        pledge = make_pledge(self.alice, self.org)
        first, second = make_action(pledge), make_action(pledge)
        make_request(first)
        self.client.force_login(self.alice)
        r = self.client.post(
            self.url("confirmation_request", pk=second.pk),
            {"recipient_email": "dana@example.net"},
        )
        self.assertContains(
            r, "You already have 1 requests waiting with this person", status_code=429
        )
        self.assertEqual(ConfirmationRequest.objects.count(), 1)

    def test_someone_elses_action_is_404(self) -> None:
        action = make_action(make_pledge(self.bob, self.org))
        self.client.force_login(self.alice)
        url = self.url("confirmation_request", pk=action.pk)
        self.assertEqual(
            self.client.post(url, {"recipient_email": "x@example.net"}).status_code, 404
        )


class CatalogueViewTestCase(ViewTestCase):
    def test_members_see_the_active_catalogue(self) -> None:
        self.client.force_login(self.bob)
        r = self.client.get(self.url("catalogue"))
        self.assertContains(r, "Listen and learn")
        self.assertContains(r, "Pledge this")
        template = CommitmentTemplate.objects.for_organization(self.org).first()
        assert template is not None
        template.set_active(False)
        self.assertNotContains(self.client.get(self.url("catalogue")), template.title)

    def test_members_cannot_manage_it(self) -> None:
        CommitmentTemplate.objects.ensure_default_catalogue(self.org)
        template = CommitmentTemplate.objects.for_organization(self.org).first()
        assert template is not None
        self.client.force_login(self.bob)
        for url in (
            self.url("catalogue_admin"),
            self.url("catalogue_add"),
            self.url("catalogue_edit", pk=template.pk),
            self.url("catalogue_set_active", pk=template.pk),
            self.url("catalogue_delete", pk=template.pk),
        ):
            self.assertEqual(
                self.client.post(url, {"active": "0"}).status_code, 404, url
            )
        template.refresh_from_db()
        self.assertTrue(template.is_active)

    def test_admins_add_edit_deactivate_and_reactivate(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.get(self.url("catalogue_admin"))
        self.assertContains(r, "Add a commitment")
        data = {
            "category": Category.FAIR_DECISIONS,
            "title": "Publish pay bands",
            "description": "Share the pay band of every role I hire for.",
            "example": "Added the band to the job ad.",
            "position": "3",
        }
        r = self.client.post(self.url("catalogue_add"), data)
        self.assertRedirects(r, self.url("catalogue_admin"))
        template = CommitmentTemplate.objects.get(title="Publish pay bands")
        self.assertEqual(template.organization, self.org)
        # Titles are unique in an organization.
        r = self.client.post(
            self.url("catalogue_add"), {**data, "title": "publish PAY bands"}
        )
        self.assertContains(r, "already has a commitment with this title")
        r = self.client.post(
            self.url("catalogue_edit", pk=template.pk),
            {**data, "title": "Publish all pay bands"},
        )
        self.assertRedirects(r, self.url("catalogue_admin"))
        self.client.post(
            self.url("catalogue_set_active", pk=template.pk), {"active": "0"}
        )
        template.refresh_from_db()
        self.assertFalse(template.is_active)
        self.client.post(
            self.url("catalogue_set_active", pk=template.pk), {"active": "1"}
        )
        template.refresh_from_db()
        self.assertTrue(template.is_active)
        self.assertTrue(
            AuditEvent.objects.filter(
                action="pledges.catalogue_deactivated", actor=self.paula
            ).exists()
        )
        self.assertEqual(
            self.client.get(
                self.url("catalogue_set_active", pk=template.pk)
            ).status_code,
            405,
        )

    def test_a_used_entry_cannot_be_deleted(self) -> None:
        CommitmentTemplate.objects.ensure_default_catalogue(self.org)
        used, unused = CommitmentTemplate.objects.for_organization(self.org)[:2]
        pledge = make_pledge(self.alice, self.org)
        pledge.commitments.update(template=used)
        self.client.force_login(self.paula)
        r = self.client.post(self.url("catalogue_delete", pk=used.pk), follow=True)
        self.assertContains(r, "can&#x27;t be deleted")
        self.assertTrue(CommitmentTemplate.objects.filter(pk=used.pk).exists())
        r = self.client.get(self.url("catalogue_delete", pk=unused.pk))
        self.assertContains(r, "Yes, delete it")
        self.client.post(self.url("catalogue_delete", pk=unused.pk))
        self.assertFalse(CommitmentTemplate.objects.filter(pk=unused.pk).exists())

    def test_an_oversized_entry_is_refused(self) -> None:
        self.client.force_login(self.paula)
        r = self.client.post(
            self.url("catalogue_add"),
            {
                "category": Category.SPEAK_UP,
                "title": "T" * 141,
                "description": "d" * 1001,
                "position": "0",
            },
        )
        self.assertContains(r, "Keep this under 140 characters")
        self.assertContains(r, "Keep this under 1000 characters")
        self.assertFalse(
            CommitmentTemplate.objects.filter(title__startswith="TTT").exists()
        )


class CrossOrganizationTestCase(ViewTestCase):
    """Every organization page of this app answers 404 to outsiders, for GET and POST,
    whether they use the victim's organization slug or their own."""

    def test_every_org_url_is_404_for_outsiders(self) -> None:
        CommitmentTemplate.objects.ensure_default_catalogue(self.org)
        pledge = make_pledge(self.alice, self.org, visibility=Visibility.PUBLIC)
        action = make_action(pledge, visibility=Visibility.PUBLIC)
        commitment = pledge.commitments.get()
        template = CommitmentTemplate.objects.for_organization(self.org).first()
        assert template is not None
        pks = {
            "detail": pledge.pk, "pause": pledge.pk, "resume": pledge.pk, "renew": pledge.pk,
            "complete": pledge.pk, "action_create": pledge.pk, "commitment_end": commitment.pk,
            "action_detail": action.pk, "confirmation_request": action.pk,
            "catalogue_edit": template.pk, "catalogue_set_active": template.pk,
            "catalogue_delete": template.pk,
        }  # fmt: skip
        patterns = [p for p in pledge_urls.urlpatterns if isinstance(p, URLPattern)]
        org_patterns = [p for p in patterns if "<slug:org>" in str(p.pattern)]
        self.assertEqual(
            len(org_patterns), len(patterns) - 2
        )  # all but the public pages
        for outsider in (self.oscar, self.olga):
            self.client.force_login(outsider)
            for pattern in org_patterns:
                assert pattern.name is not None
                for slug in (self.org.slug, self.other_org.slug):
                    kwargs: dict[str, Any] = {"org": slug}
                    if "<int:pk>" in str(pattern.pattern):
                        kwargs["pk"] = pks[pattern.name]
                    elif slug == self.other_org.slug:
                        continue  # their own organization's list pages are theirs
                    url = reverse(f"pledges:{pattern.name}", kwargs=kwargs)
                    for method in ("get", "post"):
                        r = getattr(self.client, method)(
                            url, {"active": "0", "outcome": "kept"}
                        )
                        self.assertEqual(
                            r.status_code, 404, f"{outsider} {method} {url}"
                        )
        pledge.refresh_from_db()
        self.assertTrue(pledge.is_active)
        template.refresh_from_db()
        self.assertTrue(template.is_active)
        self.assertIn(
            "pledges",
            {
                p.namespace
                for p in get_resolver().url_patterns
                if hasattr(p, "namespace")
            },
        )

    def test_anonymous_visitors_are_sent_to_log_in(self) -> None:
        pledge = make_pledge(self.alice, self.org, visibility=Visibility.PUBLIC)
        r = self.client.get(pledge.get_absolute_url())
        self.assertEqual(r.status_code, 302)
        self.assertIn("/accounts/login/", r["Location"])


class XSSTestCase(ViewTestCase):
    def test_payloads_render_inert_everywhere(self) -> None:
        payload = "\n\n".join(XSS)
        pledge = make_pledge(
            self.alice, self.org, statement=payload, visibility=Visibility.PUBLIC
        )
        pledge.commitments.update(title=XSS[0], specifics=payload)
        action = make_action(pledge, description=payload, visibility=Visibility.PUBLIC)
        make_request(action, name=XSS[1])
        first = pledge.commitments.get()
        first.end("not_managed", payload)
        pages = [
            pledge.get_absolute_url(),
            action.get_absolute_url(),
            self.url("my_pledges"),
            self.url("list"),
        ]
        for viewer in (self.alice, self.bob):
            self.client.force_login(viewer)
            for path in pages:
                r = self.client.get(path)
                self.assertEqual(r.status_code, 200, path)
                assert_inert(self, r.content.decode())
        self.client.logout()
        # The public confirmation page shows the description too.
        other_action = make_action(make_pledge(self.bob, self.org), description=payload)
        other_action.commitment.pledge.commitments.update(title=XSS[2])
        _, token = make_request(other_action)
        r = self.client.get(f"/confirm/{token}/")
        self.assertEqual(r.status_code, 200)
        assert_inert(self, r.content.decode())


class DjangoAdminTestCase(ViewTestCase):
    def test_list_views_never_show_recipient_emails(self) -> None:
        from alongside.test import login_with_mfa, make_user

        staff = make_user("staff@example.org", is_staff=True, is_superuser=True)
        action = make_action(make_pledge(self.alice, self.org))
        request, _token = make_request(
            action, email="hidden.person@example.net", name="Hidden Person"
        )
        login_with_mfa(self.client, staff)  # the Django admin asks for a second factor
        for model in (
            "confirmationrequest",
            "action",
            "pledge",
            "recipientoptout",
            "commitmenttemplate",
        ):
            r = self.client.get(reverse(f"admin:pledges_{model}_changelist"))
            self.assertEqual(r.status_code, 200, model)
            self.assertNotContains(r, "hidden.person@example.net")
            self.assertNotContains(r, "Hidden Person")
        r = self.client.get(
            reverse("admin:pledges_confirmationrequest_changelist") + "?q=hidden"
        )
        self.assertNotContains(r, "hidden.person")
        r = self.client.get(
            reverse("admin:pledges_confirmationrequest_change", args=[request.pk])
        )
        self.assertEqual(r.status_code, 200)
