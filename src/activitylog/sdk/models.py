"""What the SDK answers: plain frozen dataclasses parsed from the API's JSON (see /openapi.json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class Actor:
    type: Literal["teammate", "api_token", "system"]
    id: str | None = None
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Channel:
    """How an entry arrived: `kind` is "console", "api", "cli", "system" or "scim" (or a kind a newer server
    adds, kept as it is); for a token's kinds, the token's id, current name and whether it is revoked."""

    kind: str
    token_id: str | None = None
    token_name: str | None = None
    token_revoked: bool | None = None

    @classmethod
    def from_json(cls, data: Any) -> Channel | None:
        """None for null (an entry recorded before channels, or a server that does not send them) or for
        anything that is not a channel's shape: a client must keep reading whatever the server says here."""
        if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
            return None
        token = data.get("token")
        if not isinstance(token, dict):
            return cls(data["kind"])
        token_id, name, revoked = token.get("id"), token.get("name"), token.get("revoked")
        return cls(
            data["kind"],
            token_id if isinstance(token_id, str) else None,
            name if isinstance(name, str) else None,
            revoked if isinstance(revoked, bool) else None,
        )


@dataclass(frozen=True, slots=True)
class Event:
    """One log entry as the API returns it, with its rendered sentence."""

    id: str
    type: str
    label: str
    category: str
    sentence: str
    actor: Actor
    occurred_at: datetime
    recorded_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    request_id: str | None = None
    idempotency_key: str | None = None
    #: How it arrived; None for entries recorded before channels were kept (and from older servers).
    via: Channel | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        actor = data.get("actor") or {}
        return cls(
            id=data["id"],
            type=data["type"],
            label=data.get("label", data["type"]),
            category=data.get("category", ""),
            sentence=data.get("sentence", ""),
            actor=Actor(actor.get("type", "system"), actor.get("id"), actor.get("name"), actor.get("email")),
            occurred_at=_time(data["occurred_at"]),
            recorded_at=_time(data["recorded_at"]),
            ip=data.get("ip"),
            user_agent=data.get("user_agent"),
            metadata=data.get("metadata") or {},
            request_id=data.get("request_id"),
            idempotency_key=data.get("idempotency_key"),
            via=Channel.from_json(data.get("via")),
        )


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[Event]
    next_cursor: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EventPage:
        return cls([Event.from_json(item) for item in data["data"]], data.get("next_cursor"))


@dataclass(frozen=True, slots=True)
class RecordedItem:
    index: int
    id: str
    status: Literal["created", "duplicate"]


@dataclass(frozen=True, slots=True)
class RecordResult:
    """Every item of a `record_many`, in order: its entry id, and whether this call created it."""

    items: list[RecordedItem]

    @property
    def ids(self) -> list[str]:
        return [item.id for item in self.items]

    @property
    def created(self) -> int:
        return sum(item.status == "created" for item in self.items)

    @property
    def duplicates(self) -> int:
        return sum(item.status == "duplicate" for item in self.items)


@dataclass(frozen=True, slots=True)
class Teammate:
    id: str
    name: str
    email: str | None
    role: str | None
    status: str
    #: "member" (a teammate of the console) or "actor" (known only from recorded events).
    kind: str = "member"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Teammate:
        # Fields a newer server adds are ignored, so this client keeps reading it.
        return cls(data["id"], data["name"], data.get("email"), data.get("role"), data["status"],
                   data.get("kind", "member"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class ActivityType:
    code: str
    label: str
    category: str
    template: str
    metadata_schema: dict[str, Any]
    example: dict[str, Any]
