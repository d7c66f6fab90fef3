"""The signing request's writes, as the load test and production run them (the
database task backend): the rate-limit hit, the signature and its email task, in one
statement on PostgreSQL (pgsign) and in one transaction on SQLite. The same tests run
on both; each path must write what the plain ORM would.
"""

from __future__ import annotations

import threading
import uuid
from base64 import urlsafe_b64encode
from typing import Any

from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.forms import BaseForm
from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tasks_db.models import DBTaskResult

from alongside.campaigns import pgsign, public_cache, ratelimit, services, visitor_csrf
from alongside.campaigns.fastinsert import PreparedTask
from alongside.campaigns.forms import SignatureForm
from alongside.campaigns.models import Campaign, Signature, SignRateLimit
from alongside.campaigns.stats import pending_count
from alongside.campaigns.tasks import send_signature_email
from alongside.campaigns.tests.helpers import make_campaign, sign_data
from alongside.lib import emailaddr
from alongside.test import BaseTestCase, make_organization

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The columns a task row gets whatever the moment and the id.
_TASK_COLUMNS = [
    f.attname
    for f in DBTaskResult._meta.concrete_fields
    if f.attname not in {"id", "enqueued_at"}
]


def task_row(task: DBTaskResult[Any, Any]) -> dict[str, Any]:
    return {name: getattr(task, name) for name in _TASK_COLUMNS}


@override_settings(TASKS=DB_TASKS, CAMPAIGN_PUBLIC_CACHE_SECONDS=600)
class SigningWritesTestCase(BaseTestCase):
    def setUp(self) -> None:
        public_cache.invalidate_all()
        self.campaign = make_campaign(
            self.org, ask_name=True, ask_country=True, ask_gender=True
        )
        self.ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.3"
        self.client.get(self.url("public"))

    def url(self, name: str) -> str:
        return reverse(f"campaigns:{name}", kwargs={"campaign": self.campaign.slug})

    def post(self, email: str, **extra: str) -> Any:
        return self.client.post(
            self.url("sign"), sign_data(email, **extra), REMOTE_ADDR=self.ip
        )

    def test_a_signature_its_hit_and_its_task_are_what_the_orm_would_write(
        self,
    ) -> None:
        response = self.post("Writes@Example.net")
        self.assertContains(response, 'data-signing="received"')
        signature = Signature.objects.get()
        self.assertEqual(signature.normalized_email, "writes@example.net")
        self.assertEqual(
            (signature.first_name, signature.country, signature.gender),
            ("Sam", "GB", "man"),
        )
        self.assertTrue(signature.show_name)
        self.assertEqual(SignRateLimit.objects.count(), 1)
        written = DBTaskResult.objects.get()
        self.assertEqual(
            written.args_kwargs, {"args": [signature.pk, "en"], "kwargs": {}}
        )
        # The same task through django.tasks' own enqueue(), in the ORM.
        send_signature_email.enqueue(signature.pk, "en")
        by_orm = DBTaskResult.objects.exclude(pk=written.pk).get()
        self.assertEqual(task_row(written), task_row(by_orm))
        self.assertEqual(type(written.id), type(by_orm.id))  # a UUID on both engines
        self.assertLess(
            abs((written.enqueued_at - by_orm.enqueued_at).total_seconds()), 5
        )

    def test_postgresql_writes_the_three_rows_in_one_statement(self) -> None:
        draft = services.signature_draft(campaign=self.campaign, email="a@example.net")
        self.assertEqual(pgsign.usable(draft), connection.vendor == "postgresql")

    def test_a_refused_hit_writes_nothing(self) -> None:
        with override_settings(CAMPAIGN_SIGN_RATE_LIMIT=2):
            self.assertEqual(self.post("r1@example.net").status_code, 200)
            self.assertEqual(self.post("r2@example.net").status_code, 200)
            hits = SignRateLimit.objects.get().hits
            response = self.post("r3@example.net")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(
            sorted(Signature.objects.values_list("normalized_email", flat=True)),
            ["r1@example.net", "r2@example.net"],
        )
        self.assertEqual(DBTaskResult.objects.count(), 2)
        self.assertEqual(SignRateLimit.objects.get().hits, hits)  # not recorded

    def test_a_repeat_stores_nothing_new_and_answers_the_same(self) -> None:
        first = self.post("again@example.net")
        second = self.post("Again@Example.net")
        self.assertEqual(second.status_code, 200)
        self.assertEqual(
            first.content.split(b"<main")[-1].split(b"</main>")[0],
            second.content.split(b"<main")[-1].split(b"</main>")[0],
        )
        self.assertEqual(Signature.objects.count(), 1)
        self.assertEqual(
            DBTaskResult.objects.count(), 1
        )  # re-sent at most every 10 min
        self.assertEqual(len(SignRateLimit.objects.get().hits), 2 * ratelimit.SLOT)

    def test_a_campaign_closed_in_another_process_takes_nothing(self) -> None:
        self.post("open@example.net")  # this process now holds an open copy
        Campaign.objects.filter(pk=self.campaign.pk).update(
            status=Campaign.Status.CLOSED
        )
        response = self.post("late@example.net")
        self.assertEqual(response.status_code, 410)
        self.assertFalse(Signature.objects.filter(normalized_email="late@example.net"))
        self.assertEqual(DBTaskResult.objects.count(), 1)

    def test_honeypot_and_invalid_submissions_count_against_the_limit(self) -> None:
        with override_settings(CAMPAIGN_SIGN_RATE_LIMIT=2):
            self.post("bot@example.net", website="http://spam.example")
            self.assertEqual(self.post("not-an-address").status_code, 400)
            self.assertEqual(self.post("real@example.net").status_code, 429)
        self.assertFalse(Signature.objects.exists())
        self.assertFalse(DBTaskResult.objects.exists())

    def test_an_extra_signal_receiver_gets_the_faithful_path(self) -> None:
        seen: list[str] = []

        def receiver(
            sender: Any, instance: DBTaskResult[Any, Any], **kwargs: Any
        ) -> None:
            seen.append(instance.task_path)

        post_save.connect(receiver, sender=DBTaskResult, dispatch_uid="test-faithful")
        try:
            task = PreparedTask(send_signature_email)
            self.assertFalse(task.direct)
            self.assertContains(self.post("signal@example.net"), "Check your inbox")
        finally:
            post_save.disconnect(dispatch_uid="test-faithful", sender=DBTaskResult)
        self.assertEqual(seen, ["alongside.campaigns.tasks.send_signature_email"])
        signature = Signature.objects.get()
        self.assertEqual(
            DBTaskResult.objects.get().args_kwargs,
            {"args": [signature.pk, "en"], "kwargs": {}},
        )
        self.assertTrue(PreparedTask(send_signature_email).direct)
        self.assertEqual(
            pre_save._live_receivers(DBTaskResult)[0][0].__name__, "set_run_after"
        )


