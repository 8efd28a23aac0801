"""The activity log's operations, over any store: record, query, export, retention.

Every surface (CLI, HTTP API, web page, in-process recorder) goes through here, so validation, the retention
cut-off and the filter model are applied the same way everywhere. The workspace is resolved once per call
and passed down; nothing of another workspace is reachable from it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import Any

from activitylog import ids
from activitylog.domain.channel import SYSTEM, Channel
from activitylog.domain.cursor import Cursor
from activitylog.domain.days import hours_of
from activitylog.domain.entry import Entry
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.prepared import Prepared
from activitylog.errors import InvalidInput, NotFound
from activitylog.ingest.batch import prepare_batch, without_index
from activitylog.ingest.intake import Intake
from activitylog.ingest.sinks import AsyncSink, Sink
from activitylog.ingest.validation import EventIn
from activitylog.storage.base import (
    Page,
    PurgeResult,
    Reader,
    RecordResult,
    Store,
    StoreReader,
    Teammate,
    Transaction,
    Workspace,
)
from activitylog.timeutil import DAY_US, now_us

MAX_PAGE = 500
# A few events validate faster than a hop to the thread pool costs; a big batch must not stall the event loop.
INLINE_PREPARE = 16
MIN_RETENTION_DAYS, MAX_RETENTION_DAYS = 30, 3650
# How a change of the retention period is logged: a type of its own. It once was `security_settings_change`,
# which gave that type a data shape the Security page never had (issue 17, bug 6).
RETENTION_CHANGE = "app_data_retention_change"


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch did: ids written, in batch order, and items skipped as already recorded."""

    result: RecordResult

    @property
    def inserted(self) -> list[str]:
        return self.result.inserted

    def as_dict(self) -> dict[str, Any]:
        return {
            "inserted": len(self.result.inserted),
            "ids": self.result.inserted,
            "duplicates": [
                {"index": d.index, "idempotency_key": d.idempotency_key, "id": d.entry_id}
                for d in self.result.duplicates
            ],
        }


