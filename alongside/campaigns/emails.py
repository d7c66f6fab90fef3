"""Signers' addresses are normalized by alongside.lib.emailaddr, shared with pledges."""

from __future__ import annotations

from alongside.lib.emailaddr import CONFUSABLES, _check_label_letters, normalize_email

__all__ = ["CONFUSABLES", "_check_label_letters", "normalize_email"]
