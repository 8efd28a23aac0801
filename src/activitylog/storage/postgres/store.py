"""The storage contract on PostgreSQL (psycopg 3 and a connection pool shared by the server's threads).

Invariants:
- every write is one transaction: a batch is stored whole or not at all;
- a batch's idempotency keys are claimed before its entries are written, so a key is never used twice,
  even by concurrent batches (see `recording`); entries go in with COPY, after their months' partitions
  are ensured outside the batch's transaction (see `partitions`);
- jsonb comes back as text, so rows have the same shape as SQLite's (`entry_of` serves both);
- the database being unreachable, or a lock not granted in LOCK_TIMEOUT, is `Unavailable` (503, retry);
  any other error is a bug or bad data and propagates as it is.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from functools import cache
from typing import Any

import psycopg
from psycopg import errors
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool

from activitylog.domain.cursor import Cursor
from activitylog.domain.entry import Entry
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.prepared import Prepared
from activitylog.domain.search import Search
from activitylog.domain.stored import OCCURRED_US, entry_of
from activitylog.errors import ActivityLogError, Conflict, NotFound, Unavailable
from activitylog.integrity import chain
from activitylog.storage import day_counts
from activitylog.storage.base import Duplicate, Page, PurgeResult, RecordResult, Teammate, Workspace
from activitylog.storage.postgres import purge
from activitylog.storage.postgres.partitions import Partitions, months_between
from activitylog.storage.postgres.recording import claim, plan, write_rows, write_search_rows
from activitylog.storage.postgres.schema import month_of
from activitylog.storage.purge_seal import seal_expired
from activitylog.storage.sql import ENTRY_COLUMNS, KEY_COLUMNS, SearchSql, select_count, select_page, tsquery
from activitylog.timeutil import DAY_US, now_us

POOL_MIN, POOL_MAX = 1, 10
# Keyset page reads run on connections of their own that keep one generic plan per statement: planning a
# page over a year of monthly partitions costs 1.5-2.5 ms, several times what running it costs, and the plan
# is the same index walk whatever the bound values are (partitions outside the range are pruned when the
# plan starts). Measured on 1,000,000 entries, 12 filter shapes: generic as fast or faster on every one.
PAGE_POOL_OPTIONS = "-c plan_cache_mode=force_generic_plan"
CONNECT_TIMEOUT_S = 10  # also how long a request waits for a free pooled connection
LOCK_TIMEOUT = "5s"
KNOWN_ACTORS_MAX = 100_000  # (workspace, teammate) pairs remembered; then forgotten all at once
_TEAMMATE_COLUMNS = "workspace_id, id, name, email, role, status, kind"
_WORKSPACE_COLUMNS = "id, name, timezone, retention_days, created_us"


def conninfo(url: str) -> str:
    """psycopg takes postgresql:// URLs; SQLAlchemy's driver suffix is ours to remove."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url.removeprefix(prefix)
    return url


@cache
def _pg(statement: str) -> str:
    """The shared SQL's `?` placeholders as psycopg's `%s` (the shared SQL has no other `?` or `%`)."""
    return statement.replace("?", "%s")


SEARCH_WINDOW_DAYS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
DENSE_SEARCH = 5000  # a workspace's matches past which a search's page is looked for in time windows first


def search_sql(workspace_id: str) -> SearchSql:
    """A search's words over `activity_search`: the entries of the workspace whose tsvector matches (the
    workspace named again inside, so the index is only ever asked about this workspace's rows)."""

    def sql(search: Search) -> tuple[str, list[object]]:
        return (
            "(occurred_us, id) IN (SELECT s.occurred_us, s.id FROM activity_search s "
            "WHERE s.workspace_id = ? AND s.doc @@ to_tsquery('simple', ?))",
            [workspace_id, tsquery(search)],
        )

    return sql


def bytea_literal(value: bytes) -> str:
    """A bytea constant for SQL text (hex digits only: nothing to escape)."""
    return f"'\\x{value.hex()}'::bytea"


def _configure(connection: psycopg.Connection[Any]) -> None:
    connection.adapters.register_loader("jsonb", TextLoader)


def _is_missing_partition(problem: errors.CheckViolation) -> bool:
    return "no partition of relation" in str(problem)


