"""The storage contract every backend implements, and the records it returns.

Invariants every backend keeps (the contract tests in tests/storage check each one on SQLite and PostgreSQL):
- everything is scoped by workspace id: no method reads or writes another workspace's rows;
- entries are append-only; the database itself refuses UPDATE and DELETE except on the retention path;
- `record` writes all of a batch or none of it, and skips (reports) entries whose idempotency key the
  workspace has already used, answering with the id the first write stored;
- `query` returns newest first, ordered by (occurred-at, id) descending, and pages by keyset cursor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from activitylog.domain.cursor import Cursor
from activitylog.domain.entry import Entry
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.prepared import Prepared

DEFAULT_RETENTION_DAYS = 365


@dataclass(frozen=True, slots=True)
class Workspace:
    id: str
    name: str
    timezone: str = "UTC"
    retention_days: int = DEFAULT_RETENTION_DAYS
    created_us: int = 0


@dataclass(frozen=True, slots=True)
class Teammate:
    workspace_id: str
    id: str
    name: str
    email: str | None = None
    role: str | None = None
    status: str = "active"  # invited, active, deleted
    #: "member": a teammate of the console (invited, demo, directory); "actor": known only from recorded events,
    #: which name it. An actor shows a name and email and joins the teammate filter, nothing more: it never
    #: signs in, is never found by email, holds no role (see migration 0005).
    kind: str = "member"

    @property
    def deleted(self) -> bool:
        return self.status == "deleted"

    @property
    def from_events(self) -> bool:
        return self.kind == "actor"


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token as stored: never its secret, only the secret's SHA-256 (the secret has 256 bits of entropy,
    so a fast hash is safe; a password hash would only slow every request)."""

    workspace_id: str
    id: str
    name: str
    secret_hash: str
    scopes: tuple[str, ...]
    created_us: int
    revoked_us: int | None = None
    last_used_us: int | None = None

    @property
    def active(self) -> bool:
        return self.revoked_us is None


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An item of a batch whose idempotency key was already used; `entry_id` is the stored entry's."""

    index: int
    idempotency_key: str
    entry_id: str


@dataclass(frozen=True, slots=True)
class RecordResult:
    inserted: list[str] = field(default_factory=list)  # ids, in batch order
    duplicates: list[Duplicate] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Entry]
    next_cursor: Cursor | None


@dataclass(frozen=True, slots=True)
class PurgeResult:
    workspace_id: str
    cutoff_us: int
    removed: int


class Reader(Protocol):
    """What storage's repositories (`accounts`, `sessions`, `tokens`) read through: a `Transaction` inside a
    change, a `StoreReader` outside one. SQL uses `?` placeholders and portable syntax; `for_update` is the
    row-lock suffix for a SELECT that reads what the transaction will change (empty where nothing is locked:
    outside a transaction, and on SQLite, whose write transactions are already serialised)."""

    for_update: str

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


class StoreReader:
    """A store's reads (`Store.read`: one statement, its read connections) in the shape of a transaction's."""

    for_update = ""  # no transaction, nothing to lock

    def __init__(self, store: Store) -> None:
        self._store = store

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._store.read(sql, params)


class Transaction(Reader, Protocol):
    """One write transaction of the console (a change and its log entry, stored together or not at all)."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; answers the number of rows it changed."""
        ...

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None: ...
    def record(self, workspace_id: str, entries: Sequence[Prepared]) -> RecordResult:
        """Record log entries of the transaction's workspace, committed with everything else or not at all;
        ValueError (a bug, never input) for another workspace's entries."""
        ...


class Store(Protocol):
    url: str

    def close(self) -> None: ...

    # The console's own tables (accounts, sessions, API tokens): portable SQL in a unit of work, and reads,
    # the SQL of which lives in storage/accounts.py, sessions.py and tokens.py.
    def transaction(self, workspace_id: str) -> AbstractContextManager[Transaction]: ...
    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    # Workspaces and teammates
    def create_workspace(self, workspace: Workspace) -> Workspace: ...
    def get_workspace(self, workspace_id: str) -> Workspace | None: ...
    def list_workspaces(self) -> list[Workspace]: ...
    def set_retention(
        self, workspace_id: str, days: int, *, expected: int | None = None, entry: Prepared | None = None
    ) -> None:
        """Set the period; record `entry` (the change's log entry) in the same transaction; Conflict if the
        stored period is not `expected` (another change came first)."""
        ...

    def upsert_teammates(self, teammates: Sequence[Teammate]) -> None: ...
    def list_teammates(self, workspace_id: str) -> list[Teammate]: ...
    def get_teammates(self, workspace_id: str, ids: Sequence[str]) -> dict[str, Teammate]: ...

    # Entries
    def record(self, workspace_id: str, batch: Sequence[Prepared]) -> RecordResult: ...
    def query(self, workspace_id: str, where: ActivityFilter, *, limit: int, after: Cursor | None = None) -> Page: ...
    def iter_rows(
        self,
        workspace_id: str,
        where: ActivityFilter,
        *,
        batch_size: int = 5000,
        after: Cursor | None = None,
        keys_only: bool = False,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Pages of raw rows in `storage.sql.ENTRY_COLUMNS` order (metadata as JSON text), newest first,
        starting after the `after` cursor; with `keys_only`, rows of just (id, occurred_us)."""
        ...

    def key_at(
        self, workspace_id: str, where: ActivityFilter, offset: int, *, oldest_first: bool = False
    ) -> Cursor | None:
        """The (time, id) of the match `offset` places from the newest (from the oldest with `oldest_first`),
        None when fewer match: one index range stepped over in the database, no row read, nothing walked here."""
        ...

    def get_entry(self, workspace_id: str, entry_id: str) -> Entry | None: ...
    def count(self, workspace_id: str, where: ActivityFilter) -> int: ...
    def count_by_day(self, workspace_id: str, where: ActivityFilter, timezone: str) -> list[tuple[date, int]]:
        """How many entries match `where` on each day, in the IANA `timezone`: every local day that the filter's
        range [since, until) touches (both are required), oldest first, days without entries included."""
        ...

    def count_in_ranges(self, workspace_id: str, where: ActivityFilter, ranges: list[tuple[int, int]]) -> list[int]:
        """How many entries match `where` (its own time range ignored) in each [since, until) of `ranges`."""
        ...

    # Retention
    def purge(self, workspace_id: str, cutoff_us: int) -> PurgeResult: ...

    # Maintenance
    def analyze(self) -> None:
        """Refresh the planner's statistics (after a bulk load)."""
        ...
