"""The storage contract on one SQLite file.

Invariants:
- WAL mode, so readers never wait for the writer; `synchronous=NORMAL`, so a committed batch survives a crash
  of the process (the WAL is written before commit returns; only a power loss may lose the last commits);
- one write connection guarded by a lock: all writes are serialised, the way a web server shares one
  SQLite file safely; each thread reads through its own connection;
- every write is one transaction (`BEGIN IMMEDIATE`), so a batch is stored whole or not at all;
- retention deletes in small batches, each its own short transaction, so writers never wait long;
- every entry has its row in the FTS5 table `activity_search` (rowid = the entry's `seq`), written in the
  transaction that records the entry and deleted in the one that deletes it: never one without the other.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from activitylog.domain.cursor import Cursor
from activitylog.domain.entry import Entry
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.prepared import ROW_FIELDS, Prepared
from activitylog.domain.search import Search, document_of
from activitylog.domain.stored import ID, OCCURRED_US, entry_of
from activitylog.errors import Conflict, NotFound, Unavailable
from activitylog.integrity import chain
from activitylog.storage import day_counts
from activitylog.storage.base import (
    Duplicate,
    Page,
    PurgeResult,
    RecordResult,
    Teammate,
    Workspace,
)
from activitylog.storage.migrate import sqlite_path
from activitylog.storage.purge_seal import seal_expired
from activitylog.storage.sql import (
    ENTRY_COLUMNS,
    INSERT_COLUMNS,
    KEY_COLUMNS,
    SearchSql,
    Select,
    fts5_query,
    select_count,
    select_page,
)
from activitylog.timeutil import now_us

# Every entry goes in with its place in the workspace's hash chain (see activitylog.integrity.chain).
_INSERTED = len(ROW_FIELDS) + len(chain.CHAIN_COLUMNS)
INSERT = (
    f"INSERT INTO activities ({INSERT_COLUMNS}, {', '.join(chain.CHAIN_COLUMNS)}) VALUES ({', '.join('?' * _INSERTED)})"
)
# With the entry's rowid given, so its search row can name it (see `_write_entries`).
INSERT_AT = (
    f"INSERT INTO activities (seq, {INSERT_COLUMNS}, {', '.join(chain.CHAIN_COLUMNS)}) "
    f"VALUES ({', '.join('?' * (_INSERTED + 1))})"
)
INSERT_SEARCH = "INSERT INTO activity_search (rowid, actor, body) VALUES (?, ?, ?)"
# The chain head, read and moved by the recording transaction (the one writer: nobody moves it meanwhile).
HEAD_SELECT = "SELECT position, chain_hash FROM integrity_heads WHERE workspace_id = ?"
HEAD_UPSERT = (
    "INSERT INTO integrity_heads (workspace_id, position, chain_hash) VALUES (?, ?, ?) "
    "ON CONFLICT (workspace_id) DO UPDATE SET position = excluded.position, chain_hash = excluded.chain_hash"
)
# Only a used idempotency key is skipped; any other conflict (an id collision, say) still fails the batch.
INSERT_SKIPPING_USED_KEYS = (
    f"{INSERT_AT} ON CONFLICT (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
)
PURGE_BATCH = 500  # rows per retention transaction: ~25 ms of writer lock (bench.sqlite_purge_bench; 1,000 took
# ~20 ms until each row had its search row to delete too, then ~50)
BUSY_TIMEOUT_MS = 5000
# Matches of an IP range past which walking the timeline finds a page sooner than sorting every match:
# about sqrt(page size x entries) for a million entries.
DENSE_IP_RANGE = 5000
# Matches of a search (in the whole file) past which a page walks the timeline and checks each entry against
# the index, instead of reading every match and sorting them by time.
DENSE_SEARCH = 5000
# A dense search's page is first looked for among the newest matches of the index (by rowid: recording order):
# this many, then four times as many more at each try, at most NEWEST_TRIES times (256 to 16,384), before the
# plan that reads every match. Small first: a word in a quarter of the entries fills a page from 256.
NEWEST_MATCHES = 256
NEWEST_TRIES = 4
MMAP_BYTES = 8 << 30


def _connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache per connection
    # Reads straight from the OS page cache instead of a read() call per page: halves the cost of a row when
    # an export walks the timeline index and fetches rows that sit all over the file.
    connection.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    return connection


def _unavailable(problem: sqlite3.OperationalError) -> bool:
    """The file, not the statement: full (disk or max_page_count), locked, busy, unreadable or read-only."""
    name = getattr(problem, "sqlite_errorname", "")
    return name.startswith(("SQLITE_FULL", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_READONLY"))


def _rollback(connection: sqlite3.Connection) -> None:
    """Roll back what is left: SQLite has already rolled back itself after some errors (a full disk)."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _KeysUsed(Exception):
    """An optimistic insert skipped an item whose idempotency key was used: roll back, record again looking."""


