"""Moderation: the posting gates, flags and auto-hide, the moderators' acts, sanctions,
appeals, trust levels by hand and the 48-hour queue alert, one module per concept:

- `gates`: what posting decides (sanctions and locks refuse, trust and the screen hold);
- `flags`: members' flags and the auto-hide;
- `acts`: hide, restore, approve, reject, remove, lock, trust by hand;
- `sanctions`: warnings, suspensions, bans, lifting them;
- `appeals`: appeals and their decisions;
- `alerts`: the 48-hour queue alert;
- `authors`, `moderators`, `common`: who wrote a post, who moderates, and what every
  act shares (its audit row, the news to the author, stored dates).

Every moderator's act writes an audit row (`dialogue.mod_*`), whose data names the
space, the post and its author as shown in the thread: a pseudonym's handle, never the
member behind it. Reporters are never in the audit data, in what the reported member
sees, or in his data export. Anything that needs the member behind a pseudonym
(telling him, checking his sanctions) goes through `alongside.dialogue.safespace`.

Callers use `from alongside.dialogue import moderation` and `moderation.<name>`: the
names below are the package's public interface.
"""

from __future__ import annotations

from alongside.dialogue.moderation.acts import (
    approve,
    hide,
    lock_set,
    reject,
    remove,
    restore,
    trust_set,
)
from alongside.dialogue.moderation.alerts import (
    SLA,
    Waiting,
    send_alerts,
    waiting_items,
)
from alongside.dialogue.moderation.appeals import (
    acted_by,
    appeal_decide,
    appeal_file,
    appeal_space,
    can_decide,
)
from alongside.dialogue.moderation.authors import (
    author_label,
    is_author,
    owner_of,
    pseudonym_of,
)
from alongside.dialogue.moderation.common import (
    ModerationRefused,
    appeal_post_url,
    audit_key,
    moderated_now,
    sanction_url,
)
from alongside.dialogue.moderation.flags import flag_post, flag_score
from alongside.dialogue.moderation.gates import (
    Gate,
    Sanctioned,
    ThreadLocked,
    active_sanction,
    check_edit,
    check_not_sanctioned,
    check_thread_open,
    credit_published,
    gate_post,
    held_message,
    sanction_end,
    sanction_message,
)
from alongside.dialogue.moderation.moderators import (
    can_moderate,
    membership_of,
    moderates_anything,
    moderators_of,
)
from alongside.dialogue.moderation.sanctions import (
    SUSPENSION_DAYS,
    can_act_on_sanction,
    lift,
    sanction,
    sanction_for_member,
    sanction_is_active,
    sanction_scope,
)

__all__ = [
    "Gate",
    "ModerationRefused",
    "SLA",
    "SUSPENSION_DAYS",
    "Sanctioned",
    "ThreadLocked",
    "Waiting",
    "acted_by",
    "active_sanction",
    "appeal_decide",
    "appeal_file",
    "appeal_post_url",
    "appeal_space",
    "approve",
    "audit_key",
    "author_label",
    "can_act_on_sanction",
    "can_decide",
    "can_moderate",
    "check_edit",
    "check_not_sanctioned",
    "check_thread_open",
    "credit_published",
    "flag_post",
    "flag_score",
    "gate_post",
    "held_message",
    "hide",
    "is_author",
    "lift",
    "lock_set",
    "membership_of",
    "moderated_now",
    "moderates_anything",
    "moderators_of",
    "owner_of",
    "pseudonym_of",
    "reject",
    "remove",
    "restore",
    "sanction",
    "sanction_end",
    "sanction_for_member",
    "sanction_is_active",
    "sanction_message",
    "sanction_scope",
    "sanction_url",
    "send_alerts",
    "trust_set",
    "waiting_items",
]
