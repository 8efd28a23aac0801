"""SQLite benchmarks of the core: recording, first and deep pages of every filter, CSV export.

Each figure is a ratio against the raw database doing the same work, in the same run, on the same machine:
- recording: `ActivityLog.record_many` (validation, idempotency, insert) against `executemany` of the same
  rows into the same schema with the same pragmas; target at least 0.7x;
- pages: `ActivityLog.query`'s first page (50 entries) for every filter combination against the same SQL
  run through `sqlite3`; target at most 2x; and a page 10,000 entries deep no slower than the first;
- export: the CSV export of all entries against the `sqlite3` shell's CSV mode on the same rows; target at
  least 0.4x the rows per second, with peak memory that does not grow with the number of rows.

Run: `python -m bench.sqlite_bench --size 1000000` (or `make bench`); `--size 100000` for a quick look.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from activitylog.domain.channel import Channel
from activitylog.domain.filters import ActivityFilter
from activitylog.integrity import chain
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Workspace
from activitylog.storage.sql import ENTRY_COLUMNS, ORDER
from activitylog.storage.sqlite.store import INSERT, SQLiteStore
from bench.data import TEAMMATES, events

WS = "ws_bench"
BATCH = 1000
# As the API records: every entry with its channel (stored, hashed, and the CSV's last column).
CHANNEL = Channel.api("tok_bench")


def raw_connection(path: str) -> sqlite3.Connection:
    """A plain sqlite3 connection with the store's pragmas, so both sides run the same engine settings."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536", "mmap_size=8589934592"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def batches(size: int, seed: int) -> Iterator[list[dict[str, Any]]]:
    source = events(size, seed=seed)
    while batch := list(itertools.islice(source, BATCH)):
        yield batch


def fresh_store(workdir: Path, name: str) -> SQLiteStore:
    store = open_store(f"sqlite:///{workdir / name}")
    assert isinstance(store, SQLiteStore)
    store.create_workspace(Workspace(WS, "Bench", "Europe/Dublin"))
    return store


# Recording ---------------------------------------------------------------------------------------------


#: Batches each side records in a row before the other takes its turn (50,000 entries).
TURN = 50


