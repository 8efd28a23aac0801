"""One log entry and who performed it.

Invariants: an entry is immutable once stored; its actor's name and email are copies taken when the action
happened, so the entry stays readable after the teammate is renamed or deleted; times are UTC microseconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from activitylog.catalog import REGISTRY, Segment, render, render_segments
from activitylog.domain.channel import TokenNames, channel_json
from activitylog.timeutil import iso

ActorType = Literal["teammate", "api_token", "system"]


class Actor(NamedTuple):
    """Who performed an action. A named tuple: immutable, and cheap to build for every row a page reads."""

    type: ActorType
    id: str | None = None
    name: str | None = None
    email: str | None = None

    @property
    def display_name(self) -> str:
        if self.type == "system":
            return self.name or "The system"
        if self.type == "api_token":
            # A token named "API token" (the old CLI default) is not "API token API token".
            return f"API token {self.name}" if self.name and self.name.lower() != "api token" else "An API token"
        return self.name or self.email or f"Teammate {self.id}"

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "id": self.id, "name": self.name, "email": self.email}


SYSTEM = Actor(type="system")


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made building the entries
# of a page cost more than the query that read them. Entries are never changed after they are built.
@dataclass(slots=True)
class Entry:
    id: str
    workspace_id: str
    type: str
    actor: Actor
    occurred_us: int
    recorded_us: int
    ip: str | None = None
    user_agent: str | None = None
    # The metadata, or its JSON text as stored: parsed on first use, so listing entries costs no JSON parsing
    # for those whose metadata nobody reads.
    metadata_raw: dict[str, Any] | str = field(default="{}", repr=False)
    request_id: str | None = None
    idempotency_key: str | None = None
    #: How it arrived: the channel's stored text (`domain.channel`); None for entries recorded before channels.
    via: str | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        value = self.metadata_raw
        if isinstance(value, str):
            value = json.loads(value)
            self.metadata_raw = value  # a cache of the same value, not a change
        return value

    @property
    def label(self) -> str:
        activity_type = REGISTRY.get(self.type)
        return activity_type.label if activity_type else self.type.replace("_", " ").capitalize()

    @property
    def category(self) -> str:
        activity_type = REGISTRY.get(self.type)
        return activity_type.category if activity_type else "Other"

    def sentence(self) -> str:
        return render(REGISTRY.get(self.type), self.type, self.actor.display_name, self.metadata)

    def sentence_segments(self) -> list[Segment]:
        return render_segments(REGISTRY.get(self.type), self.type, self.actor.display_name, self.metadata)

    def as_dict(self, token_names: TokenNames | None = None) -> dict[str, Any]:
        """The native API's representation; `token_names` name the token of an API channel (its id alone
        without them)."""
        return {
            "id": self.id,
            "type": self.type,
            "label": self.label,
            "category": self.category,
            "sentence": self.sentence(),
            "actor": self.actor.as_dict(),
            "occurred_at": iso(self.occurred_us),
            "recorded_at": iso(self.recorded_us),
            "ip": self.ip,
            "user_agent": self.user_agent,
            "metadata": self.metadata,
            "request_id": self.request_id,
            "idempotency_key": self.idempotency_key,
            "via": channel_json(self.via, token_names or {}),
        }
