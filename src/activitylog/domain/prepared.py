"""A validated entry as the row a store inserts: what `domain.validation` hands to storage.

Invariant: the row is in ROW_FIELDS order (storage's INSERT uses the same order) with metadata as its JSON
text; it is built once and never changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from activitylog.domain.entry import Actor, Entry

#: The columns of a stored entry, in the order of `Prepared.row` (storage's INSERT uses the same order).
ROW_FIELDS = (
    "workspace_id", "id", "type", "actor_type", "actor_id", "actor_name", "actor_email", "occurred_us",
    "recorded_us", "ip", "ip_key", "user_agent", "metadata", "request_id", "idempotency_key",
)  # fmt: skip


# Not frozen (a frozen dataclass sets each field through object.__setattr__, a cost paid for every recorded
# entry); never changed after `prepare` builds it.
@dataclass(slots=True)
class Prepared:
    """A validated entry as the row a store inserts (ROW_FIELDS order, metadata as JSON text).

    The row is built once, in `prepare`; the Entry is built from it only when someone asks (most batches are
    stored and answered with their ids alone, and this runs once per recorded entry).
    """

    row: tuple[Any, ...]
    metadata: dict[str, Any]

    @classmethod
    def of(cls, entry: Entry, metadata_json: str, ip_key: bytes | None) -> Prepared:
        actor = entry.actor
        row = (
            entry.workspace_id, entry.id, entry.type, actor.type, actor.id, actor.name, actor.email,
            entry.occurred_us, entry.recorded_us, entry.ip, ip_key, entry.user_agent, metadata_json,
            entry.request_id, entry.idempotency_key,
        )  # fmt: skip
        return cls(row, entry.metadata)

    @property
    def id(self) -> str:
        return str(self.row[1])

    @property
    def occurred_us(self) -> int:
        return int(self.row[7])

    @property
    def idempotency_key(self) -> str | None:
        key: str | None = self.row[14]
        return key

    @property
    def metadata_json(self) -> str:
        return str(self.row[12])

    @property
    def ip_key(self) -> bytes | None:
        key: bytes | None = self.row[10]
        return key

    @property
    def actor(self) -> Actor:
        row = self.row
        return Actor(row[3], row[4], row[5], row[6])

    @property
    def entry(self) -> Entry:
        row = self.row
        return Entry(
            row[1], row[0], row[2], self.actor, row[7], row[8], row[9], row[11], self.metadata, row[13], row[14]
        )
