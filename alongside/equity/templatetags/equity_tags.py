from __future__ import annotations

from django import template

from alongside.equity.models import AnalystGrant
from alongside.organizations.models import Membership

register = template.Library()


@register.simple_tag
def is_hr_analyst(membership: Membership) -> bool:
    """Whether the member holds the HR analyst role in the membership's organization."""
    return AnalystGrant.holds(membership.organization, membership.user)
