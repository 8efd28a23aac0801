"""Tamper evidence: each entry's place in its workspace's hash chain, the chain heads, signed checkpoints,
and what retention leaves behind (an anchor and tombstones). See `activitylog.integrity`.

Entries recorded before this revision are chained here, in the order they were stored (SQLite: `seq`;
PostgreSQL: recorded-at, then occurred-at and id), with the append-only triggers set aside for the length of
this transaction only. The hashes are computed with the frozen form `migrations.frozen.canonical_al1`, so this
revision writes the same bytes whatever today's `integrity.canonical` becomes.

Revision ID: 0003
Revises: 0002
"""

from typing import Any

from alembic import op

from activitylog.storage.migrations.frozen import canonical_al1 as canonical

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BACKFILL_BATCH = 5000

_SQLITE_NO_UPDATE = """
    CREATE TRIGGER activities_no_update BEFORE UPDATE ON activities
    BEGIN
        SELECT RAISE(ABORT, 'activities are append-only: an entry cannot be changed');
    END
"""


def statements(dialect: str) -> list[str]:
    postgres = dialect == "postgresql"
    big = "BIGINT" if postgres else "INTEGER"
    key = 'TEXT COLLATE "C"' if postgres else "TEXT"
    blob = "BYTEA" if postgres else "BLOB"
    return [
        f"ALTER TABLE activities ADD COLUMN chain_seq {big}",
        f"ALTER TABLE activities ADD COLUMN chain_hash {blob}",
        # Verification and proofs walk a workspace's chain in order. Positions are unique per workspace; only
        # SQLite can say so in an index (PostgreSQL's unique indexes on a partitioned table must hold the
        # partition key), and the chain head row guarantees it on both.
        (
            "CREATE INDEX activities_by_chain ON activities (workspace_id, chain_seq)"
            if postgres
            else "CREATE UNIQUE INDEX activities_by_chain ON activities (workspace_id, chain_seq)"
        ),
        # A workspace's last position and chain hash: a recording transaction reads and moves it.
        f"""
        CREATE TABLE integrity_heads (
            workspace_id {key} PRIMARY KEY,
            position {big} NOT NULL,
            chain_hash {blob} NOT NULL
        )
        """,
        # Signed statements: the chain of `workspace_id` at `position` has hash `chain_hash`.
        f"""
        CREATE TABLE integrity_checkpoints (
            workspace_id {key} NOT NULL,
            position {big} NOT NULL,
            chain_hash {blob} NOT NULL,
            last_entry_id {key},
            created_us {big} NOT NULL,
            key_id TEXT NOT NULL,
            signature {blob} NOT NULL,
            PRIMARY KEY (workspace_id, position)
        )
        """,
        # Where verification starts once retention has removed the oldest entries: a checkpoint's position.
        f"""
        CREATE TABLE integrity_anchors (
            workspace_id {key} PRIMARY KEY,
            position {big} NOT NULL,
            chain_hash {blob} NOT NULL,
            cutoff_us {big} NOT NULL,
            created_us {big} NOT NULL
        )
        """,
        # The links (occurred-at and content hash) of purged entries after the anchor.
        f"""
        CREATE TABLE integrity_tombstones (
            workspace_id {key} NOT NULL,
            position {big} NOT NULL,
            link {blob} NOT NULL,
            PRIMARY KEY (workspace_id, position)
        )
        """,
    ]


def _backfill(dialect: str) -> None:
    bind = op.get_bind()
    postgres = dialect == "postgresql"
    mark = "%s" if postgres else "?"
    metadata = "metadata::text" if postgres else "metadata"
    # Rows in the order they were stored, a page at a time: (order key..., then the hashed fields).
    order = ("recorded_us", "occurred_us", "id") if postgres else ("seq",)
    width = len(order)
    columns = (
        f"{', '.join(order)}, id, type, actor_type, actor_id, actor_name, actor_email, occurred_us, recorded_us, "
        f"ip, user_agent, request_id, idempotency_key, {metadata}"
    )
    after = f"({', '.join(order)}) > ({', '.join([mark] * width)})"
    where_row = "occurred_us = %s AND id = %s" if postgres else "seq = ?"
    workspaces = [row[0] for row in bind.exec_driver_sql("SELECT DISTINCT workspace_id FROM activities").fetchall()]
    if not workspaces:
        return
    if postgres:
        bind.exec_driver_sql("ALTER TABLE activities DISABLE TRIGGER activities_append_only")
    else:
        bind.exec_driver_sql("DROP TRIGGER activities_no_update")
    for workspace_id in workspaces:
        position, chain_hash = 0, canonical.genesis(workspace_id)
        last: tuple[Any, ...] | None = None
        while True:
            condition = f"workspace_id = {mark}" + (f" AND {after}" if last is not None else "")
            rows = bind.exec_driver_sql(
                f"SELECT {columns} FROM activities WHERE {condition} ORDER BY {', '.join(order)} "
                f"LIMIT {BACKFILL_BATCH}",
                (workspace_id, *(last or ())),
            ).fetchall()
            if not rows:
                break
            updates: list[tuple[Any, ...]] = []
            for row in rows:
                values = row[width:]
                fields = canonical.fields_of(workspace_id, *values[0:12])
                content = canonical.content_hash(fields, canonical.metadata_from_text(values[12]))
                position += 1
                chain_hash = canonical.step(chain_hash, canonical.link(values[6], content))
                updates.append(
                    (position, chain_hash, workspace_id, *((values[6], values[0]) if postgres else (row[0],)))
                )
            bind.exec_driver_sql(
                f"UPDATE activities SET chain_seq = {mark}, chain_hash = {mark} "
                f"WHERE workspace_id = {mark} AND {where_row}",
                updates,
            )
            last = tuple(rows[-1][:width])
        bind.exec_driver_sql(
            f"INSERT INTO integrity_heads (workspace_id, position, chain_hash) VALUES ({mark}, {mark}, {mark})",
            (workspace_id, position, chain_hash),
        )
    if postgres:
        bind.exec_driver_sql("ALTER TABLE activities ENABLE TRIGGER activities_append_only")
    else:
        bind.exec_driver_sql(_SQLITE_NO_UPDATE)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in statements(dialect):
        op.execute(statement)
    _backfill(dialect)


def downgrade() -> None:
    raise NotImplementedError("the activity log keeps its data: downgrades are not supported")
