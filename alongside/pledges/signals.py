"""Signals other apps may listen to (recognition awards badges on them).

They are sent from pledges' services after the transaction commits, with the model
class as sender and `action` or `commitment` as a keyword argument. A failing receiver
is logged and never breaks the ally's request: the main flow never depends on them.
"""

from __future__ import annotations

from django.dispatch import Signal

action_logged = Signal()  # sender=Action, action=Action
action_confirmed = Signal()  # sender=Action, action=Action
commitment_ended = Signal()  # sender=PledgeCommitment, commitment=PledgeCommitment