class RateLimitTestCase(BaseTestCase):
    def test_never_more_than_the_limit_in_any_window(self) -> None:
        t = 1_800_000_000.0
        hits = [0, 1, 2, 3, 9.5, 10, 10.5, 11, 12, 12.5, 20, 21]
        allowed = [ratelimit.hit("client", limit=3, window=10, now=t + s) for s in hits]
        self.assertEqual(
            allowed,
            [
                True,
                True,
                True,
                False,
                False,
                True,
                False,
                True,
                True,
                False,
                True,
                True,
            ],
        )
        times = [s for s, ok in zip(hits, allowed, strict=True) if ok]
        for start in times:  # a sliding window: no 10 s holds more than 3
            self.assertLessEqual(
                sum(start <= s < start + 10 for s in times), 3, (start, times)
            )

    def test_an_address_seen_once_stores_one_time_and_keys_hold_no_address(
        self,
    ) -> None:
        self.assertTrue(ratelimit.hit("10.1.2.3", limit=30, window=600))
        row = SignRateLimit.objects.get()
        self.assertEqual(len(row.hits), ratelimit.SLOT)
        self.assertNotIn("10.1.2.3", str(row.client))
        # Another limit is another ring.
        self.assertTrue(ratelimit.hit("10.1.2.3", limit=5, window=600))
        self.assertEqual(SignRateLimit.objects.count(), 2)
        self.assertFalse(ratelimit.hit("10.1.2.3", limit=0, window=600))

    def test_purging_deletes_only_expired_rows(self) -> None:
        t = 1_800_000_000.0
        ratelimit.hit("old", limit=3, window=10, now=t)
        ratelimit.hit("new", limit=3, window=10, now=t + 5)
        self.assertEqual(ratelimit.purge_expired(now=t + 12), 1)
        self.assertEqual(ratelimit.purge_expired(now=t + 12, batch=10), 0)
        self.assertEqual(ratelimit.purge_expired(now=t + 16, batch=10), 1)
        self.assertFalse(SignRateLimit.objects.exists())

    def test_a_partial_purge_deletes_expired_rows_of_its_part_only(self) -> None:
        t = 1_800_000_000.0
        for n in range(40):
            ratelimit.hit(f"client-{n}", limit=3, window=10, now=t)
        rows = list(SignRateLimit.objects.values_list("client", flat=True))
        part = rows[0].int * ratelimit.PARTS >> 128
        in_part = [c for c in rows if c.int * ratelimit.PARTS >> 128 == part]
        self.assertEqual(
            ratelimit.purge_expired(now=t + 20, batch=100, part=part), len(in_part)
        )
        self.assertEqual(SignRateLimit.objects.count(), 40 - len(in_part))
        # The whole key space, part by part, is everything.
        for other in range(ratelimit.PARTS):
            ratelimit.purge_expired(now=t + 20, batch=100, part=other)
        self.assertFalse(SignRateLimit.objects.exists())


