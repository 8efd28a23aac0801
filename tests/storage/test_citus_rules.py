"""The PostgreSQL schema against Citus's rules for tables distributed by `workspace_id` (docs/scaling.md).

Citus shards a distributed table by one column and can only enforce a primary key, a unique index or a foreign
key locally, on one shard: each must include the distribution column, and a foreign key between distributed
tables must join them on it (co-location). A reference table is copied to every node instead; a local table
stays on the coordinator. Every table of the migrated schema is one of the three here, with its reason, so a
new table must be classified before the suite passes, and the distributed ones are checked rule by rule.

`NOT_YET` lists the constraints that break a rule today, each with the change that mends it (docs/scaling.md
says the same). The list can only shrink: the test fails on a listed constraint that no longer exists.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from activitylog.storage.postgres.store import conninfo

DISTRIBUTED = {  # table -> its distribution column
    "workspaces": "id",
    "activities": "workspace_id",
    "activity_search": "workspace_id",
    "idempotency_keys": "workspace_id",
    "teammates": "workspace_id",
    "roles": "workspace_id",
    "invites": "workspace_id",
    "sessions": "workspace_id",
    "api_tokens": "workspace_id",
    "retention_runs": "workspace_id",
    "integrity_heads": "workspace_id",
    "integrity_checkpoints": "workspace_id",
    "integrity_anchors": "workspace_id",
    "integrity_tombstones": "workspace_id",
    "sign_in_failures": "workspace_id",
    "sign_in_refusals": "workspace_id",
}
LOCAL = {
    "alembic_version": "the schema's revision: DDL runs on the coordinator, which propagates it",
}

#: (table, constraint or index) -> the change that mends it. Only shrinks.
NOT_YET = {
    ("sessions", "sessions_pkey"): "PRIMARY KEY (workspace_id, token_hash): the path names the workspace",
    ("invites", "invites_by_token"): "UNIQUE (workspace_id, token_hash): the join link carries the workspace",
    ("api_tokens", "api_tokens_by_hash"): "a secret names no workspace: prefix it, or a reference table",
    ("retention_runs", "retention_runs_pkey"): "PRIMARY KEY (workspace_id, id)",
}


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(conninfo(url)) as connection:
        return connection.execute(sql).fetchall()


TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
"""
# Every unique index (primary keys included) of a top-level table, with its key columns (none for expressions).
UNIQUE = """
SELECT t.relname, i.relname, array_agg(a.attname ORDER BY k.ord) FILTER (WHERE a.attname IS NOT NULL),
       bool_or(k.attnum = 0)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE n.nspname = 'public' AND x.indisunique AND NOT t.relispartition
GROUP BY t.relname, i.relname
"""
FOREIGN = """
SELECT c.conrelid::regclass::text, c.conname, c.confrelid::regclass::text,
       ARRAY(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY o),
       ARRAY(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
             JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY o)
FROM pg_constraint c
WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
"""


@pytest.fixture(scope="module")
def schema(postgres_url: str) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: _rows(postgres_url, sql) for name, sql in (("tables", TABLES), ("unique", UNIQUE), ("foreign", FOREIGN))
    }


def test_every_table_is_classified(schema: dict[str, list[tuple[Any, ...]]]) -> None:
    tables = {name for (name,) in schema["tables"]}
    assert tables == set(DISTRIBUTED) | set(LOCAL), (
        "classify each new table in DISTRIBUTED or LOCAL, with docs/scaling.md"
    )


def test_every_unique_key_of_a_distributed_table_holds_its_distribution_column(
    schema: dict[str, list[tuple[Any, ...]]],
) -> None:
    breaking = {
        (table, index)
        for table, index, columns, _expressions in schema["unique"]
        # An expression may be part of the key (roles: lower(name)) as long as the column itself is.
        if table in DISTRIBUTED and DISTRIBUTED[table] not in (columns or [])
    }
    assert breaking == set(NOT_YET), "a unique key without the distribution column (or NOT_YET names one mended)"


def test_foreign_keys_join_distributed_tables_on_their_distribution_columns(
    schema: dict[str, list[tuple[Any, ...]]],
) -> None:
    for table, name, target, columns, target_columns in schema["foreign"]:
        assert table in DISTRIBUTED, (table, name)
        assert target in DISTRIBUTED, (table, name, target)
        # Co-located: the referencing distribution column matches the referenced one, position for position.
        pairs = dict(zip(target_columns, columns, strict=True))
        assert pairs.get(DISTRIBUTED[target]) == DISTRIBUTED[table], (table, name, pairs)
