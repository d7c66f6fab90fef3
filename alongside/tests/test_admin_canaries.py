"""The Django admin shows a superuser exactly what docs/privacy.md allows, on every page.

A canary value goes into every sensitive field (who was asked to confirm an action and
what they wrote, opt-out digests, gender and private profile texts, a pseudonym, its
sealed owner and its post, a notification about it, a concern and its notes, a
payroll file, a second factor's secret). Then, as a superuser, every registered
model's changelist, searches for each canary, filters on each sensitive field, add
page, change, history and delete confirmation of every object, and the "delete
selected" confirmation are fetched: no canary may appear, no search or filter may find
the object by a canary, and nothing answers 500.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from alongside.concerns.models import Concern, ConcernNote
from alongside.dialogue.models import Post, Pseudonym, Space, Thread
from alongside.equity.models import PayrollUpload
from alongside.notifications.models import Notification
from alongside.pledges.models import ConfirmationRequest, RecipientOptOut
from alongside.pledges.tests.helpers import make_action, make_pledge, make_request
from alongside.test import BaseTestCase, login_with_mfa, make_user

# Fields whose values no admin changelist may be filtered by.
SENSITIVE_FIELDS = (
    "recipient_email",
    "recipient_name",
    "recipient_digest",
    "token_digest",
    "reminder_token_digest",
    "confirmation_note",
    "email_digest",
    "gender",
    "pronouns",
    "bio",
    "why_ally",
    "data",
)


class AdminCanaryTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.superuser = make_user(
            "root@example.org",
            display_name="Sam Superuser",
            is_staff=True,
            is_superuser=True,
        )
        ally = self.alice
        ally.gender = "canarygender"
        ally.gender_visibility = "private"
        ally.pronouns = "canarypronouns"
        ally.pronouns_visibility = "private"
        ally.bio = "Canary-bio: only I may see this."
        ally.bio_visibility = "private"
        ally.why_ally = "Canary-why: only I may see this."
        ally.why_ally_visibility = "private"
        ally.save()
        # Confirmation: who was asked, their name, their note.
        action = make_action(make_pledge(ally, self.org))
        request, _token = make_request(
            action,
            email="canary.recipient@example.net",
            name="Canaryrecipient Person",
            status=ConfirmationRequest.Status.CONFIRMED,
        )
        action.confirmed_at = timezone.now()
        action.confirmation_note = "Canary-note: only Alice may read this."
        action.save()
        opt_out = RecipientOptOut.objects.create(email_digest="c" * 64)
        # A pseudonym, its sealed owner, its post, and the notification about it.
        space = Space.objects.create(
            organization=self.org,
            name="Safe space",
            guidelines="Be kind.",
            is_safe=True,
        )
        thread = Thread.objects.create(space=space, title="Canary-thread-title")
        pseudonym = Pseudonym.objects.create(
            space=space,
            handle="Canaryhandle",
            owner_digest="d" * 64,
            owner_sealed="Canary-sealed-owner",
        )
        Post.objects.create(
            thread=thread, pseudonym=pseudonym, body="Canary-pseudonymous-post body"
        )
        Notification.objects.create(
            user=ally,
            organization=self.org,
            kind=Notification.Kind.ORGANIZATION,
            message="Canary-notification: a moderator approved your post",
            url=f"/o/{self.org.slug}/spaces/canary/",
        )
        # A concern he raised, and its notes.
        concern = Concern.objects.create(
            organization=self.org,
            reporter=ally,
            subject_name="Canarysubject Person",
            description="Canary-concern: what happened.",
            contact_email="canary.contact@example.net",
        )
        ConcernNote.objects.create(
            concern=concern, author=self.paula, text="Canary-concern-note"
        )
        PayrollUpload.objects.create(
            organization=self.org,
            uploaded_by=self.paula,
            original_name="canary-payroll.csv",
            mapping={"gender": {"Canarymapping": "female"}},
        )
        Authenticator.objects.create(
            user=ally, type=Authenticator.Type.TOTP, data={"secret": "CANARYTOTPSECRET"}
        )
        self.canaries = [
            "canary.recipient@example.net",
            "Canaryrecipient",
            request.recipient_digest,
            request.token_digest,
            "Canary-note",
            opt_out.email_digest,
            "canarygender",
            "canarypronouns",
            "Canary-bio",
            "Canary-why",
            "Canaryhandle",
            "Canary-sealed-owner",
            pseudonym.owner_digest or "",
            "Canary-pseudonymous-post",
            "Canary-thread-title",
            "Canary-notification",
            "Canarysubject",
            "Canary-concern",
            "canary.contact@example.net",
            concern.reference,
            "canary-payroll",
            "Canarymapping",
            "CANARYTOTPSECRET",
        ]
        self.sensitive_values: dict[str, str] = {
            "recipient_email": request.recipient_email,
            "recipient_name": request.recipient_name,
            "recipient_digest": request.recipient_digest,
            "token_digest": request.token_digest,
            "confirmation_note": action.confirmation_note,
            "email_digest": opt_out.email_digest,
            "gender": ally.gender,
            "pronouns": ally.pronouns,
            "bio": ally.bio,
            "why_ally": ally.why_ally,
            "data__secret": "CANARYTOTPSECRET",
        }
        self.client = Client()
        login_with_mfa(self.client, self.superuser)
        self.leaks: list[str] = []
        self.errors: list[str] = []
        self.oracles: list[str] = []
        self.fetched = 0
        self.maxDiff = None

    def check(self, path: str, response: Any, echoed: str = "") -> None:
        """Record server errors and canaries in the page, except `echoed`: the value
        a search or filter was asked for, which the page repeats back."""
        self.fetched += 1
        if response.status_code >= 500:
            self.errors.append(f"{path} [{response.status_code}]")
        body = response.content.decode("utf-8", "replace").lower()
        if echoed:
            body = body.replace(echoed.lower(), "")
        for canary in self.canaries:
            if canary and canary.lower() in body:
                self.leaks.append(f"{path}: {canary}")

    def get(self, path: str, echoed: str = "") -> Any:
        response = self.client.get(path)
        self.check(path, response, echoed)
        return response

    def result_count(self, response: Any) -> int | None:
        context = getattr(response, "context", None)
        if response.status_code != 200 or context is None or "cl" not in context:
            return None
        count: int = context["cl"].result_count
        return count

    def crawl_model(self, model: type[Model], model_admin: Any) -> None:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = reverse(f"{name}_changelist")
        self.get(changelist)
        request = RequestFactory().get(changelist)
        request.user = self.superuser
        searchable = bool(model_admin.get_search_fields(request))
        for canary in self.canaries:
            if not canary:
                continue
            path = f"{changelist}?q={canary}"
            response = self.get(path, echoed=canary)
            if searchable and self.result_count(response):
                self.oracles.append(f"search {path}")
        field_names = {f.name for f in opts.get_fields()}
        for lookup, value in self.sensitive_values.items():
            if lookup.split("__")[0] not in field_names:
                continue
            path = f"{changelist}?{lookup}={value}"
            if self.result_count(self.get(path, echoed=value)):
                self.oracles.append(f"filter {path}")
        self.get(reverse(f"{name}_add"))
        pks = list(model._default_manager.values_list("pk", flat=True))
        for pk in pks:
            for view in ("change", "history", "delete"):
                self.get(reverse(f"{name}_{view}", args=[pk]))
        if pks:
            response = self.client.post(
                changelist,
                {"action": "delete_selected", "_selected_action": pks},
            )
            self.check(f"POST {changelist} delete_selected", response)
            self.assertEqual(model._default_manager.count(), len(pks), "deleted!")

    def test_no_admin_page_shows_a_canary(self) -> None:
        # Refused lookups answer 400 and log it; the log is not what is tested here.
        for name in ("django.request", "django.security.DisallowedModelAdminLookup"):
            logger = logging.getLogger(name)
            self.addCleanup(setattr, logger, "disabled", logger.disabled)
            logger.disabled = True
        self.get(reverse("admin:index"))
        models = list(admin.site._registry)
        for app_label in {m._meta.app_label for m in models}:
            self.get(reverse("admin:app_list", args=[app_label]))
        for model, model_admin in admin.site._registry.items():
            self.crawl_model(model, model_admin)
        self.assertGreater(self.fetched, 200)
        self.assertEqual(self.errors, [], "server errors")
        self.assertEqual(self.leaks, [], "canaries shown")
        self.assertEqual(self.oracles, [], "searches or filters that find a canary")

    def test_the_canaries_are_in_the_database(self) -> None:
        """The crawl would pass on an empty database: make sure it isn't one."""
        self.assertTrue(
            ConfirmationRequest.objects.filter(
                recipient_email="canary.recipient@example.net"
            ).exists()
        )
        self.assertTrue(Pseudonym.objects.filter(handle="Canaryhandle").exists())
        self.assertTrue(admin.site.is_registered(ConfirmationRequest))
        # The superuser does see what the admin is for: accounts' addresses.
        response = self.client.get(reverse("admin:accounts_user_changelist"))
        self.assertContains(response, "alice@example.org")
