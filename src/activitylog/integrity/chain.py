"""Giving a batch its places in the workspace's chain, inside the transaction that records it.

Invariants (the stores call `link_rows` from `_write_entries`, so every way of recording goes through here):
- a workspace's entries have positions 1, 2, 3, ... in the order their transactions committed, with no gap
  and no repeat: the head row (`integrity_heads`) holds the last position and chain hash, and a recording
  transaction reads and moves it while no other writer of the workspace can (SQLite: the one writer;
  PostgreSQL: `SELECT ... FOR UPDATE` on the head row, taken before anything else of the batch, so writers
  of one workspace queue there and nowhere else, in any number of processes);
- only rows that are really inserted get positions: an item skipped as a duplicate never leaves a gap;
- each row stores its position and its chain hash (`chain_seq`, `chain_hash`), so verification can name
  the exact row that no longer matches, and a purge can leave an anchor behind.

This module only computes: the stores read and move the head with their own SQL.
"""

from __future__ import annotations

import json.encoder
import struct
from collections.abc import Sequence
from typing import Any

from activitylog.domain.prepared import Prepared
from activitylog.integrity import canonical

#: The columns a store inserts after storage.sql.INSERT_COLUMNS.
CHAIN_COLUMNS = ("chain_seq", "chain_hash")

_canonical_cache = canonical._CANONICAL
_metadata_from_value = canonical.metadata_from_value
_plain = canonical._PLAIN
_sha256 = canonical._sha256
_string = json.encoder.encode_basestring
# The content hash fed with the canonical text up to the entry's id, by the fields that repeat from entry to entry
# (workspace, type, actor, IP, user agent): each distinct combination's text is written and hashed once, and an
# entry continues from a copy of that state. Bounded like the metadata cache.
_PREFIXES: dict[tuple[Any, ...], Any] = {}  # the hash state after the prefix (hashlib's HASH)
_pack_time = struct.Struct(">q").pack  # a link's occurred-at: 8 bytes, big-endian, signed
_PREFIXES_MAX = 50_000


def start(workspace_id: str, head: Sequence[Any] | None) -> tuple[int, bytes]:
    """The (position, chain hash) to continue from: the head row's, or the workspace's genesis."""
    if head is None:
        return 0, canonical.genesis(workspace_id)
    return int(head[0]), bytes(head[1])


def _optional(value: str | None) -> str:
    return "null" if value is None else _string(value)


def link_rows(
    workspace_id: str, batch: Sequence[Prepared], position: int, chain_hash: bytes
) -> tuple[list[tuple[Any, ...]], int, bytes]:
    """The batch's rows (storage.sql.INSERT_COLUMNS order) with their position and chain hash appended, and
    the new head.

    Runs for every recorded entry, so `canonical.content_text` is written out here from cached pieces: the
    prefix of repeating fields, the metadata canonicalised once per distinct text, and the rest (id, times,
    request id, idempotency key) encoded as JSON would. tests/integrity check it against the plain definition.
    """
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    cache = _canonical_cache
    prefixes = _PREFIXES
    for prepared in batch:
        row = prepared.row
        ws, entry_id, code, actor_type, actor_id, name, email, occurred, recorded, ip, _, agent, text, rid, key, via = (
            row
        )
        if ws != workspace_id:
            raise ValueError("an entry prepared for another workspace")  # a bug, never user input
        metadata = cache.get(text)
        if metadata is None:
            metadata = _metadata_from_value(prepared.metadata)
            if len(text) <= canonical._CACHEABLE:
                if len(cache) >= canonical._CANONICAL_MAX:
                    cache.clear()
                cache[text] = metadata
        shape = (ws, code, actor_type, actor_id, name, email, ip, agent)
        started = prefixes.get(shape)
        if started is None:
            # The content hash already fed the prefix: each entry of this shape continues from a copy.
            started = _sha256("".join(_plain([canonical.VERSION, *shape], 0))[:-1].encode())
            if len(prefixes) >= _PREFIXES_MAX:
                prefixes.clear()
            prefixes[shape] = started
        hasher = started.copy()
        hasher.update(
            f",{_string(entry_id)},{occurred},{recorded},{'null' if rid is None else _string(rid)},"
            f"{'null' if key is None else _string(key)},{metadata}"
            f"{']' if via is None else f',{_string(via)}]'}".encode()
        )
        position += 1
        chain_hash = _sha256(b"".join((chain_hash, _pack_time(occurred), hasher.digest()))).digest()
        append((*row, position, chain_hash))
    return rows, position, chain_hash
