"""Campaign routes for the cross-organization sweep (alongside.tests.test_cross_organization).

The public pages live under /c/<slug:campaign>/ and take no `org` kwarg, so the sweep
does not walk them; their own tests check that drafts are 404 to the public.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from alongside.campaigns.models import Campaign

# "o/<slug:org>/campaigns/<int:pk>/..." -> a northwind campaign
SEGMENT_OBJECTS = {"campaigns": "campaign"}


def create_objects(case: Any) -> dict[str, int]:
    campaign = Campaign.objects.create(
        organization=case.org,
        slug="northwind-sweep-campaign",
        title="CANARY-N campaign",
        statement="CANARY-N statement",
        goal=100,
        starts_at=timezone.now() - timedelta(days=1),
        consent_text="I agree",
        privacy_notice="CANARY-N privacy",
        status=Campaign.Status.PUBLISHED,
    )
    return {"campaign": campaign.pk}
