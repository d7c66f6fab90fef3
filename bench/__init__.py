"""Benchmarks: scripts that start the real app on 127.0.0.1 and measure it (docs/performance.md)."""

from __future__ import annotations