def bench_recording(size: int, workdir: Path) -> tuple[float, float, SQLiteStore]:
    """Entries per second recorded by the library and by raw executemany, into two databases that grow side by
    side: the sides take turns of TURN batches, each turn starting with the side that went second the turn
    before. On this kind of machine (a VM on shared disks) the speed of both drifts by 15% or more from minute to
    minute, and whichever side ran second used to pay for the first one's I/O (0.64x raw-first against 0.71x
    library-first, one after the other): turns put both through the same minutes and the same order."""
    raw_store = fresh_store(workdir, "raw.db")
    raw_log = ActivityLog(raw_store)
    workspace = raw_log.workspace(WS)
    raw = raw_connection(raw_store.path)
    raw_batches = batches(size, seed=1)
    position, chain_hash = chain.start(WS, None)

    def raw_turn() -> float:
        nonlocal position, chain_hash
        seconds = 0.0
        for batch in itertools.islice(raw_batches, TURN):
            # Untimed: raw gets ready rows, with the same places in the hash chain the library gives them.
            rows, position, chain_hash = chain.link_rows(
                WS, raw_log.prepare(workspace, batch, channel=CHANNEL), position, chain_hash
            )
            started = time.perf_counter()
            raw.execute("BEGIN")
            raw.executemany(INSERT, rows)
            raw.execute("COMMIT")
            seconds += time.perf_counter() - started
        return seconds

    store = fresh_store(workdir, "library.db")
    log = ActivityLog(store)
    library_batches = batches(size, seed=1)

    def library_turn() -> float:
        seconds = 0.0
        for batch in itertools.islice(library_batches, TURN):
            started = time.perf_counter()
            log.record(WS, batch, channel=CHANNEL)
            seconds += time.perf_counter() - started
        return seconds

    raw_seconds = library_seconds = 0.0
    for turn in range(-(-size // (BATCH * TURN))):
        if turn % 2 == 0:
            raw_seconds += raw_turn()
            library_seconds += library_turn()
        else:
            library_seconds += library_turn()
            raw_seconds += raw_turn()
    raw.close()
    raw_store.close()
    store.analyze()
    return size / library_seconds, size / raw_seconds, store


# Pages -------------------------------------------------------------------------------------------------


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def combinations() -> Iterator[tuple[str, ActivityFilter]]:
    now = datetime.now(UTC)
    types = {
        "": (),
        "1 type": ("admin_login_success",),
        "3 types": ("app_name_change", "role_creation", "admin_logout"),
    }
    people = {"": (), "1 teammate": (TEAMMATES[1][0],), "3 teammates": tuple(t[0] for t in TEAMMATES[2:5])}
    ranges = {"": (None, None), "30 days": ((now - timedelta(days=30)).isoformat(), None)}
    ips = {"": None, "CIDR": "198.51.100.0/24"}
    for (tname, t), (pname, p), (rname, r), (iname, i) in itertools.product(
        types.items(), people.items(), ranges.items(), ips.items()
    ):
        label = " + ".join(part for part in (tname, pname, rname, iname) if part) or "no filter"
        yield label, ActivityFilter.parse(types=t, teammates=p, since=r[0], until=r[1], ip=i)


def bench_pages(store: SQLiteStore, repeat: int) -> list[dict[str, Any]]:
    log = ActivityLog(store)
    workspace = log.workspace(WS)
    raw = raw_connection(store.path)
    results = []
    for label, where in combinations():
        clamped = where.clamp(log.earliest_us(workspace))
        select = store.page_select(WS, clamped, limit=51)  # exactly the SQL the library runs
        # The workspace object, as the API passes it: a request resolves its tenant once, from its token.
        log.query(workspace, where, limit=50)  # warm both paths alike
        raw.execute(select.sql, select.params).fetchall()
        library = timed(lambda w=where: log.query(workspace, w, limit=50), repeat)
        direct = timed(lambda s=select: raw.execute(s.sql, s.params).fetchall(), repeat)
        results.append(
            {
                "filter": label,
                "library_p50": statistics.median(library),
                "library_p95": p95(library),
                "raw_p50": statistics.median(direct),
                "raw_p95": p95(direct),
                "ratio": statistics.median(library) / statistics.median(direct),
            }
        )
    return results


def bench_deep_pages(store: SQLiteStore, repeat: int) -> list[dict[str, Any]]:
    log = ActivityLog(store)
    workspace = log.workspace(WS)
    results = []
    for label, where in combinations():
        if "CIDR" in label or "30 days" in label:
            continue  # too few entries in the sample to be 10,000 deep
        cursor = None
        walked = 0
        while walked < 10_000:
            page = log.query(WS, where, limit=500, cursor=cursor)
            walked += len(page.entries)
            cursor = page.next_cursor
            if cursor is None:
                break
        if cursor is None:
            continue
        first = timed(lambda w=where: log.query(workspace, w, limit=50), repeat)
        deep = timed(lambda w=where, c=cursor: log.query(workspace, w, limit=50, cursor=c), repeat)
        results.append(
            {
                "filter": label,
                "first_p50": statistics.median(first),
                "deep_p50": statistics.median(deep),
                "ratio": statistics.median(deep) / statistics.median(first),
            }
        )
    return results


# Export ------------------------------------------------------------------------------------------------


def anonymous_mib() -> float:
    """This process's anonymous resident memory (its heap): RSS would also count the database file's pages
    that the store maps into memory, which are the OS's page cache, not the export's."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


def export_worker(url: str, since_days: int | None) -> None:
    """Export to /dev/null in this process (the way `activitylog export` and the API do); print rows, seconds
    and peak anonymous memory as JSON."""
    from activitylog.export.runner import export_csv

    store = open_store(url, migrate=False)
    log = ActivityLog(store)
    since = (datetime.now(UTC) - timedelta(days=since_days)).isoformat() if since_days else None
    where = ActivityFilter.parse(since=since)
    rows = 0
    peak = 0.0
    started = time.perf_counter()
    with open("/dev/null", "w", encoding="utf-8") as sink:
        for number, chunk in enumerate(export_csv(log, log.workspace(WS), where, progress=lambda n: None)):
            sink.write(chunk)
            if number % 10 == 0:
                peak = max(peak, anonymous_mib())
    seconds = time.perf_counter() - started
    rows = store.count(WS, where.clamp(log.earliest_us(log.workspace(WS))))
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mib": peak}))


def bench_export(store: SQLiteStore, size: int) -> dict[str, Any]:
    sql = f"SELECT {ENTRY_COLUMNS} FROM activities WHERE workspace_id = '{WS}' {ORDER}"
    started = time.perf_counter()
    subprocess.run(["sqlite3", "-csv", store.path, sql], stdout=subprocess.DEVNULL, check=True)
    shell_rate = size / (time.perf_counter() - started)

    def run(since_days: int | None) -> dict[str, Any]:
        command = [sys.executable, "-m", "bench.sqlite_bench", "export-worker", "--url", store.url]
        if since_days:
            command += ["--since-days", str(since_days)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        return dict(json.loads(output))

    everything = run(None)
    tenth = run(36)
    return {
        "shell_rate": shell_rate,
        "library_rate": everything["rows"] / everything["seconds"],
        "rows": everything["rows"],
        "peak_mib_all": everything["peak_mib"],
        "rows_tenth": tenth["rows"],
        "peak_mib_tenth": tenth["peak_mib"],
    }


# Report ------------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    worker = sub.add_parser("export-worker")
    worker.add_argument("--url", required=True)
    worker.add_argument("--since-days", type=int)
    parser.add_argument("--size", type=int, default=1_000_000, help="entries in the generated workspace")
    parser.add_argument("--repeat", type=int, default=50, help="timed runs per query")
    parser.add_argument("--workdir", type=Path, help="where the databases go (default: a temporary folder)")
    args = parser.parse_args()
    if args.command == "export-worker":
        export_worker(args.url, args.since_days)
        return

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="activitylog-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"# SQLite benchmarks: {args.size:,} entries in {workdir}\n")

    library_rate, raw_rate, store = bench_recording(args.size, workdir)
    ratio = library_rate / raw_rate
    print("## Batch recording (batches of 1,000)")
    print(f"library record_many  {library_rate:>10,.0f} entries/s")
    print(f"raw executemany      {raw_rate:>10,.0f} entries/s")
    print(f"ratio                {ratio:>10.2f}x   target >= 0.70x  {verdict(ratio >= 0.7)}\n")

    pages = bench_pages(store, args.repeat)
    print("## First page (50 entries) of every filter combination, milliseconds")
    print(f"{'filter':<44} {'lib p50':>8} {'lib p95':>8} {'raw p50':>8} {'raw p95':>8} {'ratio':>6}")
    for row in pages:
        print(
            f"{row['filter']:<44} {row['library_p50']:>8.2f} {row['library_p95']:>8.2f} "
            f"{row['raw_p50']:>8.2f} {row['raw_p95']:>8.2f} {row['ratio']:>5.2f}x"
        )
    worst = max(row["ratio"] for row in pages)
    print(f"worst ratio {worst:.2f}x   target <= 2.00x  {verdict(worst <= 2.0)}\n")

    deep = bench_deep_pages(store, args.repeat)
    print("## A page 10,000 entries deep against the first page, milliseconds (p50)")
    for row in deep:
        print(
            f"{row['filter']:<44} first {row['first_p50']:>6.2f}  deep {row['deep_p50']:>6.2f}  {row['ratio']:>5.2f}x"
        )
    worst_deep = max(row["ratio"] for row in deep)
    print(
        f"worst deep/first {worst_deep:.2f}x   target: no slower (<= 1.10x, timing noise)  "
        f"{verdict(worst_deep <= 1.1)}\n"
    )

    export = bench_export(store, args.size)
    export_ratio = export["library_rate"] / export["shell_rate"]
    print("## CSV export of every entry")
    print(f"activitylog export   {export['library_rate']:>10,.0f} rows/s  ({export['rows']:,} rows)")
    print(f"sqlite3 -csv shell   {export['shell_rate']:>10,.0f} rows/s")
    print(f"ratio                {export_ratio:>10.2f}x   target >= 0.40x  {verdict(export_ratio >= 0.4)}")
    print(
        f"peak heap            {export['peak_mib_all']:.0f} MiB for {export['rows']:,} rows, "
        f"{export['peak_mib_tenth']:.0f} MiB for {export['rows_tenth']:,} rows"
    )
    store.close()


if __name__ == "__main__":
    main()
