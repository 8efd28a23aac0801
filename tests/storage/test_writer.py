"""Group commit on every backend: each request all-or-nothing, idempotent across requests, nothing lost."""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from dataclasses import replace

import pytest

from activitylog.domain.filters import ActivityFilter
from activitylog.domain.prepared import Prepared
from activitylog.service import ActivityLog
from activitylog.storage.base import RecordResult, Workspace
from activitylog.storage.writer import GroupCommitWriter
from tests.support.factories import event


def prepared(log: ActivityLog, ws: Workspace, *keys: str | None) -> list[Prepared]:
    return log.prepare(ws, [event(key=key) for key in keys])


def test_many_requests_are_stored_each_once(log: ActivityLog, ws: Workspace) -> None:
    writer = GroupCommitWriter(log.store)
    try:
        futures = [writer.submit(ws.id, prepared(log, ws, f"k{i}", None)) for i in range(50)]
        # The same key from two requests that may share a transaction: stored once, answered alike.
        again = writer.submit(ws.id, prepared(log, ws, "k7"))
        results = [f.result(timeout=10) for f in futures]
        repeat = again.result(timeout=10)
    finally:
        writer.close()
    assert all(len(r.inserted) == 2 for r in results)
    assert repeat.inserted == []
    assert repeat.duplicates[0].entry_id == results[7].inserted[0]
    assert log.count(ws.id, ActivityFilter()) == 100


def test_a_failing_batch_fails_alone(log: ActivityLog, ws: Workspace) -> None:
    good = prepared(log, ws, "a")
    [valid] = prepared(log, ws, "b")
    # An actor type the database's CHECK constraint refuses: that batch must fail, and no other.
    robot = replace(valid, row=(*valid.row[:3], "robot", "r1", *valid.row[5:]))
    bad = [*prepared(log, ws, "b2"), robot]
    writer = GroupCommitWriter(log.store)
    try:
        futures = [writer.submit(ws.id, good), writer.submit(ws.id, bad), writer.submit(ws.id, prepared(log, ws, "c"))]
        outcomes: list[RecordResult | BaseException] = []
        for future in futures:
            try:
                outcomes.append(future.result(timeout=10))
            except Exception as problem:
                outcomes.append(problem)
    finally:
        writer.close()
    assert isinstance(outcomes[0], RecordResult)
    assert isinstance(outcomes[1], Exception)
    assert isinstance(outcomes[2], RecordResult)
    assert {e.idempotency_key for e in log.iter_entries(ws.id, ActivityFilter())} == {"a", "c"}


def test_close_stores_what_is_queued(log: ActivityLog, ws: Workspace) -> None:
    writer = GroupCommitWriter(log.store)
    futures: list[Future[RecordResult]] = [writer.submit(ws.id, prepared(log, ws, None)) for _ in range(20)]
    writer.close()
    assert all(f.done() for f in futures)
    assert log.count(ws.id, ActivityFilter()) == 20


def test_the_event_loop_side(log: ActivityLog, ws: Workspace) -> None:
    writer = GroupCommitWriter(log.store)

    async def many() -> list[RecordResult]:
        return await asyncio.gather(*(writer.record_async(ws.id, prepared(log, ws, f"e{i}")) for i in range(30)))

    try:
        results = asyncio.run(many())
    finally:
        writer.close()
    assert sorted(r.inserted[0] for r in results) == sorted(e.id for e in log.iter_entries(ws.id, ActivityFilter()))


@pytest.mark.parametrize("max_entries", [1, 5])
def test_transactions_hold_at_most_max_entries_unless_one_batch_is_bigger(
    log: ActivityLog, ws: Workspace, max_entries: int
) -> None:
    writer = GroupCommitWriter(log.store, max_entries=max_entries)
    try:
        big = writer.submit(ws.id, prepared(log, ws, *[None] * 8))
        small = [writer.submit(ws.id, prepared(log, ws, None)) for _ in range(6)]
        assert len(big.result(timeout=10).inserted) == 8
        assert all(len(f.result(timeout=10).inserted) == 1 for f in small)
    finally:
        writer.close()
