from __future__ import annotations

from django.test import RequestFactory, SimpleTestCase, override_settings

from alongside.lib.http import client_ip


class ClientIpTestCase(SimpleTestCase):
    def _request(self, forwarded: str | None = None):
        headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
        return RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", headers=headers)

    @override_settings(TRUSTED_PROXY_COUNT=0)
    def test_without_a_proxy_it_ignores_forwarded_headers(self) -> None:
        self.assertEqual(client_ip(self._request("198.51.100.7")), "10.0.0.1")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_one_proxy_it_takes_the_last_hop(self) -> None:
        # The client may send its own X-Forwarded-For; only our proxy's entry counts.
        r = self._request("6.6.6.6, 198.51.100.7")
        self.assertEqual(client_ip(r), "198.51.100.7")

    @override_settings(TRUSTED_PROXY_COUNT=2)
    def test_behind_two_proxies_it_counts_from_the_right(self) -> None:
        r = self._request("6.6.6.6, 198.51.100.7, 10.0.0.5")
        self.assertEqual(client_ip(r), "198.51.100.7")

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_it_falls_back_on_a_missing_or_malformed_header(self) -> None:
        self.assertEqual(client_ip(self._request()), "10.0.0.1")
        self.assertEqual(client_ip(self._request("not-an-ip")), "10.0.0.1")
