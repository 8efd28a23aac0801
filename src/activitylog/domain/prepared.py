"""A validated entry as the row a store inserts: what `ingest` hands to storage.

Invariants: the row is in ROW_FIELDS order (storage's INSERT uses the same order) with metadata as its JSON
text; it is built by `entry_row` alone (the fast and the general path both call it) and never changed. Its last
field, `via`, is the channel's stored text (`domain.channel`), the batch's, from the producer, never the event's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from activitylog.domain.entry import Actor, Entry

#: The columns of a stored entry, in the order of `Prepared.row` (storage's INSERT uses the same order).
ROW_FIELDS = (
    "workspace_id", "id", "type", "actor_type", "actor_id", "actor_name", "actor_email", "occurred_us",
    "recorded_us", "ip", "ip_key", "user_agent", "metadata", "request_id", "idempotency_key", "via",
)  # fmt: skip
_AT = {name: index for index, name in enumerate(ROW_FIELDS)}
_ID, _OCCURRED, _METADATA, _IP_KEY = _AT["id"], _AT["occurred_us"], _AT["metadata"], _AT["ip_key"]
_KEY = _AT["idempotency_key"]
_ACTOR = slice(_AT["actor_type"], _AT["actor_email"] + 1)


def entry_row(
    workspace_id: str,
    entry_id: str,
    activity_type: str,
    actor_type: str,
    actor_id: str | None,
    actor_name: str | None,
    actor_email: str | None,
    occurred_us: int,
    recorded_us: int,
    ip: str | None,
    ip_key: bytes | None,
    user_agent: str | None,
    metadata_json: str,
    request_id: str | None,
    idempotency_key: str | None,
    via: str | None,
) -> tuple[Any, ...]:
    """The one place a write row is made: its parameters name the columns, in ROW_FIELDS order."""
    return (
        workspace_id, entry_id, activity_type, actor_type, actor_id, actor_name, actor_email, occurred_us,
        recorded_us, ip, ip_key, user_agent, metadata_json, request_id, idempotency_key, via,
    )  # fmt: skip


# Not frozen (a frozen dataclass sets each field through object.__setattr__, a cost paid for every recorded
# entry); never changed after `ingest` builds it.
@dataclass(slots=True)
class Prepared:
    """A validated entry as the row a store inserts (ROW_FIELDS order, metadata as JSON text).

    The row is built once, by `entry_row`; the Entry is built from it only when someone asks (most batches are
    stored and answered with their ids alone, and this runs once per recorded entry).
    """

    row: tuple[Any, ...]
    metadata: dict[str, Any]

    @classmethod
    def of(cls, entry: Entry, metadata_json: str, ip_key: bytes | None) -> Prepared:
        actor = entry.actor
        row = entry_row(
            entry.workspace_id, entry.id, entry.type, actor.type, actor.id, actor.name, actor.email,
            entry.occurred_us, entry.recorded_us, entry.ip, ip_key, entry.user_agent, metadata_json,
            entry.request_id, entry.idempotency_key, entry.via,
        )  # fmt: skip
        return cls(row, entry.metadata)

    @property
    def id(self) -> str:
        return str(self.row[_ID])

    @property
    def occurred_us(self) -> int:
        return int(self.row[_OCCURRED])

    @property
    def idempotency_key(self) -> str | None:
        key: str | None = self.row[_KEY]
        return key

    @property
    def metadata_json(self) -> str:
        return str(self.row[_METADATA])

    @property
    def ip_key(self) -> bytes | None:
        key: bytes | None = self.row[_IP_KEY]
        return key

    @property
    def actor(self) -> Actor:
        return Actor(*self.row[_ACTOR])

    @property
    def entry(self) -> Entry:
        row = dict(zip(ROW_FIELDS, self.row, strict=True))
        return Entry(
            id=row["id"], workspace_id=row["workspace_id"], type=row["type"], actor=self.actor,
            occurred_us=row["occurred_us"], recorded_us=row["recorded_us"], ip=row["ip"],
            user_agent=row["user_agent"], metadata_raw=self.metadata, request_id=row["request_id"],
            idempotency_key=row["idempotency_key"], via=row["via"],
        )  # fmt: skip
