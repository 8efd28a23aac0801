"""The canonical form "al1" and chain step as revision 0003 wrote them (a frozen copy of
`activitylog.integrity.canonical` at that revision, without its caches and fast encoders).

Never edit this module: revision 0003 backfills chain hashes with it. `tests/storage/test_frozen_canonical.py`
shows it agrees with the live form today; should the live form change, it does so with a new migration.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

VERSION = "al1"


def _dumps(value: Any, sort_keys: bool) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys, allow_nan=False)


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    if isinstance(value, float):
        if value == 0:
            return 0.0
        if abs(value) >= 1e16:
            return int(Decimal(repr(value)))
    return value


def metadata_from_value(value: Any) -> str:
    try:
        text: str | None = _dumps(value, True)
    except TypeError:  # keys that are not all strings: as JSON would have them
        value = json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
        text = None
    if text is None or "e+" in text or "-0.0" in text:
        text = _dumps(_normalise(value), True)
    return text


def metadata_from_text(text: str) -> str:
    return metadata_from_value(json.loads(text))


def fields_of(
    workspace_id: str,
    entry_id: str,
    type_: str,
    actor_type: str | None,
    actor_id: str | None,
    actor_name: str | None,
    actor_email: str | None,
    occurred_us: int,
    recorded_us: int,
    ip: str | None,
    user_agent: str | None,
    request_id: str | None,
    idempotency_key: str | None,
) -> tuple[Any, ...]:
    return (
        workspace_id, type_, actor_type, actor_id, actor_name, actor_email, ip, user_agent, entry_id, occurred_us,
        recorded_us, request_id, idempotency_key,
    )  # fmt: skip


def content_text(fields: Sequence[Any], metadata: str) -> str:
    head = _dumps([VERSION, *fields], False)
    return f"{head[:-1]},{metadata}]"


def content_hash(fields: Sequence[Any], metadata: str) -> bytes:
    return hashlib.sha256(content_text(fields, metadata).encode()).digest()


def link(occurred_us: int, content: bytes) -> bytes:
    return occurred_us.to_bytes(8, "big", signed=True) + content


def step(previous: bytes, link_bytes: bytes) -> bytes:
    return hashlib.sha256(previous + link_bytes).digest()


def genesis(workspace_id: str) -> bytes:
    return hashlib.sha256(f"activitylog-chain-v1\n{workspace_id}".encode()).digest()
