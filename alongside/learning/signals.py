"""Signals other apps may listen to (recognition evaluates badges on them).

The learning app imports nothing from recognition: the dependency goes the other way.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after the transaction that completed a course commits, with keyword arguments
# organization_id and member_id.
course_completed = Signal()
