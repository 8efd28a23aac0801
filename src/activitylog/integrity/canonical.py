"""The canonical bytes of an entry and the chain step.

Invariants:
- an entry's content hash covers every stored field: workspace, id, type, the actor's type, id, name and
  email, both times, IP, user agent, metadata, request id and idempotency key (the IP key is derived from the
  IP, and verification recomputes it instead: see `derived`);
- the canonical text is a JSON array, so no two different entries have the same bytes:
  `["al1", workspace, type, actor_type, actor_id, actor_name, actor_email, ip, user_agent, id, occurred_us,
  recorded_us, request_id, idempotency_key, metadata]`, compact, UTF-8, non-ASCII as is (the fields that
  repeat from entry to entry come first, so recording writes their text once per distinct combination);
- metadata is canonicalised as a value, so the same entry hashes the same whether it is read from SQLite (the
  JSON text as recorded), from PostgreSQL (JSONB: keys reordered, numbers rewritten) or from the API's JSON:
  object keys sorted, compact, and a number written the way both round trips agree on (an integral float of
  magnitude 1e16 or more as the integer its shortest repr denotes, since JSONB writes it without exponent;
  negative zero as 0.0, which JSONB has no other way to write);
- the channel (how the entry arrived, `domain.channel`; the `via` column) joins the hash as a 16th element
  after metadata, and only when the entry has one: `[..., metadata, via]`. Entries recorded before channels
  existed hold NULL there and keep the 15 elements they were hashed with, so every old entry keeps its hash and
  still verifies (no rehashing, no new frozen form: revision 0007 only adds the column). Decided so because a
  channel is evidence ("this came through token X, not the console"): outside the hash, anyone with a SQL
  client could move an API-made entry onto the console unnoticed. The two lengths cannot collide: a
  15-element array and a 16-element one are different texts, and the channel is a JSON string after an object;
- a link is the entry's occurred-at (8 bytes, big-endian, signed) followed by its content hash: a purged
  entry leaves its link behind (a tombstone) without its content, and its time shows it was due to go;
- chain hash: `c[n] = SHA-256(c[n-1] || link[n])`, `c[0] = SHA-256("activitylog-chain-v1\n" || workspace)`.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

VERSION = "al1"
_sha256 = hashlib.sha256

# The standard library's C encoder, made once (as in domain.metadata): compact, UTF-8 as is, keys sorted.
_make_c_encoder = getattr(json.encoder, "c_make_encoder", None)


def _python_encoder(sort_keys: bool) -> Callable[[Any, int], Sequence[str]]:
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys, allow_nan=False)
    return lambda value, _level: [encoder.encode(value)]


def _raise_type_error(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def _c_encoder(sort_keys: bool) -> Callable[[Any, int], Sequence[str]]:
    if _make_c_encoder is None:  # pragma: no cover - CPython always has it
        return _python_encoder(sort_keys)
    encoder: Callable[[Any, int], Sequence[str]] = _make_c_encoder(
        None, _raise_type_error, json.encoder.encode_basestring, None, ":", ",", sort_keys, False, False
    )
    return encoder


_SORTED = _c_encoder(True)
_PLAIN = _c_encoder(False)
_string = json.encoder.encode_basestring

# Canonical metadata by its JSON text: logs repeat themselves, and canonicalising costs more than a lookup.
_CANONICAL: dict[str, str] = {}
_CANONICAL_MAX = 50_000
_CACHEABLE = 512


def _normalise(value: Any) -> Any:
    """The value with every float written as both backends agree (see the module docstring)."""
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
    """Canonical metadata text of a JSON value (a dict as recorded, or as parsed from any JSON text)."""
    try:
        text = "".join(_SORTED(value, 0))
    except TypeError:  # keys that are not all strings (JSON makes them strings): as JSON would have them
        value = json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))
        text = None
    # Exponents ("1e+16") and negative zero are the only numbers the backends write differently; a string
    # holding the same characters merely takes the slower, exact path.
    if text is None or "e+" in text or "-0.0" in text:
        text = "".join(_SORTED(_normalise(value), 0))
    return text


def metadata_from_text(text: str) -> str:
    """Canonical metadata text of stored JSON text (SQLite's as recorded, PostgreSQL's JSONB rendering)."""
    found = _CANONICAL.get(text)
    if found is not None:
        return found
    canonical = metadata_from_value(json.loads(text))
    if len(text) <= _CACHEABLE:
        if len(_CANONICAL) >= _CANONICAL_MAX:
            _CANONICAL.clear()
        _CANONICAL[text] = canonical
    return canonical


def content_text(fields: Sequence[Any], metadata: str, via: str | None = None) -> str:
    """The canonical text of an entry: `fields` are the 13 values before metadata in canonical order (see the
    module docstring, without "al1"; `fields_of` puts them in it), `metadata` its canonical text, `via` its
    channel's stored text (none for entries recorded before channels: their text is as it always was)."""
    head = "".join(_PLAIN([VERSION, *fields], 0))
    return f"{head[:-1]},{metadata}]" if via is None else f"{head[:-1]},{metadata},{_string(via)}]"


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
    """An entry's fields, given in the order storage keeps them, in canonical order."""
    return (
        workspace_id, type_, actor_type, actor_id, actor_name, actor_email, ip, user_agent, entry_id, occurred_us,
        recorded_us, request_id, idempotency_key,
    )  # fmt: skip


