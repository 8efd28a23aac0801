"""Writing a batch on PostgreSQL: claim its idempotency keys, then plan and write its rows.

Invariants (all inside the caller's transaction, so a batch is stored whole or not at all):
- a workspace uses a key once: `claim` inserts the batch's keys into `idempotency_keys` (primary key:
  workspace, key) before any entry is written; a key a concurrent batch is claiming makes it wait for that
  batch's commit; keys go in sorted order, so two batches cannot deadlock on them;
- a duplicate answers with the id the first write stored, also for a key repeated within the batch;
- entries go in with COPY, or one multi-row INSERT for a few rows, each with its place in the workspace's
  hash chain (`activitylog.integrity.chain`), given only to the entries really written;
- each written entry gets its row in `activity_search` (its words as a tsvector) in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

import psycopg
from psycopg import errors

from activitylog.domain.prepared import Prepared
from activitylog.domain.search import document_of
from activitylog.integrity.chain import CHAIN_COLUMNS
from activitylog.storage.base import Duplicate
from activitylog.storage.sql import INSERT_COLUMNS

COPY_FROM = 20  # rows: below this one multi-row INSERT is one round trip less than COPY


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def copy_text(value: str) -> str:
    """A value in COPY's text format: backslash, tab, newline and carriage return escaped."""
    if _COPY_SPECIAL.search(value) is None:
        return value
    return _COPY_SPECIAL.sub(lambda match: _COPY_ESCAPES[match[0]], value)


COLUMNS = f"{INSERT_COLUMNS}, {', '.join(CHAIN_COLUMNS)}"


@cache
def insert_values(rows: int) -> str:
    # ROW_FIELDS (metadata 13th, then request id, idempotency key, via), then the chain's two columns.
    one = "(" + ", ".join(["%s"] * 12 + ["%s::jsonb", "%s", "%s", "%s", "%s", "%s"]) + ")"
    return f"INSERT INTO activities ({COLUMNS}) VALUES " + ", ".join([one] * rows)


Plan = tuple[list[Prepared], list[str], list[Duplicate]]
T = TypeVar("T")


def plan(workspace_id: str, batch: Sequence[Prepared], first: dict[str, Prepared], used: dict[str, str]) -> Plan:
    """The entries to write, their ids, and the duplicates: keys `used` before, or repeated within the batch."""
    inserted: list[str] = []
    duplicates: list[Duplicate] = []
    rows: list[Prepared] = []
    for index, prepared in enumerate(batch):
        key = prepared.idempotency_key
        if key is not None:
            if key in used:
                duplicates.append(Duplicate(index, key, used[key]))
                continue
            if first[key] is not prepared:  # the same key earlier in this batch
                duplicates.append(Duplicate(index, key, first[key].id))
                continue
        rows.append(prepared)
        inserted.append(prepared.id)
    return rows, inserted, duplicates


def claim(
    connection: psycopg.Connection[Any],
    workspace_id: str,
    offered: dict[str, Prepared],
    meanwhile: Callable[[], T],
) -> tuple[dict[str, str], T | None]:
    """Claim each key for the entry offered with it; answers the keys used before, with their entry ids,
    and what `meanwhile` answered if every key was new (it runs while the server stores the keys).

    The fast path COPYs the keys in (a plain insert, cheaper than ON CONFLICT's speculative
    insertion), in a savepoint; a key used before makes it fail, and the slow path claims with
    INSERT ... ON CONFLICT DO NOTHING, then reads which keys belong to other entries. Either way a key a
    concurrent batch is claiming makes this wait for that batch's commit. Sorted keys: no deadlocks.
    """
    keys = sorted(offered)
    ids = [offered[k].id for k in keys]
    times = [offered[k].occurred_us for k in keys]
    try:
        with (
            connection.transaction(),
            connection.cursor().copy(
                "COPY idempotency_keys (workspace_id, idempotency_key, entry_id, occurred_us) FROM STDIN"
            ) as copy,
        ):
            # COPY text built here: a third of the cost of one write_row() per key.
            prefix = copy_text(workspace_id) + "\t"
            copy.write(
                "".join(
                    f"{prefix}{copy_text(k)}\t{copy_text(i)}\t{t}\n" for k, i, t in zip(keys, ids, times, strict=True)
                )
            )
            planned = meanwhile()
        return {}, planned
    except errors.UniqueViolation:
        pass
    connection.execute(
        "INSERT INTO idempotency_keys (workspace_id, idempotency_key, entry_id, occurred_us) "
        # Binary parameters: psycopg dumps a list of 1,000 strings several times faster in binary.
        "SELECT %b, k, e, o FROM unnest(%b::text[], %b::text[], %b::bigint[]) AS claim (k, e, o) "
        "ON CONFLICT DO NOTHING",
        (workspace_id, keys, ids, times),
    )
    stored = connection.execute(
        "SELECT idempotency_key, entry_id FROM idempotency_keys "
        "WHERE workspace_id = %b AND idempotency_key = ANY(%b::text[])",
        (workspace_id, keys),
    ).fetchall()
    return {key: entry_id for key, entry_id in stored if entry_id != offered[key].id}, None


def write_rows(connection: psycopg.Connection[Any], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows in COLUMNS order into `activities` (their months' partitions must exist)."""
    if len(rows) >= COPY_FROM:
        with connection.cursor().copy(f"COPY activities ({COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    elif rows:
        connection.execute(insert_values(len(rows)), [value for row in rows for value in row])


def search_rows_sql() -> str:
    """The search rows of one workspace's entries from arrays (times, ids, actor words, body words): the
    tsvector made in the server, the actor's words weighted A (what `actor:` asks for), the body's B."""
    return (
        "INSERT INTO activity_search (workspace_id, occurred_us, id, doc) "
        "SELECT %s, o, i, setweight(to_tsvector('simple', a), 'A') || setweight(to_tsvector('simple', b), 'B') "
        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS words (o, i, a, b)"
    )


def write_search_rows(connection: psycopg.Connection[Any], workspace_id: str, kept: Sequence[Prepared]) -> None:
    """The search rows of entries just written (type, actor, IP at 2, 3-6 and 9 of their rows)."""
    if not kept:
        return
    docs = [document_of(p) for p in kept]
    connection.execute(
        search_rows_sql().replace("%s", "%b"),  # binary: arrays of 1,000 strings dump several times faster
        (
            workspace_id,
            [p.occurred_us for p in kept],
            [p.id for p in kept],
            [actor for actor, _ in docs],
            [body for _, body in docs],
        ),
    )