class SimultaneousHitsTestCase(TransactionTestCase):
    def test_simultaneous_hits_never_pass_the_limit(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SQLite serializes writers: no race to show")
        results: list[bool] = []
        lock = threading.Lock()
        gate = threading.Barrier(20)

        def hit() -> None:
            from django.db import connection as own

            gate.wait()
            allowed = ratelimit.hit("crowd", limit=5, window=600)
            with lock:
                results.append(allowed)
            own.close()

        threads = [threading.Thread(target=hit) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(results.count(True), 5)


class _DjangoCleaning(SignatureForm):
    """The signing form with Django's own `_clean_fields` (through BoundFields)."""

    def _clean_fields(self) -> None:
        BaseForm._clean_fields(self)  # type: ignore[attr-defined]


class CheaperStepsTestCase(BaseTestCase):
    """The shortcuts of the signing path give what the long way gives."""

    def test_the_fast_csrf_mask_is_a_valid_fresh_token(self) -> None:
        secret = "abcdefghijklmnopqrstuvwxyzABCDEF"
        tokens = {visitor_csrf.masked_csrf_token(secret) for _ in range(50)}
        self.assertEqual(len(tokens), 50)
        for token in tokens:
            self.assertEqual(len(token), 64)
            self.assertTrue(token.isalnum() and token.isascii())
            self.assertEqual(_unmask_cipher_token(token), secret)

    def test_the_answer_carries_a_token_the_csrf_check_accepts(self) -> None:
        campaign = make_campaign(self.org)
        client = self.client_class(enforce_csrf_checks=True)
        page = client.get(
            reverse("campaigns:public", kwargs={"campaign": campaign.slug})
        )
        token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1][
            :64
        ]
        sign = reverse("campaigns:sign", kwargs={"campaign": campaign.slug})
        response = client.post(
            sign, {**sign_data("csrf@example.net"), "csrfmiddlewaretoken": token}
        )
        self.assertContains(response, 'data-signing="received"')
        answer = response.content.decode().split('"X-CSRFToken": "')[1][:64]
        self.assertNotEqual(answer, token)
        again = client.post(
            sign, {**sign_data("csrf2@example.net"), "csrfmiddlewaretoken": answer}
        )
        self.assertContains(again, 'data-signing="received"')

    def test_ascii_labels_need_no_look_alike_check(self) -> None:
        printable = "".join(chr(c) for c in range(0x21, 0x7F))
        for label in (printable, printable.lower(), "xn--", "a1-b_c+d"):
            emailaddr._check_label_letters(label, where="test")  # raises nothing
        self.assertTrue(all(not c.isascii() for c in emailaddr.CONFUSABLES))

    def test_link_tokens_are_the_salted_hmac_of_before(self) -> None:
        sent = timezone.now()
        for secret in (None, "x" * 50):
            mac = salted_hmac(
                services.LINK_SALT,
                f"confirm:7:a@b.org:{services._microseconds(sent)}",
                secret=secret,
                algorithm="sha256",
            ).digest()
            expected = urlsafe_b64encode(mac).rstrip(b"=").decode()
            token = services.link_token(
                "confirm",
                campaign_id=7,
                normalized_email="a@b.org",
                sent_at=sent,
                secret=secret,
            )
            self.assertEqual(token, expected)

    def test_the_form_validates_as_django_does(self) -> None:
        from django import forms

        campaign = make_campaign(self.org, ask_gender=True)
        self.assertFalse(
            any(
                field.disabled or isinstance(field, forms.FileField)
                for field in SignatureForm.base_fields.values()
            )
        )
        samples = [
            sign_data("ok@example.net"),
            sign_data("", first_name="", country="XX", gender="robot", consent=""),
            sign_data("pаypal@example.net", first_name="x" * 61),
            {},
        ]
        for data in samples:
            ours = SignatureForm(data, campaign=campaign)
            django = _DjangoCleaning(data, campaign=campaign)
            self.assertEqual(ours.is_valid(), django.is_valid())
            self.assertEqual(ours.errors, django.errors)
            self.assertEqual(ours.cleaned_data, django.cleaned_data)

    def test_pending_is_all_less_confirmed(self) -> None:
        campaign = make_campaign(make_organization(slug="pending-org"))
        for n in range(3):
            services.signature_create(campaign=campaign, email=f"p{n}@example.net")
        Signature.objects.filter(normalized_email="p0@example.net").update(
            confirmed_at=timezone.now()
        )
        self.assertEqual(pending_count(campaign), 2)
