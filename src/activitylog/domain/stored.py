"""An entry as a store reads it back: a plain tuple in READ_FIELDS order, what `SELECT {ENTRY_COLUMNS}` answers.

Rows stay tuples (the CSV export streams a million of them, and a NamedTuple per row costs); their positions
are named here, once, so no reader counts columns. Metadata is its JSON text on both backends.
"""

from __future__ import annotations

from typing import Any, Final

from activitylog.domain.entry import Actor, Entry

READ_FIELDS: Final = (
    "id", "type", "actor_type", "actor_id", "actor_name", "actor_email", "occurred_us", "recorded_us", "ip",
    "user_agent", "metadata", "request_id", "idempotency_key", "via",
)  # fmt: skip
_AT = {name: index for index, name in enumerate(READ_FIELDS)}
ID: Final = _AT["id"]
TYPE: Final = _AT["type"]
ACTOR_TYPE: Final = _AT["actor_type"]
ACTOR_ID: Final = _AT["actor_id"]
ACTOR_NAME: Final = _AT["actor_name"]
ACTOR_EMAIL: Final = _AT["actor_email"]
OCCURRED_US: Final = _AT["occurred_us"]
RECORDED_US: Final = _AT["recorded_us"]
IP: Final = _AT["ip"]
USER_AGENT: Final = _AT["user_agent"]
METADATA: Final = _AT["metadata"]
REQUEST_ID: Final = _AT["request_id"]
IDEMPOTENCY_KEY: Final = _AT["idempotency_key"]
VIA: Final = _AT["via"]  # the channel's stored text (domain.channel); NULL for entries recorded before channels
_ACTOR = slice(ACTOR_TYPE, ACTOR_EMAIL + 1)


def entry_of(workspace_id: str, row: tuple[Any, ...] | list[Any]) -> Entry:
    """The Entry a stored row holds (metadata parsed on first use): this runs for every entry of every page."""
    return Entry(
        row[ID], workspace_id, row[TYPE], Actor(*row[_ACTOR]), row[OCCURRED_US], row[RECORDED_US], row[IP],
        row[USER_AGENT], row[METADATA], row[REQUEST_ID], row[IDEMPOTENCY_KEY], row[VIA],
    )  # fmt: skip


def row_of(entry: Entry, metadata_json: str) -> tuple[Any, ...]:
    """An Entry as a stored row, for exporting entries already in memory (a page, a test)."""
    actor = entry.actor
    values = {
        "id": entry.id, "type": entry.type, "actor_type": actor.type, "actor_id": actor.id,
        "actor_name": actor.name, "actor_email": actor.email, "occurred_us": entry.occurred_us,
        "recorded_us": entry.recorded_us, "ip": entry.ip, "user_agent": entry.user_agent,
        "metadata": metadata_json, "request_id": entry.request_id, "idempotency_key": entry.idempotency_key,
        "via": entry.via,
    }  # fmt: skip
    return tuple(values[name] for name in READ_FIELDS)