def content_hash(fields: Sequence[Any], metadata: str, via: str | None = None) -> bytes:
    return _sha256(content_text(fields, metadata, via).encode()).digest()


def link(occurred_us: int, content: bytes) -> bytes:
    return occurred_us.to_bytes(8, "big", signed=True) + content


def step(previous: bytes, link_bytes: bytes) -> bytes:
    return _sha256(previous + link_bytes).digest()


def genesis(workspace_id: str) -> bytes:
    """The chain hash before a workspace's first entry."""
    return _sha256(f"activitylog-chain-v1\n{workspace_id}".encode()).digest()


def occurred_of(link_bytes: bytes) -> int:
    return int.from_bytes(link_bytes[:8], "big", signed=True)


#: The fields of a stored row as verification takes it (`integrity.reader`), in this order: position, chain hash,
#: then the hashed fields in canonical order (so `stored_link` takes them as they come), metadata, the IP key
#: (derived: see `derived`) and the channel. Storage reads these columns, by these names, in this order.
STORED_FIELDS = (
    "chain_seq", "chain_hash", "type", "actor_type", "actor_id", "actor_name", "actor_email", "ip", "user_agent",
    "id", "occurred_us", "recorded_us", "request_id", "idempotency_key", "metadata", "ip_key", "via",
)  # fmt: skip
#: Where a STORED_FIELDS row holds the entry's IP, id, occurred-at, IP key and channel.
IP, ID, OCCURRED, IP_KEY, VIA = 7, 9, 10, 15, 16


def stored_link(workspace_id: str, row: Sequence[Any]) -> bytes:
    """The link of a row in STORED_FIELDS order (metadata as text)."""
    return link(row[OCCURRED], content_hash((workspace_id, *row[2:14]), metadata_from_text(row[14]), row[VIA]))


def stored_linker(workspace_id: str) -> Callable[[Sequence[Any]], bytes]:
    """`stored_link` for many rows of one workspace, as verification needs it for every entry: the canonical
    text up to the id is written once per distinct (type, actor, IP, user agent), the rest as JSON would."""
    prefixes: dict[tuple[Any, ...], str] = {}
    cache = _CANONICAL
    string = json.encoder.encode_basestring
    sha256 = _sha256

    def stored_link_of(row: Sequence[Any]) -> bytes:
        key = (row[2], row[3], row[4], row[5], row[6], row[7], row[8])
        prefix = prefixes.get(key)
        if prefix is None:
            prefix = "".join(_PLAIN([VERSION, workspace_id, *key], 0))[:-1]
            if len(prefixes) >= _CANONICAL_MAX:
                prefixes.clear()
            prefixes[key] = prefix
        metadata = cache.get(row[14]) or metadata_from_text(row[14])
        occurred = row[10]
        via = row[16]
        content = sha256(
            f"{prefix},{string(row[9])},{occurred},{row[11]},"
            f"{'null' if row[12] is None else string(row[12])},{'null' if row[13] is None else string(row[13])},"
            f"{metadata}{']' if via is None else f',{string(via)}]'}".encode()
        ).digest()
        linked: bytes = occurred.to_bytes(8, "big", signed=True) + content
        return linked

    return stored_link_of


def entry_link(workspace_id: str, entry: dict[str, Any]) -> bytes:
    """The link of an entry as the API's JSON shows it (`GET /v1/events`): what a customer recomputes."""
    from datetime import datetime

    from activitylog.domain.channel import stored_of
    from activitylog.timeutil import to_us

    actor = entry.get("actor") or {}
    occurred = to_us(datetime.fromisoformat(entry["occurred_at"]))
    fields = fields_of(
        workspace_id, entry["id"], entry["type"], actor.get("type"), actor.get("id"), actor.get("name"),
        actor.get("email"), occurred, to_us(datetime.fromisoformat(entry["recorded_at"])), entry.get("ip"),
        entry.get("user_agent"), entry.get("request_id"), entry.get("idempotency_key"),
    )  # fmt: skip
    via = stored_of(entry.get("via"))
    return link(occurred, content_hash(fields, metadata_from_value(entry.get("metadata") or {}), via))