class PostgresTransaction:
    """The console's unit of work on one pooled connection (see `storage.base.Transaction`)."""

    for_update = " FOR UPDATE"

    def __init__(self, store: PostgresStore, connection: psycopg.Connection[Any], workspace_id: str) -> None:
        self._store = store
        self._connection = connection
        self._workspace_id = workspace_id
        self.actors: set[str] = set()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._connection.execute(_pg(sql), params).rowcount

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._connection.execute(_pg(sql), params).fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self._connection.execute(_pg(sql), params).fetchone()

    def record(self, workspace_id: str, entries: Sequence[Prepared]) -> RecordResult:
        if workspace_id != self._workspace_id:
            raise ValueError("a transaction records entries of its own workspace only")
        result, actors = self._store._write_entries(self._connection, self._workspace_id, entries)
        self.actors |= actors
        return result


class PostgresStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self._partitions = Partitions()
        self._known_actors: set[tuple[str, str]] = set()
        self._search_density: dict[tuple[str, str], tuple[bool, float]] = {}
        options = f"-c lock_timeout={LOCK_TIMEOUT}"
        # One direct connection first: an unreachable server or a missing schema fails now, with its reason.
        try:
            with psycopg.connect(
                conninfo(url), autocommit=True, options=options, connect_timeout=CONNECT_TIMEOUT_S
            ) as connection:
                if connection.execute("SELECT to_regclass('activities')").fetchone() in (None, (None,)):
                    raise ActivityLogError("the database has no activity log schema: run `activitylog db upgrade`")
                self._partitions.listing(connection)
                self._partitions.ensure_ahead(connection, now_us())
        except psycopg.OperationalError as problem:
            raise Unavailable(f"cannot use PostgreSQL: {str(problem).strip()}") from None
        self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            conninfo(url),
            min_size=POOL_MIN,
            max_size=POOL_MAX,
            timeout=CONNECT_TIMEOUT_S,
            kwargs={"autocommit": True, "options": options},
            configure=_configure,
            name="activitylog",
            open=True,
        )
        # Opened on the first page read (min_size 0): a store that never pages holds no connection for it.
        self._page_pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            conninfo(url),
            min_size=0,
            max_size=POOL_MAX,
            timeout=CONNECT_TIMEOUT_S,
            kwargs={"autocommit": True, "options": f"{options} {PAGE_POOL_OPTIONS}"},
            configure=_configure,
            name="activitylog-pages",
            open=True,
        )

    # Connections -------------------------------------------------------------------------------------

    @contextmanager
    def _connection(
        self, pool: ConnectionPool[psycopg.Connection[Any]] | None = None
    ) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection in autocommit mode (writes open `connection.transaction()` themselves)."""
        try:
            with (pool or self._pool).connection() as connection:
                yield connection
        except psycopg.OperationalError as problem:
            # Unreachable, restarting, a lock not granted, a pool exhausted: all worth a retry later.
            raise Unavailable(f"the database is unavailable: {str(problem).strip()}") from None

    @contextmanager
    def transaction(self, workspace_id: str) -> Iterator[PostgresTransaction]:
        with self._connection() as connection:
            # Console entries happen now: this month's partition exists before the transaction needs it.
            self._partitions.ensure(connection, [month_of(now_us())])
            unit = PostgresTransaction(self, connection, workspace_id)
            with connection.transaction():
                yield unit
            self._remember_actors(workspace_id, unit.actors)

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._connection() as connection:
            return connection.execute(_pg(sql), params).fetchall()

    def close(self) -> None:
        self._page_pool.close()
        self._pool.close()

    # Workspaces and teammates ------------------------------------------------------------------------

    def create_workspace(self, workspace: Workspace) -> Workspace:
        created = (
            workspace
            if workspace.created_us
            else Workspace(workspace.id, workspace.name, workspace.timezone, workspace.retention_days, now_us())
        )
        try:
            with self._connection() as connection:
                connection.execute(
                    f"INSERT INTO workspaces ({_WORKSPACE_COLUMNS}) VALUES (%s, %s, %s, %s, %s)",
                    (created.id, created.name, created.timezone, created.retention_days, created.created_us),
                )
        except errors.UniqueViolation:
            raise Conflict(f"workspace {workspace.id!r} already exists", field="id") from None
        return created

    def get_workspace(self, workspace_id: str) -> Workspace | None:
        with self._connection() as connection:
            row = connection.execute(
                f"SELECT {_WORKSPACE_COLUMNS} FROM workspaces WHERE id = %s", (workspace_id,)
            ).fetchone()
        return Workspace(*row) if row else None

    def list_workspaces(self) -> list[Workspace]:
        with self._connection() as connection:
            rows = connection.execute(f"SELECT {_WORKSPACE_COLUMNS} FROM workspaces ORDER BY created_us, id").fetchall()
        return [Workspace(*row) for row in rows]

    def set_retention(
        self, workspace_id: str, days: int, *, expected: int | None = None, entry: Prepared | None = None
    ) -> None:
        """Set the retention; with `entry`, record it in the same transaction (the change's log entry).

        `expected` is the period the caller saw: if another change came first, nothing is written (Conflict).
        """
        with self._connection() as connection:
            if entry is not None:
                self._partitions.ensure(connection, [month_of(entry.occurred_us)])
            with connection.transaction():
                row = connection.execute(
                    "SELECT retention_days FROM workspaces WHERE id = %s FOR UPDATE", (workspace_id,)
                ).fetchone()
                if row is None:
                    raise NotFound(f"no workspace {workspace_id!r}", field="workspace")
                if expected is not None and row[0] != expected:
                    raise Conflict(
                        "the retention period was changed meanwhile: reload and retry", field="retention_days"
                    )
                connection.execute("UPDATE workspaces SET retention_days = %s WHERE id = %s", (days, workspace_id))
                actors = self._write_entries(connection, workspace_id, [entry])[1] if entry is not None else set()
            self._remember_actors(workspace_id, actors)

    def upsert_teammates(self, teammates: Sequence[Teammate]) -> None:
        with self._connection() as connection, connection.transaction(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO teammates ({_TEAMMATE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (workspace_id, id) DO UPDATE SET name = excluded.name, email = excluded.email, "
                "role = excluded.role, status = excluded.status, kind = excluded.kind",
                [(t.workspace_id, t.id, t.name, t.email, t.role, t.status, t.kind) for t in teammates],
            )

    def list_teammates(self, workspace_id: str) -> list[Teammate]:
        with self._connection() as connection:
            rows = connection.execute(
                # The role's name where the console manages roles, else the role as events named it.
                "SELECT t.workspace_id, t.id, t.name, t.email, coalesce(r.name, t.role), t.status, t.kind "
                "FROM teammates t "
                "LEFT JOIN roles r ON r.workspace_id = t.workspace_id AND r.id = t.role WHERE t.workspace_id = %s "
                "ORDER BY t.status = 'deleted', lower(t.name), t.id",
                (workspace_id,),
            ).fetchall()
        return [Teammate(*row) for row in rows]

    def get_teammates(self, workspace_id: str, ids: Sequence[str]) -> dict[str, Teammate]:
        with self._connection() as connection:
            rows = connection.execute(
                f"SELECT {_TEAMMATE_COLUMNS} FROM teammates WHERE workspace_id = %s AND id = ANY(%s)",
                (workspace_id, list(dict.fromkeys(ids))),
            ).fetchall()
        return {row[1]: Teammate(*row) for row in rows}

    # Entries -----------------------------------------------------------------------------------------

    def record(self, workspace_id: str, batch: Sequence[Prepared]) -> RecordResult:
        # Every month from the batch's oldest to its newest: two month lookups instead of one per entry (an
        # empty month in between gets its partition early, which is harmless).
        times = [p.occurred_us for p in batch]
        months = months_between(month_of(min(times)), month_of(max(times))) if times else []
        with self._connection() as connection:
            for attempt in (1, 2):
                self._partitions.ensure(connection, months)
                try:
                    with connection.transaction():
                        result, actors = self._write_entries(connection, workspace_id, batch)
                    self._remember_actors(workspace_id, actors)
                    return result
                except errors.CheckViolation as problem:
                    if attempt == 2 or not _is_missing_partition(problem):
                        raise
                    # Another process dropped an expired partition we had cached: look again, then retry.
                    self._partitions.listing(connection)
        raise AssertionError("unreachable")  # pragma: no cover

    def _remember_actors(self, workspace_id: str, actors: set[str]) -> None:
        """Teammates known to exist (never deleted, only marked so): later batches skip inserting them."""
        if len(self._known_actors) > KNOWN_ACTORS_MAX:
            self._known_actors.clear()
        self._known_actors.update((workspace_id, actor) for actor in actors)

    @staticmethod
    def _lock_head(connection: psycopg.Connection[Any], workspace_id: str) -> tuple[int, bytes]:
        """The workspace's chain head, locked until the transaction ends (made at the first entry)."""
        select = "SELECT position, chain_hash FROM integrity_heads WHERE workspace_id = %s FOR UPDATE"
        head = connection.execute(select, (workspace_id,)).fetchone()
        if head is None:
            connection.execute(
                "INSERT INTO integrity_heads (workspace_id, position, chain_hash) VALUES (%s, 0, %s) "
                "ON CONFLICT (workspace_id) DO NOTHING",
                (workspace_id, chain.start(workspace_id, None)[1]),
            )
            head = connection.execute(select, (workspace_id,)).fetchone()
        return chain.start(workspace_id, head)

    def _write_entries(
        self, connection: psycopg.Connection[Any], workspace_id: str, batch: Sequence[Prepared]
    ) -> tuple[RecordResult, set[str]]:
        """Claim the batch's keys, then write the rest; runs inside the caller's transaction.

        Answers the result and the teammate ids now known to exist, to remember once the transaction commits.
        """
        # The chain head first: writers of one workspace queue here, before claiming any key, so two of them
        # never wait for each other's keys the other way round (see activitylog.integrity.chain).
        position, last = self._lock_head(connection, workspace_id)

        def planned(
            used: dict[str, str],
        ) -> tuple[list[tuple[Any, ...]], int, bytes, list[str], list[Duplicate], list[Prepared]]:
            kept, inserted, duplicates = plan(workspace_id, batch, first, used)
            return (*chain.link_rows(workspace_id, kept, position, last), inserted, duplicates, kept)

        first: dict[str, Prepared] = {}
        for prepared in batch:
            key = prepared.idempotency_key
            if key is not None and key not in first:
                first[key] = prepared
        if first:
            # Rows are planned and chained while the server stores the keys; if some were used before, again.
            used, fast = claim(connection, workspace_id, first, lambda: planned({}))
            rows, head, head_hash, inserted, duplicates, kept = fast or planned(used)
        else:
            rows, head, head_hash, inserted, duplicates, kept = planned({})
        write_rows(connection, rows)
        write_search_rows(connection, workspace_id, kept)
        if head != position:
            connection.execute(
                "UPDATE integrity_heads SET position = %s, chain_hash = %s WHERE workspace_id = %s",
                (head, head_hash, workspace_id),
            )
        actors = {
            p.actor.id: p.actor
            for p in batch
            if p.actor.type == "teammate"
            and p.actor.id
            and p.actor.name
            and (workspace_id, p.actor.id) not in self._known_actors
        }
        if actors:
            # Teammates first seen in events join the teammate filter as actors (kind's default): never members,
            # and an existing row, a member's above all, is left as it is.
            ordered = sorted(actors)
            connection.execute(
                "INSERT INTO teammates (workspace_id, id, name, email) "
                "SELECT %b, i, n, e FROM unnest(%b::text[], %b::text[], %b::text[]) AS actor (i, n, e) "
                "ON CONFLICT (workspace_id, id) DO NOTHING",
                (workspace_id, ordered, [actors[i].name for i in ordered], [actors[i].email for i in ordered]),
            )
        return RecordResult(inserted, duplicates), set(actors)

    def query(self, workspace_id: str, where: ActivityFilter, *, limit: int, after: Cursor | None = None) -> Page:
        pool, prepare = self._plan(where)
        with self._connection(pool) as connection:
            rows = None
            for window in self._search_windows(workspace_id, where, after):
                select = select_page(
                    workspace_id,
                    window,
                    limit=limit + 1,
                    after=after,
                    many_prefix="",
                    ip_literal=bytea_literal,
                    search_sql=self._search_sql(workspace_id, where),
                )
                rows = connection.execute(_pg(select.sql), select.params, prepare=prepare).fetchall()
                if len(rows) > limit:
                    break  # a full page within the window: nothing older can come before it
            assert rows is not None
        entries = [entry_of(workspace_id, row) for row in rows[:limit]]
        last = entries[-1] if entries else None
        return Page(entries, Cursor(last.occurred_us, last.id) if len(rows) > limit and last else None)

    def _plan(self, where: ActivityFilter) -> tuple[ConnectionPool[psycopg.Connection[Any]], bool]:
        """Where a page's statement runs, and whether it is prepared: a generic plan on the page pool, except
        for a search, whose cost depends on how common its words are (a generic plan cannot know: 500 ms for a
        rare word that a custom plan finds in 2); it is planned each time, on the general pool."""
        if where.search is not None and where.search.phrases:
            return self._pool, False
        return self._page_pool, True

    def _search_sql(self, workspace_id: str, where: ActivityFilter) -> SearchSql:
        """The search's condition: for a few matches (under DENSE_SEARCH), their keys read first from the words'
        index and handed to the page's statement as arrays, so each is one probe of the entries' key; for
        many, the index as a subquery (the time windows keep it short). Read as one statement, a rare word's
        subquery was planned as a hash join over every entry of the workspace (300 ms for 20 matches)."""
        search = where.search
        if search is None or not search.phrases or self._dense(workspace_id, search):
            return search_sql(workspace_id)
        with self._connection() as connection:
            keys = connection.execute(
                "SELECT occurred_us, id FROM activity_search WHERE workspace_id = %s "
                "AND doc @@ to_tsquery('simple', %s)",
                (workspace_id, tsquery(search)),
            ).fetchall()
        times, ids = [key[0] for key in keys], [key[1] for key in keys]

        def sql(_: Search) -> tuple[str, list[object]]:
            return "(occurred_us, id) IN (SELECT * FROM unnest(?::bigint[], ?::text[]))", [times, ids]

        return sql

    def _dense(self, workspace_id: str, search: Search) -> bool:
        """Whether the workspace has DENSE_SEARCH matches of the search or more (a bounded count on the GIN
        index, a few ms for a word), remembered a minute: the page, its scroll and its CSV ask again."""
        key = (workspace_id, tsquery(search))
        remembered = self._search_density.get(key)
        if remembered is not None and remembered[1] > time.monotonic():
            return remembered[0]
        with self._connection() as connection:
            row = connection.execute(
                "SELECT count(*) FROM (SELECT 1 FROM activity_search WHERE workspace_id = %s "
                "AND doc @@ to_tsquery('simple', %s) LIMIT %s) AS matches",
                (workspace_id, key[1], DENSE_SEARCH),
            ).fetchone()
        dense = row is not None and int(row[0]) >= DENSE_SEARCH
        if len(self._search_density) > 1024:
            self._search_density.clear()
        self._search_density[key] = (dense, time.monotonic() + 60)
        return dense

    def _search_windows(
        self, workspace_id: str, where: ActivityFilter, after: Cursor | None
    ) -> Iterator[ActivityFilter]:
        """For a search with many matches, the filter first narrowed to the last day before the page starts,
        then 2, 4, ... 512 days (doubling), then as it is; otherwise the filter alone.

        A common word's page lies in the newest day or so, and in a short stretch the planner walks the
        timeline checking each entry's words, where the full range would gather every match first (230,000
        for a word in a quarter of a million entries: 300 ms). A rare word is the other way round: its few
        matches come straight from the words' index, and a window would walk every entry in it. Exact either
        way: a window holding a full page has every match newer than its start."""
        if where.search is None or not where.search.phrases or not self._dense(workspace_id, where.search):
            yield where
            return
        top = after.occurred_us if after is not None else where.until_us
        if top is None:
            top = now_us()  # a window has no upper end then: entries timed in the future are in every one
        for days in SEARCH_WINDOW_DAYS:
            since = top - days * DAY_US
            if where.since_us is not None and since <= where.since_us:
                break
            yield replace(where, since_us=since)
        yield where

    def key_at(
        self, workspace_id: str, where: ActivityFilter, offset: int, *, oldest_first: bool = False
    ) -> Cursor | None:
        select = select_page(
            workspace_id,
            where,
            limit=1,
            offset=offset,
            oldest_first=oldest_first,
            columns=KEY_COLUMNS,
            many_prefix="",
            ip_literal=bytea_literal,
            search_sql=self._search_sql(workspace_id, where),
        )
        pool, prepare = self._plan(where)
        with self._connection(pool) as connection:
            row = connection.execute(_pg(select.sql), select.params, prepare=prepare).fetchone()
        return Cursor(row[1], row[0]) if row else None

    def iter_rows(
        self,
        workspace_id: str,
        where: ActivityFilter,
        *,
        batch_size: int = 5000,
        after: Cursor | None = None,
        keys_only: bool = False,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Pages of raw rows in ENTRY_COLUMNS order (metadata as JSON text), for the CSV export's hot loop.

        Each page is its own short query, so a slow consumer holds no connection and no snapshot.
        """
        columns, at_time = (KEY_COLUMNS, 1) if keys_only else (ENTRY_COLUMNS, OCCURRED_US)
        pool, prepare = self._plan(where)
        searching = self._search_sql(workspace_id, where)  # a few matches' keys are read once, not per batch
        while True:
            select = select_page(
                workspace_id,
                where,
                limit=batch_size,
                after=after,
                many_prefix="",
                ip_literal=bytea_literal,
                columns=columns,
                search_sql=searching,
            )
            with self._connection(pool) as connection:
                rows = connection.execute(_pg(select.sql), select.params, prepare=prepare).fetchall()
            if rows:
                yield rows
            if len(rows) < batch_size:
                return
            after = Cursor(rows[-1][at_time], rows[-1][0])

    def get_entry(self, workspace_id: str, entry_id: str) -> Entry | None:
        with self._connection() as connection:
            row = connection.execute(
                f"SELECT {ENTRY_COLUMNS} FROM activities WHERE workspace_id = %s AND id = %s", (workspace_id, entry_id)
            ).fetchone()
        return entry_of(workspace_id, row) if row else None

    def count(self, workspace_id: str, where: ActivityFilter) -> int:
        select = select_count(
            workspace_id, where, ip_literal=bytea_literal, search_sql=self._search_sql(workspace_id, where)
        )
        with self._connection() as connection:
            row = connection.execute(_pg(select.sql), select.params).fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _counter(connection: psycopg.Connection[Any]) -> day_counts.Run:
        """Runs the per-day and per-range counts. Not through `_pg`: these statements vary with the number of
        days or ranges, and its cache would keep every one."""
        return lambda select: connection.execute(select.sql.replace("?", "%s"), select.params).fetchall()

    def count_by_day(self, workspace_id: str, where: ActivityFilter, timezone: str) -> list[tuple[date, int]]:
        with self._connection() as connection:
            return day_counts.count_by_day(
                self._counter(connection),
                workspace_id,
                where,
                timezone,
                ip_literal=bytea_literal,
                search_sql=self._search_sql(workspace_id, where),
            )

    def count_in_ranges(self, workspace_id: str, where: ActivityFilter, ranges: list[tuple[int, int]]) -> list[int]:
        with self._connection() as connection:
            return day_counts.count_in_ranges(
                self._counter(connection),
                workspace_id,
                where,
                ranges,
                ip_literal=bytea_literal,
                search_sql=self._search_sql(workspace_id, where),
            )

    # Retention and maintenance -----------------------------------------------------------------------

    def purge(self, workspace_id: str, cutoff_us: int) -> PurgeResult:
        """Remove the workspace's entries older than `cutoff_us`: see `postgres.purge` for the rule."""
        # What the rest of the chain needs of the entries about to go, kept before any of them goes.
        with self.transaction(workspace_id) as unit:
            seal_expired(unit, workspace_id, cutoff_us)
        result = purge.purge(self._connection, self._partitions, workspace_id, cutoff_us)
        # Retention runs daily in the server: a good moment to create the coming months' partitions too.
        self.ensure_partitions()
        return result

    def ensure_partitions(self) -> list[str]:
        """Create this month's partition and the next MONTHS_AHEAD months' if missing; answers those created."""
        with self._connection() as connection:
            return self._partitions.ensure_ahead(connection, now_us())

    def partitions(self) -> list[tuple[str, int, int]]:
        """Every partition of `activities` as (name, low, high), oldest first (for operators and tests)."""
        with self._connection() as connection:
            return [(p.name, p.low, p.high) for p in self._partitions.listing(connection)]

    def analyze(self) -> None:
        """Refresh the planner's statistics (after a bulk load such as the demo)."""
        with self._connection() as connection:
            connection.execute("ANALYZE workspaces, teammates, activities, idempotency_keys")
