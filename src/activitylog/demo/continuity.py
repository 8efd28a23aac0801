"""Keep the year's story straight: what was switched on is next switched off, a paused campaign is next made
live, a teammate set to away next comes back, an assignment limit changes from the value it was last set to.

Builders draw each entry on its own; this pass, run once over all entries in time order, chains the values of
the same thing (the same setting, campaign, or teammate) so consecutive entries agree with each other.

Invariant: it only changes values to others the type's schema allows (booleans stay booleans, states stay
states), in place, deterministically.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from activitylog.demo.scene import Draft

SWITCHES = ("enabled", "live", "away_mode")
PER_ACTOR = frozenset({"admin_away_mode_change", "admin_occupancy_state_change", "admin_two_factor_auth_change"})
_OUTBOUND = {"draft": "live", "live": "paused", "paused": "live"}
_OCCUPANCY = {"idle": "occupied", "occupied": "idle"}
# code -> (what the state belongs to, the field before, the field after, the state that follows each state)
STATES: dict[str, tuple[str | None, str, str, dict[str, str]]] = {
    "campaign_state_change": ("campaign", "before", "after", _OUTBOUND),
    "message_state_change": ("message", "before", "after", _OUTBOUND),
    "series_status_change": ("series", "before", "after", _OUTBOUND),
    "admin_occupancy_state_change": (None, "previous_state", "new_state", _OCCUPANCY),
}
NUMBERS = {"admin_assignment_limit_change": "admin"}
_SUBJECTS = ("admin", "ruleset", "schedule", "campaign", "message", "series")


def _key(draft: Draft) -> Hashable:
    """The thing an entry changes: the type, and the teammate, ruleset... it is about (or who acts)."""
    metadata = draft.metadata
    subject = next((metadata[name] for name in _SUBJECTS if isinstance(metadata.get(name), dict)), None)
    actor = getattr(draft.actor, "id", None) if draft.code in PER_ACTOR else None
    return draft.code, subject.get("id") if subject else None, actor


def make_continuous(drafts: list[Draft]) -> None:
    """Chain the values of `drafts` (oldest first), in place."""
    last: dict[Hashable, Any] = {}
    for draft in drafts:
        metadata = draft.metadata
        key = _key(draft)
        for field in SWITCHES:
            if isinstance(metadata.get(field), bool):
                if key in last:
                    metadata[field] = not last[key]
                last[key] = metadata[field]
        if draft.code == "admin_away_mode_change" and not metadata["away_mode"]:
            metadata["away_status_reason"] = None
            metadata["reassign_conversations"] = False
        if draft.code in STATES:
            _, before, after, following = STATES[draft.code]
            if key in last and last[key] in following:
                metadata[before] = last[key]
                metadata[after] = following[last[key]]
            last[key] = metadata[after]
        if draft.code in NUMBERS:
            if key in last:
                change = metadata["after"] - metadata["before"] or 5
                if not 5 <= last[key] + change <= 30:  # limits stay within what a team lead would set
                    change = -change
                metadata["before"] = last[key]
                metadata["after"] = last[key] + change
            last[key] = metadata["after"]
