"""Simultaneous uses of one invitation link admit one person (PostgreSQL only: SQLite
serializes writers, so it cannot show the race)."""

from __future__ import annotations

import threading
import unittest

from django.db import connection
from django.test import TransactionTestCase

from alongside.organizations import services
from alongside.organizations.models import Invitation, Membership, Role
from alongside.test import make_member, make_organization, make_user

THREADS = 20


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL only")
class ConcurrentInvitationTestCase(TransactionTestCase):
    def test_one_link_used_at_once_by_many_admits_one(self) -> None:
        org = make_organization(slug="race")
        admin = make_member(org, Role.PROGRAM_ADMIN)
        invitation = Invitation(
            organization=org, email="x@example.net", invited_by=admin
        )
        token = invitation.issue_token()
        invitation.save()
        users = [make_user() for _ in range(THREADS)]
        barrier = threading.Barrier(THREADS)
        outcomes: list[str] = []
        lock = threading.Lock()

        def accept(i: int) -> None:
            try:
                barrier.wait()
                services.invitation_accept(token=token, user=users[i])
                outcome = "joined"
            except services.InvitationUnavailable:
                outcome = "refused"
            except BaseException as e:  # reported by the assertion below
                outcome = f"error: {e!r}"
            finally:
                connection.close()
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=accept, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertEqual(sorted(outcomes), ["joined"] + ["refused"] * (THREADS - 1))
        self.assertEqual(
            Membership.objects.filter(organization=org).exclude(user=admin).count(), 1
        )
