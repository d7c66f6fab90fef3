"""Circles follow the organization: whoever leaves it leaves its circles too.

A decoupled concern (organizations does not know about circles), so a signal. The work
runs after the commit, when the departure is final; an organization deleted as a whole
takes its circles with it, so nothing is left to do then.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from alongside.organizations.models import Membership, Organization


def organization_membership_deleted(
    sender: type[Membership], instance: Membership, **kwargs: Any
) -> None:
    user_id, organization_id = instance.user_id, instance.organization_id
    transaction.on_commit(lambda: _leave_circles(user_id, organization_id))


def _leave_circles(user_id: int, organization_id: int) -> None:
    from alongside.accounts.models import User
    from alongside.circles.services import circles_leave_organization

    user = User.objects.filter(pk=user_id).first()
    organization = Organization.objects.filter(pk=organization_id).first()
    if user is None or organization is None:
        return  # erased (privacy.py cleaned up first) or the organization is gone
    if organization.has_member(user):
        return  # he is back already
    circles_leave_organization(user=user, organization=organization)
