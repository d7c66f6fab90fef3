"""Issue 14, small cells: the campaign dashboard over time, and the per-person export.

The checks below read only what a program admin sees (the cells shown, "hidden", and
the breakdown's total), never the stored snapshots, so they hold whatever the
dashboard does inside.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core import mail
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from alongside.campaigns import stats
from alongside.campaigns.models import Campaign, Gender, Signature
from alongside.campaigns.tests.helpers import link_in, make_campaign, sign_data
from alongside.campaigns.tests.test_admin_views import add_signatures
from alongside.lib.tokens import token_digest
from alongside.organizations.models import Organization
from alongside.test import BaseTestCase, make_organization

KEYS = tuple(choice.value for choice in Gender)


@dataclass(frozen=True)
class View:
    """One published breakdown as the admin sees it."""

    shown: dict[str, int]
    hidden: frozenset[str]
    total: int

    @classmethod
    def of(cls, breakdown: stats.GenderBreakdown) -> View:
        shown, hidden = {}, set()
        for key, cell in zip(KEYS, breakdown.cells, strict=True):
            if cell.count is None:
                hidden.add(key)
            else:
                shown[key] = cell.count
        return cls(shown=shown, hidden=frozenset(hidden), total=breakdown.total)

    def pool(self) -> int:
        return self.total - sum(self.shown.values())

    def sum_of(self, group: frozenset[str]) -> int:
        """What this view tells about `group`, a union of its parts."""
        value = sum(n for key, n in self.shown.items() if key in group)
        if self.hidden and self.hidden <= group:
            value += self.pool()
        return value


def groups_both_tell(a: View, b: View) -> list[frozenset[str]]:
    """The unions of categories whose size both views tell (written apart from stats)."""
    parts: list[set[str]] = [{key} for key in KEYS]
    for view in (a, b):
        if view.hidden:
            merged = {key for part in parts if part & view.hidden for key in part}
            parts = [part for part in parts if not part & view.hidden] + [merged]
    return [frozenset(part) for part in parts]


def isolations(a: View, b: View, k: int) -> list[str]:
    """Every group, other than all signers, that changed by fewer than k people."""
    found = []
    for group in groups_both_tell(a, b):
        if len(group) == len(KEYS):
            continue  # the total, public on the campaign page anyway
        change = b.sum_of(group) - a.sum_of(group)
        if abs(change) < k:
            found.append(f"{sorted(group)} changed by {change}")
    return found


def static_problems(view: View, k: int) -> list[str]:
    problems = [f"{key} shows {n} < {k}" for key, n in view.shown.items() if n < k]
    if view.hidden and len(view.hidden) < len(KEYS):
        if len(view.hidden) < 2:
            problems.append("a single hidden cell is the total less the others")
        if view.pool() < k:
            problems.append(f"the hidden cells add up to {view.pool()} < {k}")
    return problems


def assert_no_isolation(
    testcase: Any, views: list[View], k: int, history: list[str]
) -> None:
    for view in views:
        testcase.assertEqual(static_problems(view, k), [], history)
    distinct = list({repr(view): view for view in views}.values())
    for i, a in enumerate(distinct):
        for b in distinct[i + 1 :]:
            testcase.assertEqual(isolations(a, b, k), [], (a, b, history))


# A campaign timeline: signatures confirmed with a gender (or none), withdrawals of
# earlier ones (by position), and dashboard reads.
EVENT = st.one_of(
    st.tuples(st.just("confirm"), st.sampled_from((*KEYS, ""))),
    st.tuples(st.just("withdraw"), st.integers(min_value=0, max_value=10_000)),
    st.tuples(st.just("read"), st.just("")),
)


def _signature(campaign: Campaign, gender: str) -> Signature:
    key = uuid.uuid4().hex
    now = timezone.now()
    return Signature.objects.create(
        campaign=campaign,
        normalized_email=f"{key}@example.net",
        gender=gender,
        confirmed_at=now,
        confirm_token_digest=token_digest(f"c{key}"),
        withdraw_token_digest=token_digest(f"w{key}"),
        confirm_expires_at=now + timedelta(days=7),
    )


class DashboardOverTimeProperty(HypothesisTestCase):
    """Between any two breakdowns the dashboard published, every group it tells
    changed by 0 people only if it is the total, else by at least k."""

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        k=st.integers(min_value=3, max_value=6),
        start=st.dictionaries(
            st.sampled_from(KEYS), st.integers(min_value=0, max_value=30)
        ),
        events=st.lists(EVENT, min_size=1, max_size=60),
    )
    def test_no_published_change_isolates_fewer_than_k(
        self, k: int, start: dict[str, int], events: list[tuple[str, Any]]
    ) -> None:
        campaign = make_campaign(make_organization(min_group_size=k))
        for key, n in start.items():
            for _ in range(n):
                _signature(campaign, key)
        views = [View.of(stats.gender_breakdown(campaign))]
        history: list[str] = [f"start {start}"]
        for kind, value in events:
            if kind == "confirm":
                _signature(campaign, value)
            elif kind == "withdraw":
                ids = list(
                    Signature.objects.for_campaign(campaign)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
                if ids:
                    Signature.objects.filter(pk=ids[value % len(ids)]).delete()
            history.append(f"{kind} {value}")
            views.append(View.of(stats.gender_breakdown(campaign)))
        assert_no_isolation(self, views, k, history)


class PublishableProperty(HypothesisTestCase):
    """The same invariant on the rule alone, over many more timelines."""

    @settings(max_examples=300, deadline=None)
    @given(
        k=st.integers(min_value=3, max_value=8),
        start=st.fixed_dictionaries(
            {key: st.integers(min_value=0, max_value=40) for key in KEYS}
        ),
        steps=st.lists(
            st.tuples(
                st.sampled_from(KEYS),
                st.integers(min_value=-3, max_value=6),
                st.booleans(),
            ),
            max_size=120,
        ),
    )
    def test_the_rule_never_publishes_a_small_change(
        self,
        k: int,
        start: dict[str, int],
        steps: list[tuple[str, int, bool]],
    ) -> None:
        counts = dict(start)
        published: list[tuple[dict[str, int], frozenset[str]]] = []
        views: list[View] = []

        def read() -> None:
            if stats.publishable(counts, k, published):
                published.append((dict(counts), stats.hidden_for(counts, k)))
            if published:
                latest, hidden = published[-1]
                cells, total = stats._gender_cells(latest, hidden, k)
                views.append(
                    View.of(
                        stats.GenderBreakdown(
                            cells=cells,
                            total=total,
                            k=k,
                            suppressed=False,
                            men_percent=None,
                        )
                    )
                )

        read()
        for key, change, then_read in steps:
            counts[key] = max(0, counts[key] + change)
            if then_read:
                read()
        assert_no_isolation(self, views, k, [repr(start), repr(steps)])


class DashboardBatchesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.campaign = make_campaign(self.org, slug="stand", title="Stand")
        self.client.force_login(self.paula)
        self.ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.9"

    def dashboard(self) -> str:
        return self.client.get(
            reverse(
                "campaigns:dashboard",
                kwargs={"org": "northwind", "pk": self.campaign.pk},
            )
        ).content.decode()

    def sign_and_confirm(self, email: str, **extra: str) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("campaigns:sign", kwargs={"campaign": self.campaign.slug}),
                sign_data(email, **extra),
                REMOTE_ADDR=self.ip,
            )
        self.client.post(link_in(mail.outbox[-1].body, "confirm"))

    def test_one_signature_does_not_move_the_women_count(self) -> None:
        add_signatures(self.campaign, man=60, woman=73, undisclosed=10)
        self.assertIn("<td>73</td>", self.dashboard())
        self.sign_and_confirm("newest@example.net", first_name="Zelda", gender="woman")
        wall = self.client.get(
            reverse("campaigns:wall", kwargs={"campaign": self.campaign.slug})
        ).content.decode()
        self.assertIn("Zelda", wall)
        html = self.dashboard()
        self.assertIn("<td>73</td>", html)
        self.assertNotIn("<td>74</td>", html)
        self.assertIn("Newer signatures are added in batches", html)
        self.assertIn("Figures for 143 confirmed signatures.", html)
        self.assertIn("Published on ", html)

    def test_a_batch_of_k_of_each_kind_shown_is_published(self) -> None:
        add_signatures(self.campaign, man=60, woman=73, undisclosed=10)
        self.dashboard()
        for i in range(5):
            self.sign_and_confirm(f"w{i}@example.net", gender="woman")
            self.sign_and_confirm(f"m{i}@example.net", gender="man")
        # Men and women have grown by 5 each, but the hidden pool (another and didn't
        # say) not at all: that would tell that none of the ten is in it.
        self.assertIn("<td>73</td>", self.dashboard())
        for i in range(5):
            self.sign_and_confirm(f"u{i}@example.net", gender="undisclosed")
        html = self.dashboard()
        self.assertIn("<td>78</td>", html)
        self.assertIn("<td>65</td>", html)
        self.assertNotIn("Newer signatures are added in batches", html)

    def test_one_withdrawal_does_not_move_a_cell(self) -> None:
        add_signatures(self.campaign, man=60, woman=73, undisclosed=10)
        self.dashboard()
        Signature.objects.filter(gender="woman").first().delete()  # type: ignore[union-attr]
        self.assertIn("<td>73</td>", self.dashboard())

    def test_small_cells_stay_hidden_in_a_snapshot_after_k_is_raised(self) -> None:
        add_signatures(self.campaign, man=60, woman=6, another=5, undisclosed=10)
        self.assertIn("<td>6</td>", self.dashboard())
        Organization.objects.filter(pk=self.org.pk).update(min_group_size=8)
        html = self.dashboard()
        self.assertNotIn("<td>6</td>", html)
        self.assertNotIn("<td>5</td>", html)
        self.assertIn("<td>60</td>", html)


class ExportTestCase(BaseTestCase):
    def test_the_per_person_export_carries_no_gender(self) -> None:
        campaign = make_campaign(self.org)
        add_signatures(campaign, man=2, woman=2, another=1, undisclosed=1)
        self.client.force_login(self.paula)
        response = self.client.get(
            reverse("campaigns:export", kwargs={"org": "northwind", "pk": campaign.pk})
        )
        body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
        rows = list(csv.reader(io.StringIO(body)))
        self.assertNotIn("gender", rows[0])
        self.assertEqual(len(rows), 7)
        for row in rows[1:]:
            for value in ("man", "woman", "another", "undisclosed"):
                self.assertNotIn(value, row)
