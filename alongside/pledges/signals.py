"""Signals other apps may listen to (recognition awards badges on them).

They are sent from pledges' services after the transaction commits, with `action`,
`commitment` or `pledge` as keyword arguments. The main flow never depends on them.
"""

from __future__ import annotations

from django.dispatch import Signal

action_logged = Signal()  # action=Action
action_confirmed = Signal()  # action=Action
commitment_ended = Signal()  # commitment=PledgeCommitment
