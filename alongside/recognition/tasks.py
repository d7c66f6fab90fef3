from __future__ import annotations

from django.tasks import task

from alongside.accounts.models import User
from alongside.organizations.models import Organization
from alongside.recognition.services import badges_evaluate


@task()
def evaluate_badges(*, organization_id: int, member_id: int) -> int:
    """Award the badges a member now qualifies for; return how many were new."""
    organization = Organization.objects.filter(pk=organization_id).first()
    member = User.objects.filter(pk=member_id).first()
    if organization is None or member is None:
        return 0  # deleted (or erased) since the task was queued
    return len(badges_evaluate(organization=organization, member=member))
