"""audit_record keeps the client's address, read as the rate limits read it."""

from __future__ import annotations

from django.test import RequestFactory, override_settings

from alongside.audit.models import AuditEvent
from alongside.audit.services import audit_record
from alongside.organizations.models import Membership, Role
from alongside.test import BaseTestCase


class AuditAddressTestCase(BaseTestCase):
    def record(self, **meta: str) -> AuditEvent:
        request = RequestFactory().get("/", **meta)  # type: ignore[arg-type]
        return audit_record(action="test.thing", request=request)

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_the_proxy_it_is_the_client_not_the_proxy(self) -> None:
        event = self.record(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
        self.assertEqual(event.ip, "203.0.113.7")
        # What the client put further left is not trusted.
        event = self.record(
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.7",
        )
        self.assertEqual(event.ip, "203.0.113.7")
        # No header: the proxy's own address is all there is.
        self.assertEqual(self.record(REMOTE_ADDR="10.0.0.2").ip, "10.0.0.2")

    @override_settings(TRUSTED_PROXY_COUNT=0)
    def test_without_a_proxy_a_forged_header_is_ignored(self) -> None:
        event = self.record(REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="1.2.3.4")
        self.assertEqual(event.ip, "198.51.100.4")

    def test_no_request_no_address(self) -> None:
        self.assertIsNone(audit_record(action="test.thing").ip)

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_a_page_behind_the_proxy_records_the_client(self) -> None:
        self.client.force_login(self.paula)
        bob = Membership.objects.get(organization=self.org, user=self.bob)
        self.client.post(
            f"/o/northwind/admin/members/{bob.pk}/role/",
            {"role": Role.MENTOR},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.8",
        )
        event = AuditEvent.objects.get(action="membership.role_changed")
        self.assertEqual(event.ip, "203.0.113.8")
