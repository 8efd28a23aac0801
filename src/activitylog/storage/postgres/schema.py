"""PostgreSQL DDL: the first released schema (revision 0001) and the monthly partitions of `activities`.

Invariants:
- `activities` is range-partitioned by `occurred_us` (UTC microseconds), one partition per calendar month UTC,
  named `activities_pYYYY_MM`; there is no DEFAULT partition (a row in it would block creating the month's
  partition later), so a month's partition must exist before a row of that month is written;
- every key and index is led by `workspace_id`, so the tables could be sharded by workspace; each index
  names the query it serves;
- a unique index on a partitioned table must contain the partition key, so "a workspace uses an idempotency
  key once" lives in its own table, `idempotency_keys`, and entry ids are unique by construction (UUIDv7s);
- entries are append-only in the database itself: UPDATE is refused, DELETE is refused unless the row is
  older than the workspace's latest cut-off recorded in `retention_runs` (as on SQLite), TRUNCATE is refused
  on the table and on every partition. Dropping a whole expired partition is DDL, reserved to the retention
  path (see `activitylog.storage.postgres.purge`);
- text keys use the "C" collation: byte order, the same order as SQLite and Python, and the fastest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from activitylog.timeutil import DAY_US, from_us, to_us

INITIAL = [
    """
    CREATE TABLE workspaces (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        retention_days INTEGER NOT NULL DEFAULT 365 CHECK (retention_days BETWEEN 30 AND 3650),
        created_us BIGINT NOT NULL
    )
    """,
    """
    CREATE TABLE teammates (
        workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces (id),
        id TEXT COLLATE "C" NOT NULL,
        name TEXT NOT NULL,
        email TEXT,
        role TEXT,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'deleted')),
        PRIMARY KEY (workspace_id, id)
    )
    """,
    """
    CREATE TABLE activities (
        workspace_id TEXT COLLATE "C" NOT NULL,
        id TEXT COLLATE "C" NOT NULL,
        type TEXT COLLATE "C" NOT NULL,
        actor_type TEXT NOT NULL CHECK (actor_type IN ('teammate', 'api_token', 'system')),
        actor_id TEXT COLLATE "C",
        actor_name TEXT,
        actor_email TEXT,
        occurred_us BIGINT NOT NULL,
        recorded_us BIGINT NOT NULL,
        ip TEXT,
        ip_key BYTEA,
        user_agent TEXT,
        metadata JSONB NOT NULL DEFAULT '{}',
        request_id TEXT,
        idempotency_key TEXT COLLATE "C",
        -- The timeline: the unfiltered page, date ranges, the CSV export, keyset on (occurred_us, id).
        PRIMARY KEY (workspace_id, occurred_us, id)
    ) PARTITION BY RANGE (occurred_us)
    """,
    # GET /v1/events/{id} (one probe per partition: ids carry no partition key).
    "CREATE INDEX activities_by_id ON activities (workspace_id, id)",
    # The action filter: one index range per selected type, already in page order.
    "CREATE INDEX activities_by_type ON activities (workspace_id, type, occurred_us, id)",
    # The teammate filter: one index range per selected teammate, already in page order.
    "CREATE INDEX activities_by_actor ON activities (workspace_id, actor_id, occurred_us, id)",
    # The IP / CIDR filter: a key range over 16-byte addresses.
    "CREATE INDEX activities_by_ip ON activities (workspace_id, ip_key, occurred_us)",
    """
    CREATE TABLE idempotency_keys (
        workspace_id TEXT COLLATE "C" NOT NULL,
        idempotency_key TEXT COLLATE "C" NOT NULL,
        entry_id TEXT COLLATE "C" NOT NULL,
        -- The entry's time: retention releases a key together with its entry, as on SQLite.
        occurred_us BIGINT NOT NULL,
        -- Idempotent recording: INSERT ... ON CONFLICT DO NOTHING claims a workspace's key once.
        PRIMARY KEY (workspace_id, idempotency_key)
    )
    """,
    # Retention releases the keys of a workspace's expired entries. BRIN, because keys arrive in about time
    # order and a BRIN index costs next to nothing per insert (a B-tree here made recording 10% slower).
    "CREATE INDEX idempotency_keys_by_time ON idempotency_keys USING brin (workspace_id, occurred_us)",
    """
    CREATE TABLE api_tokens (
        workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces (id),
        id TEXT COLLATE "C" NOT NULL,
        name TEXT NOT NULL,
        secret_hash TEXT COLLATE "C" NOT NULL,
        scopes TEXT NOT NULL,
        created_us BIGINT NOT NULL,
        revoked_us BIGINT,
        last_used_us BIGINT,
        PRIMARY KEY (workspace_id, id)
    )
    """,
    # Authentication: a request's token is found by the hash of its secret.
    "CREATE UNIQUE INDEX api_tokens_by_hash ON api_tokens (secret_hash)",
    """
    CREATE TABLE retention_runs (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        workspace_id TEXT COLLATE "C" NOT NULL,
        cutoff_us BIGINT NOT NULL,
        started_us BIGINT NOT NULL,
        finished_us BIGINT,
        removed BIGINT
    )
    """,
    # The append-only trigger asks for a workspace's latest cut-off on every deleted row.
    "CREATE INDEX retention_runs_by_workspace ON retention_runs (workspace_id, cutoff_us)",
    """
    CREATE FUNCTION activities_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND OLD.occurred_us < COALESCE(
            (SELECT max(cutoff_us) FROM retention_runs WHERE workspace_id = OLD.workspace_id), -1
        ) THEN
            RETURN OLD;
        END IF;
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'activities are append-only: only retention deletes entries past their period'
                USING ERRCODE = 'restrict_violation';
        END IF;
        RAISE EXCEPTION 'activities are append-only: an entry cannot be changed' USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    # Row triggers on the partitioned table are cloned onto every partition, present and future.
    """
    CREATE TRIGGER activities_append_only BEFORE UPDATE OR DELETE ON activities
    FOR EACH ROW EXECUTE FUNCTION activities_append_only()
    """,
    """
    CREATE FUNCTION activities_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'activities are append-only: % cannot be truncated', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    # Statement triggers are not cloned: each partition gets its own (see partition_statements).
    """
    CREATE TRIGGER activities_no_truncate BEFORE TRUNCATE ON activities
    FOR EACH STATEMENT EXECUTE FUNCTION activities_no_truncate()
    """,
]

PARTITION_PREFIX = "activities_p"
# Serialises partition DDL between processes (an arbitrary constant, the same in every process).
PARTITION_LOCK = 0x61637476  # "actv"


def initial_statements() -> list[str]:
    """The DDL of revision 0001, one statement per item (partitions are made by the store, by month)."""
    return list(INITIAL)


def month_of(micros: int) -> tuple[int, int]:
    """The (year, month) in UTC that contains `micros` (memoised by day: months start at midnight UTC)."""
    return _month_of_day(micros // DAY_US)


@lru_cache(maxsize=4096)
def _month_of_day(day: int) -> tuple[int, int]:
    moment = from_us(day * DAY_US)
    return moment.year, moment.month


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year, month + 1) if month < 12 else (year + 1, 1)


def month_bounds(year: int, month: int) -> tuple[int, int]:
    """The partition's range [low, high) in microseconds."""
    low = to_us(datetime(year, month, 1, tzinfo=UTC))
    high = to_us(datetime(*next_month(year, month), 1, tzinfo=UTC))
    return low, high


def partition_name(year: int, month: int) -> str:
    return f"{PARTITION_PREFIX}{year:04d}_{month:02d}"


def partition_statements(year: int, month: int) -> list[str]:
    """Create one month's partition (idempotent); run under the PARTITION_LOCK advisory lock."""
    name = partition_name(year, month)
    low, high = month_bounds(year, month)
    return [
        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF activities FOR VALUES FROM ({low}) TO ({high})",
        f"CREATE OR REPLACE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
        "FOR EACH STATEMENT EXECUTE FUNCTION activities_no_truncate()",
    ]