class SQLiteTransaction:
    """The console's unit of work on the write connection (see `storage.base.Transaction`)."""

    for_update = ""  # a write transaction (BEGIN IMMEDIATE) already excludes every other writer

    def __init__(self, store: SQLiteStore, connection: sqlite3.Connection, workspace_id: str) -> None:
        self._store = store
        self._connection = connection
        self._workspace_id = workspace_id

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._connection.execute(sql, params).rowcount

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._connection.execute(sql, params).fetchall()

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self._connection.execute(sql, params).fetchone()
        return row

    def record(self, workspace_id: str, entries: Sequence[Prepared]) -> RecordResult:
        if workspace_id != self._workspace_id:
            raise ValueError("a transaction records entries of its own workspace only")
        # The transaction holds the console's other writes, so it cannot be retried whole: entries with idempotency
        # keys have them looked up first (those without cannot conflict).
        optimistic = all(entry.idempotency_key is None for entry in entries)
        return self._store._write_entries(self._connection, self._workspace_id, entries, optimistic=optimistic)


class SQLiteStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.path = str(sqlite_path(url))
        self._writer = _connect(self.path)
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._ip_density: dict[tuple[str, bytes, bytes], tuple[str, float]] = {}
        self._search_density: dict[str, tuple[bool, float]] = {}

    # Connections -------------------------------------------------------------------------------------

    def _reader(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = _connect(self.path)
            self._local.connection = connection
            self._readers.append(connection)
        return connection

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._write_lock:
            connection = self._writer
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as problem:
                raise Unavailable(f"the database is busy: {problem}") from None
            try:
                yield connection
            except sqlite3.OperationalError as problem:
                _rollback(connection)
                if _unavailable(problem):
                    raise Unavailable(f"the database cannot take the write: {problem}", retry_after=5) from None
                raise
            except BaseException:
                _rollback(connection)
                raise
            try:
                connection.execute("COMMIT")
            except sqlite3.OperationalError as problem:
                _rollback(connection)
                raise Unavailable(f"the database could not commit: {problem}") from None

    @contextmanager
    def transaction(self, workspace_id: str) -> Iterator[SQLiteTransaction]:
        with self._write() as connection:
            yield SQLiteTransaction(self, connection, workspace_id)

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._reader().execute(sql, params).fetchall()

    def close(self) -> None:
        self._writer.close()
        for connection in self._readers:
            connection.close()
        self._readers.clear()

    # Workspaces and teammates ------------------------------------------------------------------------

    def create_workspace(self, workspace: Workspace) -> Workspace:
        created = (
            workspace
            if workspace.created_us
            else Workspace(workspace.id, workspace.name, workspace.timezone, workspace.retention_days, now_us())
        )
        try:
            with self._write() as connection:
                connection.execute(
                    "INSERT INTO workspaces (id, name, timezone, retention_days, created_us) VALUES (?, ?, ?, ?, ?)",
                    (created.id, created.name, created.timezone, created.retention_days, created.created_us),
                )
        except sqlite3.IntegrityError:
            raise Conflict(f"workspace {workspace.id!r} already exists", field="id") from None
        return created

    def get_workspace(self, workspace_id: str) -> Workspace | None:
        row = (
            self._reader()
            .execute(
                "SELECT id, name, timezone, retention_days, created_us FROM workspaces WHERE id = ?", (workspace_id,)
            )
            .fetchone()
        )
        return Workspace(*row) if row else None

    def list_workspaces(self) -> list[Workspace]:
        rows = (
            self._reader()
            .execute("SELECT id, name, timezone, retention_days, created_us FROM workspaces ORDER BY created_us, id")
            .fetchall()
        )
        return [Workspace(*row) for row in rows]

    def set_retention(
        self, workspace_id: str, days: int, *, expected: int | None = None, entry: Prepared | None = None
    ) -> None:
        """Set the retention; with `entry`, record it in the same transaction (the change's log entry).

        `expected` is the period the caller saw: if another change came first, nothing is written (Conflict).
        """
        with self._write() as connection:
            row = connection.execute("SELECT retention_days FROM workspaces WHERE id = ?", (workspace_id,)).fetchone()
            if row is None:
                raise NotFound(f"no workspace {workspace_id!r}", field="workspace")
            if expected is not None and row[0] != expected:
                raise Conflict("the retention period was changed meanwhile: reload and retry", field="retention_days")
            connection.execute("UPDATE workspaces SET retention_days = ? WHERE id = ?", (days, workspace_id))
            if entry is not None:
                self._write_entries(connection, workspace_id, [entry], optimistic=entry.idempotency_key is None)

    def upsert_teammates(self, teammates: Sequence[Teammate]) -> None:
        with self._write() as connection:
            connection.executemany(
                """
                INSERT INTO teammates (workspace_id, id, name, email, role, status, kind) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (workspace_id, id) DO UPDATE SET name = excluded.name, email = excluded.email,
                    role = excluded.role, status = excluded.status, kind = excluded.kind
                """,
                [(t.workspace_id, t.id, t.name, t.email, t.role, t.status, t.kind) for t in teammates],
            )

    def list_teammates(self, workspace_id: str) -> list[Teammate]:
        rows = (
            self._reader()
            .execute(
                # The role's name where the console manages roles, else the role as events named it.
                "SELECT t.workspace_id, t.id, t.name, t.email, coalesce(r.name, t.role), t.status, t.kind "
                "FROM teammates t "
                "LEFT JOIN roles r ON r.workspace_id = t.workspace_id AND r.id = t.role WHERE t.workspace_id = ? "
                "ORDER BY t.status = 'deleted', t.name COLLATE NOCASE, t.id",
                (workspace_id,),
            )
            .fetchall()
        )
        return [Teammate(*row) for row in rows]

    def get_teammates(self, workspace_id: str, ids: Sequence[str]) -> dict[str, Teammate]:
        found: dict[str, Teammate] = {}
        for chunk in _chunks(list(dict.fromkeys(ids)), 500):
            rows = (
                self._reader()
                .execute(
                    "SELECT workspace_id, id, name, email, role, status, kind FROM teammates "
                    f"WHERE workspace_id = ? AND id IN ({', '.join('?' * len(chunk))})",
                    (workspace_id, *chunk),
                )
                .fetchall()
            )
            found.update({row[1]: Teammate(*row) for row in rows})
        return found

    # Entries -----------------------------------------------------------------------------------------

    def record(self, workspace_id: str, batch: Sequence[Prepared]) -> RecordResult:
        try:
            with self._write() as connection:
                return self._write_entries(connection, workspace_id, batch, optimistic=True)
        except _KeysUsed:
            with self._write() as connection:  # the first try was rolled back: again, looking the keys up first
                return self._write_entries(connection, workspace_id, batch, optimistic=False)

    def record_batches(self, batches: Sequence[tuple[str, Sequence[Prepared]]]) -> list[RecordResult]:
        """Several requests' batches in one transaction (group commit, see storage/writer.py): all or none.

        A later batch sees the keys an earlier one used, so a key repeated across batches is stored once.
        """
        try:
            with self._write() as connection:
                return [self._write_entries(connection, ws, batch, optimistic=True) for ws, batch in batches]
        except _KeysUsed:
            with self._write() as connection:
                return [self._write_entries(connection, ws, batch, optimistic=False) for ws, batch in batches]

    def _write_entries(
        self, connection: sqlite3.Connection, workspace_id: str, batch: Sequence[Prepared], *, optimistic: bool
    ) -> RecordResult:
        """Insert a batch, skipping idempotency keys already used; runs inside the caller's write transaction.

        Each row goes in with its position and hash in the workspace's chain, continuing from the chain head
        (one writer at a time: nobody else moves the head meanwhile); a skipped item must never leave a gap.
        Used keys are found one of two ways:
        - `optimistic`, when the caller can roll its whole transaction back and try again: the insert skips them
          itself (ON CONFLICT DO NOTHING), and only if it wrote fewer rows than it was given (a retry, which is
          rare) is _KeysUsed raised, for the caller to do just that. The common case costs no lookup at all;
        - otherwise, by looking the batch's keys up before inserting.
        Not with a savepoint to undo just the batch: while one is open, SQLite copies every page the insert
        touches to a sub-journal, which cost 15-50% more per entry at 0.3-1M entries (bench.sqlite_bench).
        """
        position, last = chain.start(workspace_id, connection.execute(HEAD_SELECT, (workspace_id,)).fetchone())
        # Rowids given here, after the largest (what SQLite would pick itself; the one writer holds the file), so
        # each entry's search row names it in the same transaction.
        seq = connection.execute("SELECT coalesce(max(seq), 0) FROM activities").fetchone()[0] + 1
        if optimistic:
            kept = batch
            rows, head, head_hash = chain.link_rows(workspace_id, batch, position, last)
            numbered = [(seq + n, *row) for n, row in enumerate(rows)]
            if connection.executemany(INSERT_SKIPPING_USED_KEYS, numbered).rowcount != len(batch):
                raise _KeysUsed  # rolled back whole, search rows and all
            result = RecordResult([row[1] for row in rows], [])  # the id, second of ROW_FIELDS
        else:
            kept, result = self._without_duplicates(connection, workspace_id, batch)
            rows, head, head_hash = chain.link_rows(workspace_id, kept, position, last)
            connection.executemany(INSERT_AT, [(seq + n, *row) for n, row in enumerate(rows)])
        # (type, actor, ip) at 2, 3-6 and 9 of ROW_FIELDS
        connection.executemany(
            INSERT_SEARCH,
            [(seq + n, *document_of(p)) for n, p in enumerate(kept)],
        )
        if head != position:
            connection.execute(HEAD_UPSERT, (workspace_id, head, head_hash))
        # Teammates first seen in events join the teammate filter as actors (kind's default): never members, and
        # an existing row, a member's above all, is left as it is. From the rows (actor_type, actor_id,
        # actor_name, actor_email at 3 to 6): this runs for every recorded entry.
        actors = {p.row[4]: p.row for p in batch if p.row[3] == "teammate" and p.row[5]}
        if actors:
            connection.executemany(
                "INSERT INTO teammates (workspace_id, id, name, email) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (workspace_id, id) DO NOTHING",
                [(workspace_id, row[4], row[5], row[6]) for row in actors.values()],
            )
        return result

    @staticmethod
    def _without_duplicates(
        connection: sqlite3.Connection, workspace_id: str, batch: Sequence[Prepared]
    ) -> tuple[list[Prepared], RecordResult]:
        """The items to insert, and the result: an item whose key was used before, or earlier in the batch, is
        a duplicate of the entry that used it first."""
        keys = list(dict.fromkeys(p.idempotency_key for p in batch if p.idempotency_key is not None))
        stored: dict[str, str] = {}
        for chunk in _chunks(keys, 500):
            stored.update(
                connection.execute(
                    "SELECT idempotency_key, id FROM activities "
                    f"WHERE workspace_id = ? AND idempotency_key IN ({', '.join('?' * len(chunk))})",
                    (workspace_id, *chunk),
                ).fetchall()
            )
        kept: list[Prepared] = []
        inserted: list[str] = []
        duplicates: list[Duplicate] = []
        for index, prepared in enumerate(batch):
            key = prepared.idempotency_key
            if key is not None and key in stored:
                duplicates.append(Duplicate(index, key, stored[key]))
                continue
            if key is not None:
                stored[key] = prepared.id
            kept.append(prepared)
            inserted.append(prepared.id)
        return kept, RecordResult(inserted, duplicates)

    def _ip_prefix(self, workspace_id: str, where: ActivityFilter) -> str:
        """`+` (keep the IP index out of the plan) when the filter's IP range matches many entries.

        Without histograms SQLite cannot tell a /24 holding a third of the log from one holding nothing, and
        picks the IP index for both: for the wide one it then sorts every match (a second on a million
        entries) where walking the timeline finds a page in a millisecond; for the empty one the timeline
        walk would read everything. A bounded count on the IP index (under a few ms) tells them apart.
        """
        ip = where.ip
        if ip is None or ip.low == ip.high:  # one address: its index range is already in time order
            return ""
        # Remembered for a minute: the pages of one scroll, and the CSV export after them, ask again and again,
        # and how many entries an address block holds changes slowly.
        key = (workspace_id, ip.low, ip.high)
        remembered = self._ip_density.get(key)
        if remembered is not None and remembered[1] > time.monotonic():
            return remembered[0]
        found = (
            self._reader()
            .execute(
                "SELECT count(*) FROM (SELECT 1 FROM activities WHERE workspace_id = ? AND ip_key BETWEEN ? AND ? "
                "LIMIT ?)",
                (workspace_id, ip.low, ip.high, DENSE_IP_RANGE),
            )
            .fetchone()[0]
        )
        prefix = "+" if found >= DENSE_IP_RANGE else ""
        if len(self._ip_density) > 1024:
            self._ip_density.clear()
        self._ip_density[key] = (prefix, time.monotonic() + 60)
        return prefix

    def _search_sql(self, where: ActivityFilter) -> SearchSql | None:
        """How this filter's search is written: from the index's matches when they are few, else as a check of
        each entry the other conditions walk to, in page order.

        Few matches: `seq IN (matches)` reads each match by rowid and sorts them (a few thousand at most). Many:
        walking the timeline (or the type or teammate index) finds a page's entries after a few hundred steps,
        each checked against the index's match list (built once per statement), where reading and sorting
        every match of a common word would take a second. A bounded count on the index tells them apart; it
        counts every workspace's matches, but the page's own workspace condition still applies in both plans.
        """
        search = where.search
        if search is None or not search.phrases:
            return None
        expression = fts5_query(search)
        column = "+seq" if self._dense(search) else "seq"

        def sql(_: Search) -> tuple[str, list[object]]:
            return f"{column} IN (SELECT rowid FROM activity_search WHERE activity_search MATCH ?)", [expression]

        return sql

    def _dense(self, search: Search) -> bool:
        """Whether the search matches DENSE_SEARCH entries or more (in the whole file), remembered a minute."""
        expression = fts5_query(search)
        remembered = self._search_density.get(expression)
        if remembered is not None and remembered[1] > time.monotonic():
            dense = remembered[0]
        else:
            found = (
                self._reader()
                .execute(
                    "SELECT count(*) FROM (SELECT 1 FROM activity_search WHERE activity_search MATCH ? LIMIT ?)",
                    (expression, DENSE_SEARCH),
                )
                .fetchone()[0]
            )
            dense = found >= DENSE_SEARCH
            if len(self._search_density) > 1024:
                self._search_density.clear()
            self._search_density[expression] = (dense, time.monotonic() + 60)
        return dense

    def page_select(
        self, workspace_id: str, where: ActivityFilter, *, limit: int, after: Cursor | None = None
    ) -> Select:
        """The SQL `query` runs for a page of `limit` rows (the benchmarks time it raw)."""
        ip_prefix = self._ip_prefix(workspace_id, where)
        return select_page(
            workspace_id, where, limit=limit, after=after, ip_prefix=ip_prefix, search_sql=self._search_sql(where)
        )

    def _newest_first(
        self, workspace_id: str, where: ActivityFilter, *, limit: int, after: Cursor | None
    ) -> list[tuple[Any, ...]] | None:
        """A page of a search with many matches, from the index's newest matches only; None when that cannot
        be shown to be the page (then the caller reads every match).

        Entries are recorded in about time order, so the page is almost always among the last matches
        recorded (the highest rowids, which FTS5 reads backwards cheaply). The page found among the matches
        read so far is the true page when no entry older in the file (a rowid below those read) is as recent as
        its last row: checked on the timeline index, over just the page's own stretch of time. A backfill that
        recorded old rowids for recent times fails the check, and the full plan answers.
        """
        search = where.search
        assert search is not None
        expression = fts5_query(search)
        reader = self._reader()
        ip_prefix = self._ip_prefix(workspace_id, where)
        candidates: list[tuple[Any, ...]] = []
        lowest: int | None = None
        for attempt in range(NEWEST_TRIES):
            wanted = NEWEST_MATCHES * 4**attempt
            bound, bound_params = ("AND rowid < ? ", [lowest]) if lowest is not None else ("", [])
            ids = [
                row[0]
                for row in reader.execute(
                    "SELECT rowid FROM activity_search WHERE activity_search MATCH ? "
                    f"{bound}ORDER BY rowid DESC LIMIT ?",
                    [expression, *bound_params, wanted],
                )
            ]
            if not ids:
                break
            lowest = ids[-1]

            def among(_: Search, chunk: str = json.dumps(ids)) -> tuple[str, list[object]]:
                return "seq IN (SELECT value FROM json_each(?))", [chunk]

            select = select_page(workspace_id, where, limit=limit, after=after, ip_prefix=ip_prefix, search_sql=among)
            candidates += reader.execute(select.sql, select.params).fetchall()
            candidates.sort(key=lambda row: (row[OCCURRED_US], row[ID]), reverse=True)
            del candidates[limit:]
            if len(ids) < wanted:
                return candidates  # every match was read
            if len(candidates) == limit:
                last = candidates[-1]
                window, window_params = "", []
                if after is not None:
                    window, window_params = "AND (occurred_us, id) < (?, ?) ", [after.occurred_us, after.id]
                older_but_recent = reader.execute(
                    "SELECT 1 FROM activities INDEXED BY activities_by_time WHERE workspace_id = ? "
                    f"AND (occurred_us, id) >= (?, ?) {window}AND seq < ? LIMIT 1",
                    [workspace_id, last[OCCURRED_US], last[ID], *window_params, lowest],
                ).fetchone()
                return None if older_but_recent else candidates
        return None

    def query(self, workspace_id: str, where: ActivityFilter, *, limit: int, after: Cursor | None = None) -> Page:
        rows = None
        if where.search is not None and where.search.phrases and self._dense(where.search):
            rows = self._newest_first(workspace_id, where, limit=limit + 1, after=after)
        if rows is None:
            select = self.page_select(workspace_id, where, limit=limit + 1, after=after)
            rows = self._reader().execute(select.sql, select.params).fetchall()
        entries = [entry_of(workspace_id, row) for row in rows[:limit]]
        more = len(rows) > limit
        last = entries[-1] if entries else None
        return Page(entries, Cursor(last.occurred_us, last.id) if more and last else None)

    def key_at(
        self, workspace_id: str, where: ActivityFilter, offset: int, *, oldest_first: bool = False
    ) -> Cursor | None:
        ip_prefix = self._ip_prefix(workspace_id, where)
        select = select_page(
            workspace_id,
            where,
            limit=1,
            offset=offset,
            oldest_first=oldest_first,
            columns=KEY_COLUMNS,
            ip_prefix=ip_prefix,
            search_sql=self._search_sql(where),
        )
        row = self._reader().execute(select.sql, select.params).fetchone()
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
        """Pages of raw rows in ENTRY_COLUMNS order, for the CSV export's hot loop."""
        reader = self._reader()
        ip_prefix = self._ip_prefix(workspace_id, where)
        columns, at_time = (KEY_COLUMNS, 1) if keys_only else (ENTRY_COLUMNS, OCCURRED_US)
        search_sql = self._search_sql(where)
        while True:
            select = select_page(
                workspace_id,
                where,
                limit=batch_size,
                after=after,
                ip_prefix=ip_prefix,
                columns=columns,
                search_sql=search_sql,
            )
            rows = reader.execute(select.sql, select.params).fetchall()
            if rows:
                yield rows
            if len(rows) < batch_size:
                return
            after = Cursor(rows[-1][at_time], rows[-1][0])

    def get_entry(self, workspace_id: str, entry_id: str) -> Entry | None:
        row = (
            self._reader()
            .execute(
                f"SELECT {ENTRY_COLUMNS} FROM activities WHERE workspace_id = ? AND id = ?", (workspace_id, entry_id)
            )
            .fetchone()
        )
        return entry_of(workspace_id, row) if row else None

    def count(self, workspace_id: str, where: ActivityFilter) -> int:
        select = select_count(workspace_id, where, search_sql=self._search_sql(where))
        return int(self._reader().execute(select.sql, select.params).fetchone()[0])

    def count_by_day(self, workspace_id: str, where: ActivityFilter, timezone: str) -> list[tuple[date, int]]:
        reader = self._reader()
        return day_counts.count_by_day(
            lambda select: reader.execute(select.sql, select.params).fetchall(),
            workspace_id,
            where,
            timezone,
            ip_prefix="+",
            search_sql=self._search_sql(where),
        )

    def count_in_ranges(self, workspace_id: str, where: ActivityFilter, ranges: list[tuple[int, int]]) -> list[int]:
        reader = self._reader()
        return day_counts.count_in_ranges(
            lambda select: reader.execute(select.sql, select.params).fetchall(),
            workspace_id,
            where,
            ranges,
            search_sql=self._search_sql(where),
        )

    # Retention ---------------------------------------------------------------------------------------

    def purge(self, workspace_id: str, cutoff_us: int) -> PurgeResult:
        with self._write() as connection:
            run_id = connection.execute(
                "INSERT INTO retention_runs (workspace_id, cutoff_us, started_us) VALUES (?, ?, ?)",
                (workspace_id, cutoff_us, now_us()),
            ).lastrowid
        # What the rest of the chain needs of the entries about to go, kept before any of them goes.
        with self.transaction(workspace_id) as unit:
            seal_expired(unit, workspace_id, cutoff_us)
        removed = 0
        while True:
            with self._write() as connection:
                # The batch's rows named first, so the entries and their search rows go together, exactly.
                doomed = connection.execute(
                    "SELECT seq FROM activities WHERE workspace_id = ? AND occurred_us < ? LIMIT ?",
                    (workspace_id, cutoff_us, PURGE_BATCH),
                ).fetchall()
                connection.executemany("DELETE FROM activity_search WHERE rowid = ?", doomed)
                deleted = connection.executemany("DELETE FROM activities WHERE seq = ?", doomed).rowcount
            removed += deleted
            if deleted < PURGE_BATCH:
                break
        with self._write() as connection:
            connection.execute(
                "UPDATE retention_runs SET finished_us = ?, removed = ? WHERE id = ?", (now_us(), removed, run_id)
            )
        return PurgeResult(workspace_id, cutoff_us, removed)

    def analyze(self) -> None:
        """Refresh the planner's statistics (after a bulk load such as the demo)."""
        with self._write_lock:
            self._writer.execute("ANALYZE")
