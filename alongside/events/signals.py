"""Signals other apps may listen to (recognition re-evaluates badges on them).

Sent with `send_robust` after the recording transaction commits: a failing receiver is
logged and never breaks a check-in.
"""

from __future__ import annotations

from django.dispatch import Signal

# A member's attendance was recorded (by code or on the facilitator's list).
# kwargs: attendance (events.models.Attendance, with .event loaded)
attendance_recorded = Signal()
