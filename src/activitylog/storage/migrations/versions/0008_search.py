"""Full-text search of the log: `activity_search`, one row per entry, and its rows for the entries stored so far.

- SQLite: an FTS5 table, rowid = the entry's `seq`, two columns (`actor`: the teammate's name, email and id;
  `body`: the rendered sentence, the IP and the metadata values; see `activitylog.domain.search.document`).
  `detail=full` (positions: phrases need them), `columnsize=0` (no per-row token counts: nothing ranks).
- PostgreSQL: a table keyed like the entries (workspace, occurred-at, id) holding a tsvector (the actor's
  words weighted A, the body's B) with a GIN index, and a BRIN index on the time for dropped partitions.

Both hold only the words (no copy of the entry), and the store writes and deletes them with their entries.
The revision id is a constant of this module alone, so a merge can renumber it.

Revision ID: 0008
Revises: 0007
"""

import json
from typing import Any

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BACKFILL_BATCH = 5000

SQLITE = [
    "CREATE VIRTUAL TABLE activity_search USING fts5(actor, body, "
    "tokenize = 'unicode61 remove_diacritics 0', detail = full, columnsize = 0)",
]
POSTGRES = [
    """
    CREATE TABLE activity_search (
        workspace_id TEXT COLLATE "C" NOT NULL,
        occurred_us BIGINT NOT NULL,
        id TEXT COLLATE "C" NOT NULL,
        doc tsvector NOT NULL,
        -- A page's search: the entries of a workspace whose words match (joined to the entries on this key).
        PRIMARY KEY (workspace_id, occurred_us, id)
    )
    """,
    # The words: `doc @@ to_tsquery(...)`.
    "CREATE INDEX activity_search_by_words ON activity_search USING gin (doc)",
    # Retention: the search rows of a dropped month, whatever their workspace (BRIN: next to nothing per insert).
    "CREATE INDEX activity_search_by_time ON activity_search USING brin (occurred_us)",
]


def _backfill(postgres: bool) -> None:
    from activitylog.domain.entry import Actor
    from activitylog.domain.search import document
    from activitylog.storage.postgres.recording import search_rows_sql
    from activitylog.storage.sqlite.store import INSERT_SEARCH

    bind = op.get_bind()
    columns = "type, actor_type, actor_id, actor_name, actor_email, ip, metadata"
    last: tuple[Any, ...] | None = None

    while True:
        if postgres:
            key = "workspace_id, occurred_us, id"
            after = f"WHERE ({key}) > (%s, %s, %s) " if last else ""
            rows = bind.exec_driver_sql(
                f"SELECT {key}, type, actor_type, actor_id, actor_name, actor_email, ip, metadata::text "
                f"FROM activities {after}ORDER BY {key} LIMIT {BACKFILL_BATCH}",
                last or (),
            ).fetchall()
        else:
            after = "WHERE seq > ? " if last else ""
            rows = bind.exec_driver_sql(
                f"SELECT seq, {columns} FROM activities {after}ORDER BY seq LIMIT {BACKFILL_BATCH}", last or ()
            ).fetchall()
        if not rows:
            return
        width = 3 if postgres else 1
        docs = [
            document(row[width], Actor(*row[width + 1 : width + 5]), row[width + 5], json.loads(row[width + 6]))
            for row in rows
        ]
        if postgres:
            by_workspace: dict[str, list[tuple[Any, ...]]] = {}
            for row, (actor, body) in zip(rows, docs, strict=True):
                by_workspace.setdefault(row[0], []).append((row[1], row[2], actor, body))
            for workspace_id, items in by_workspace.items():
                times, ids, actors, bodies = (list(column) for column in zip(*items, strict=True))
                bind.exec_driver_sql(search_rows_sql(), (workspace_id, times, ids, actors, bodies))
        else:
            bind.exec_driver_sql(INSERT_SEARCH, [(row[0], *doc) for row, doc in zip(rows, docs, strict=True)])
        last = tuple(rows[-1][:width])


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES if postgres else SQLITE:
        op.execute(statement)
    _backfill(postgres)


def downgrade() -> None:
    raise NotImplementedError("the activity log keeps its data: downgrades are not supported")
