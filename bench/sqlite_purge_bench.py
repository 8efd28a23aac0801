"""SQLite retention: how long one purge batch holds the write lock, i.e. how long a writer can be blocked.

    .venv/bin/python -m bench.sqlite_purge_bench --size 1000000

Loads `--size` entries spread over a year, expires the oldest month, and purges it while a writer thread
records one event at a time. Reports each purge transaction's write-lock hold time (p50 / max) and the
writer's worst wait. Target: no purge batch holds the lock for more than 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from activitylog.storage.migrate import upgrade
from activitylog.storage.sqlite import store as sqlite_store
from activitylog.storage.sqlite.store import SQLiteStore
from activitylog.timeutil import DAY_US
from bench.data import events

TARGET_MS = 100.0


class TimedStore(SQLiteStore):
    """The real store, timing how long each write transaction holds the write lock."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.holds_ms: list[float] = []

    @contextmanager
    def _write(self) -> Iterator[object]:  # type: ignore[override]
        with super()._write() as connection:
            started = time.perf_counter()
            yield connection
        if threading.current_thread() is threading.main_thread():  # the purge's transactions, not the writer's
            self.holds_ms.append((time.perf_counter() - started) * 1000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'purge.db'}"
        upgrade(url)
        store = TimedStore(url)
        log = ActivityLog(store)
        workspace = store.create_workspace(Workspace("ws_bench", "Acme"))
        source = events(args.size, days=365)
        loaded = 0
        while loaded < args.size:
            chunk = [event for _, event in zip(range(1000), source, strict=False)]
            store.record(workspace.id, log.prepare(workspace, chunk))
            loaded += len(chunk)
            if loaded % 100_000 == 0:
                print(f"  loaded {loaded:,}", file=sys.stderr, flush=True)
        store.analyze()
        cutoff = log.clock() - 334 * DAY_US  # the oldest month of the year
        expired = store.count(workspace.id, ActivityFilter(until_us=cutoff))
        store.holds_ms.clear()
        waits: list[float] = []
        stop = threading.Event()

        def writer() -> None:
            while not stop.is_set():
                started = time.perf_counter()
                log.record_one(workspace.id, {"type": "admin_logout", "actor": {"type": "system"}})
                waits.append((time.perf_counter() - started) * 1000)
                time.sleep(0.002)

        thread = threading.Thread(target=writer)
        thread.start()
        started = time.perf_counter()
        result = store.purge(workspace.id, cutoff)
        elapsed = time.perf_counter() - started
        stop.set()
        thread.join()
        holds = store.holds_ms
        store.close()
    worst = max(holds)
    print(f"\nSQLite purge, {args.size:,} entries, PURGE_BATCH={sqlite_store.PURGE_BATCH}")
    print(f"removed {result.removed:,} of {expired:,} expired entries in {elapsed:.2f} s, {len(holds)} transactions")
    print(f"write lock held per purge transaction: p50 {statistics.median(holds):.1f} ms, max {worst:.1f} ms")
    print(
        f"a concurrent writer's record(): {len(waits)} calls, "
        f"p50 {statistics.median(waits):.1f} ms, max {max(waits):.1f} ms"
    )
    print(f"target: no purge transaction over {TARGET_MS:.0f} ms: {'ok' if worst <= TARGET_MS else 'MISS'}")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