class ActivityLog:
    def __init__(self, store: Store, *, clock: Callable[[], int] = now_us) -> None:
        self.store = store
        self.clock = clock
        #: What app services' repositories (storage.accounts, .sessions, .tokens) read through, outside a change.
        self.reader: Reader = StoreReader(store)

    # Units of work for app services ------------------------------------------------------------------

    def transaction(self, workspace: Workspace) -> AbstractContextManager[Transaction]:
        """One transaction of the workspace for an app service's change: its writes (through storage's
        repositories) and its entries (`record(workspace, events, via=tx)`) commit together or not at all."""
        return self.store.transaction(workspace.id)

    # Workspaces --------------------------------------------------------------------------------------

    def workspaces(self) -> list[Workspace]:
        return self.store.list_workspaces()

    def workspace(self, workspace_id: str | Workspace) -> Workspace:
        """The workspace by id. A Workspace already resolved (by the API's token, say) is used as it is, so a
        request looks its tenant up once and passes it down."""
        if isinstance(workspace_id, Workspace):
            return workspace_id
        workspace = self.store.get_workspace(workspace_id)
        if workspace is None:
            raise NotFound(f"no workspace {workspace_id!r}", field="workspace")
        return workspace

    def find_workspace(self, workspace_id: str) -> Workspace | None:
        """The workspace by id, or None (a token's workspace may be gone; the readiness probe asks for none)."""
        return self.store.get_workspace(workspace_id)

    def earliest_us(self, workspace: Workspace) -> int:
        """Entries before this are past the retention period: never returned, even before purge."""
        return self.clock() - workspace.retention_days * DAY_US

    def set_retention(
        self,
        workspace_id: str,
        days: int,
        *,
        actor: Mapping[str, Any] | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        request_id: str | None = None,
        channel: Channel = SYSTEM,
    ) -> int:
        """Keep the workspace's entries `days` days; answers the previous period.

        A real change is logged as `app_data_retention_change` with before/after, in the same transaction as
        the change itself; `actor` is who made it (the system when not given), `channel` how it arrived.
        Setting the same period again changes and logs nothing.
        """
        if not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
            raise InvalidInput.single(
                "retention_days", f"must be between {MIN_RETENTION_DAYS} and {MAX_RETENTION_DAYS} days"
            )
        workspace = self.workspace(workspace_id)
        before = workspace.retention_days
        if days == before:
            return before
        event: dict[str, Any] = {
            "type": RETENTION_CHANGE,
            "actor": dict(actor) if actor is not None else {"type": "system"},
            "metadata": {"before": {"retention_days": before}, "after": {"retention_days": days}},
        }
        for name, value in (("ip", ip), ("user_agent", user_agent), ("request_id", request_id)):
            if value is not None:
                event[name] = value
        [entry] = self.prepare(workspace, [event], single=True, channel=channel)
        self.store.set_retention(workspace.id, days, expected=before, entry=entry)
        return before

    # Recording ---------------------------------------------------------------------------------------

    def record(
        self,
        workspace_id: str | Workspace,
        items: Sequence[Mapping[str, Any] | EventIn],
        *,
        via: Sink | None = None,
        channel: Channel | None = None,
        id_for: Callable[[int], str] | None = None,
        single: bool = False,
    ) -> BatchResult:
        """Validate every item, then store all of them or none; repeated idempotency keys are skipped.

        The only way entries are written (`ingest`): `via` is where they go, the store in a transaction of its
        own by default, or a store transaction that holds other writes, or the group-commit writer. `channel`
        is how the batch arrived (console, API token, command line, system: `domain.channel`), stored with
        every entry; every producer of this package names one (tests/architecture/test_channels.py), and only
        an application embedding the library may leave it out (the entries then show no channel). `single`:
        the caller sent one event, not a list, so its errors carry no batch index.
        """
        workspace = self.workspace(workspace_id)
        prepared = self.prepare(workspace, items, id_for=id_for, single=single, channel=channel)
        return BatchResult((self.store if via is None else via).record(workspace.id, prepared))

    async def record_async(
        self,
        workspace: Workspace,
        items: Sequence[Mapping[str, Any] | EventIn],
        *,
        via: AsyncSink,
        channel: Channel,
        single: bool = False,
    ) -> BatchResult:
        """`record` for the event loop, through the group-commit writer; a big batch is validated in a thread so
        it does not stall the loop (a few events validate faster than the hop to a thread costs)."""
        if len(items) <= INLINE_PREPARE:
            prepared = self.prepare(workspace, items, single=single, channel=channel)
        else:
            prepared = await asyncio.to_thread(self.prepare, workspace, items, single=single, channel=channel)
        return BatchResult(await via.record_async(workspace.id, prepared))

    def record_one(
        self,
        workspace_id: str | Workspace,
        item: Mapping[str, Any] | EventIn,
        *,
        via: Sink | None = None,
        channel: Channel | None = None,
    ) -> str:
        """Record one event; answers the entry's id (the first write's id on an idempotent retry)."""
        result = self.record(workspace_id, [item], via=via, channel=channel, single=True).result
        return result.inserted[0] if result.inserted else result.duplicates[0].entry_id

    def prepare(
        self,
        workspace: Workspace,
        items: Sequence[Mapping[str, Any] | EventIn],
        *,
        id_for: Callable[[int], str] | None = None,
        single: bool = False,
        channel: Channel | None = None,
    ) -> list[Prepared]:
        """The batch validated and built into rows, not written (`record` writes; stores' own tests and the
        benchmarks hand rows to a store directly)."""
        via = None if channel is None else channel.stored
        intake = Intake(workspace.id, workspace.retention_days, self.clock(), id_for or ids.entry_id, via)
        try:
            return prepare_batch(items, intake, directory=partial(self.store.get_teammates, workspace.id))
        except InvalidInput as problem:
            if single:
                raise without_index(problem) from None
            raise

    # Reading -----------------------------------------------------------------------------------------

    def query(
        self,
        workspace_id: str | Workspace,
        where: ActivityFilter,
        *,
        limit: int = 50,
        cursor: str | Cursor | None = None,
    ) -> Page:
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput.single("limit", f"must be between 1 and {MAX_PAGE}")
        workspace = self.workspace(workspace_id)
        after = Cursor.decode(cursor) if isinstance(cursor, str) else cursor
        return self.store.query(workspace.id, where.clamp(self.earliest_us(workspace)), limit=limit, after=after)

    def seek(
        self, workspace_id: str | Workspace, where: ActivityFilter, skip: int, *, total: int | None = None
    ) -> Cursor | None:
        """The cursor after the first `skip` (at least 1) matching entries, newest first: where a page that
        starts `skip` entries deep starts (with exactly `skip` matches, the last: nothing follows it). None
        when fewer than `skip` match.

        One query that steps over index entries inside the database, from the newest end; given `total` (the
        number of matches, as `count` answers), from whichever end is nearer, so the last page costs what the
        first does. A `total` that has gone stale only moves a page found from the oldest end by the entries
        recorded since; past the end of what is there, the newest end is asked instead.
        """
        if skip < 1:
            raise ValueError("skip at least one entry: the first page needs no cursor")  # a bug, never input
        workspace = self.workspace(workspace_id)
        clamped = where.clamp(self.earliest_us(workspace))
        # The entry before the page is `skip - 1` from the newest, or `total - skip` from the oldest.
        if total is not None and skip < total and total - skip < skip - 1:
            found = self.store.key_at(workspace.id, clamped, total - skip, oldest_first=True)
            if found is not None:
                return found
        return self.store.key_at(workspace.id, clamped, skip - 1)

    def iter_entries(self, workspace_id: str | Workspace, where: ActivityFilter) -> Iterator[Entry]:
        workspace = self.workspace(workspace_id)
        return self._pages(workspace.id, where.clamp(self.earliest_us(workspace)))

    def _pages(self, workspace_id: str, where: ActivityFilter, batch_size: int = 1000) -> Iterator[Entry]:
        """Every entry `where` matches, newest first, a page of the store's at a time (memory stays flat)."""
        after: Cursor | None = None
        while True:
            page = self.store.query(workspace_id, where, limit=batch_size, after=after)
            yield from page.entries
            if page.next_cursor is None:
                return
            after = page.next_cursor

    def export_rows(self, workspace_id: str | Workspace, where: ActivityFilter) -> Iterator[list[tuple[Any, ...]]]:
        """Pages of raw rows (storage.sql.ENTRY_COLUMNS order) for `export.csv.stream_rows`."""
        workspace = self.workspace(workspace_id)
        return self.store.iter_rows(workspace.id, where.clamp(self.earliest_us(workspace)))

    def count(self, workspace_id: str | Workspace, where: ActivityFilter) -> int:
        workspace = self.workspace(workspace_id)
        return self.store.count(workspace.id, where.clamp(self.earliest_us(workspace)))

    def count_by_day(self, workspace_id: str | Workspace, where: ActivityFilter) -> list[tuple[date, int]]:
        """Matching entries per day in the workspace's time zone, oldest day first, over the filter's range cut
        to what retention keeps and to now (every day of it, days without entries included)."""
        workspace = self.workspace(workspace_id)
        now = self.clock()
        clamped = where.clamp(self.earliest_us(workspace))
        until = now if clamped.until_us is None else min(clamped.until_us, now)
        if clamped.since_us is None or clamped.since_us >= until:
            return []
        return self.store.count_by_day(workspace.id, replace(clamped, until_us=until), workspace.timezone)

    def count_by_hour(self, workspace_id: str | Workspace, where: ActivityFilter, day: date) -> list[tuple[int, int]]:
        """Matching entries per hour of one local day (its start in UTC microseconds, the count), the hours cut to
        what retention keeps and to now: a day's chart."""
        workspace = self.workspace(workspace_id)
        earliest, now = self.earliest_us(workspace), self.clock()
        hours = hours_of(day, workspace.timezone)
        cut = [(max(since, earliest), min(until, now)) for since, until in hours]
        counts = iter(self.store.count_in_ranges(workspace.id, where, [(a, b) for a, b in cut if a < b]))
        return [(start, next(counts) if a < b else 0) for (start, _), (a, b) in zip(hours, cut, strict=True)]

    def get_entry(self, workspace_id: str | Workspace, entry_id: str) -> Entry:
        workspace = self.workspace(workspace_id)
        # No id holds NUL (PostgreSQL cannot even look one up): such an id is simply not here.
        entry = self.store.get_entry(workspace.id, entry_id) if "\x00" not in entry_id else None
        if entry is None or entry.occurred_us < self.earliest_us(workspace):
            raise NotFound(f"no entry {entry_id!r} in this workspace", field="id")
        return entry

    def teammates(self, workspace_id: str | Workspace) -> list[Teammate]:
        return self.store.list_teammates(self.workspace(workspace_id).id)

    def teammates_by_id(self, workspace_id: str | Workspace, teammate_ids: Sequence[str]) -> dict[str, Teammate]:
        """The workspace's teammates among `teammate_ids`, by id (those it does not know are absent)."""
        return self.store.get_teammates(self.workspace(workspace_id).id, teammate_ids)

    # Retention ---------------------------------------------------------------------------------------

    def purge_expired(self, workspace_id: str | None = None) -> list[PurgeResult]:
        workspaces = [self.workspace(workspace_id)] if workspace_id else self.store.list_workspaces()
        return [self.store.purge(w.id, self.earliest_us(w)) for w in workspaces]
