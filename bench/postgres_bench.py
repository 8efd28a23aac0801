"""PostgreSQL benchmarks: the store against raw PostgreSQL doing the same work, in the same run.

    .venv/bin/python -m bench.postgres_bench --size 1000000      # the issue's figure (10,000,000 for the big one)

Each figure is a ratio against raw psycopg on the same server, so it measures what the library adds:
- recording: batches of 1,000 prepared (validated) events through `PostgresStore.record` (idempotency keys
  claimed, teammates upserted, COPY) against a raw COPY of the same rows, one transaction per batch, into
  the same schema in a second database; the two alternate batch by batch so checkpoints hit both alike.
  Target: at least 0.7x raw rows/s.
- reading: the first page (50 entries) of every filter combination through `PostgresStore.query` against
  the same SQL executed raw. Target: p50 at most 2x raw.
- retention: purging one expired month, which drops its partition. Target: under 1 s whatever its size.

It creates two throwaway databases next to the one `--database-url` names and drops them at the end.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from activitylog.domain.filters import ActivityFilter
from activitylog.domain.prepared import Prepared
from activitylog.integrity import chain
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from activitylog.storage.migrate import upgrade
from activitylog.storage.postgres.partitions import Partitions, months_between
from activitylog.storage.postgres.recording import COLUMNS
from activitylog.storage.postgres.schema import month_of
from activitylog.storage.postgres.store import PostgresStore, bytea_literal, conninfo
from activitylog.storage.sql import select_page
from activitylog.timeutil import DAY_US, now_us
from bench.data import TEAMMATES, events

DEFAULT_URL = os.environ.get(
    "ACTIVITYLOG_TEST_POSTGRES_URL", "postgresql://activitylog:activitylog@127.0.0.1:5432/activitylog_test"
)
BATCH = 1000
PAGE = 50
WORKSPACE = "ws_bench"


@dataclass
class Row:
    name: str
    value: str
    raw: str
    ratio: float | None
    target: str
    ok: bool | None


def database_url(admin: str, name: str) -> str:
    base, _, rest = admin.rpartition("/")
    query = rest.partition("?")[2]
    return f"{base}/{name}" + (f"?{query}" if query else "")


@contextmanager
def databases(admin: str, count: int, keep: bool) -> Iterator[list[str]]:
    names = [f"activitylog_bench_{secrets.token_hex(3)}" for _ in range(count)]
    with psycopg.connect(conninfo(admin), autocommit=True) as connection:
        for name in names:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        urls = [database_url(admin, name) for name in names]
        for url in urls:
            upgrade(url)
        yield urls
    finally:
        if not keep:
            with psycopg.connect(conninfo(admin), autocommit=True) as connection:
                for name in names:
                    connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        else:
            print(f"kept databases: {', '.join(names)}")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare_batches(log: ActivityLog, workspace: Workspace, size: int) -> list[list[Prepared]]:
    started = time.perf_counter()
    source = events(size)
    batches = []
    while True:
        chunk = [event for _, event in zip(range(BATCH), source, strict=False)]
        if not chunk:
            break
        batches.append(log.prepare(workspace, chunk))
        if len(batches) % 100 == 0:
            say(f"  prepared {len(batches) * BATCH:,} events")
    say(f"  validation: {size / (time.perf_counter() - started):,.0f} events/s (not part of the comparison)")
    return batches


def bench_recording(store: PostgresStore, raw_url: str, batches: list[list[Prepared]]) -> list[Row]:
    months = {month_of(p.entry.occurred_us) for batch in batches for p in batch}
    raw = psycopg.connect(conninfo(raw_url), autocommit=True)
    with raw:
        Partitions().ensure(raw, months_between(min(months), max(months)))
        raw.execute("INSERT INTO workspaces (id, name, created_us) VALUES (%s, 'Raw', 0)", (WORKSPACE,))
        copy_sql = f"COPY activities ({COLUMNS}) FROM STDIN"
        library_s = raw_s = 0.0
        position, chain_hash = chain.start(WORKSPACE, None)
        for number, batch in enumerate(batches, 1):
            # Untimed: raw gets ready rows, with the same places in the hash chain the library gives them.
            rows, position, chain_hash = chain.link_rows(WORKSPACE, batch, position, chain_hash)
            started = time.perf_counter()
            with raw.transaction(), raw.cursor().copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            raw_s += time.perf_counter() - started
            started = time.perf_counter()
            store.record(WORKSPACE, batch)
            library_s += time.perf_counter() - started
            if number % 100 == 0:
                say(f"  recorded {number * BATCH:,}: library {library_s:.1f} s, raw COPY {raw_s:.1f} s")
    total = sum(len(b) for b in batches)
    ratio = raw_s / library_s
    return [
        Row(
            "record, batches of 1,000 (rows/s)",
            f"{total / library_s:,.0f}",
            f"{total / raw_s:,.0f}",
            ratio,
            ">= 0.7x",
            ratio >= 0.7,
        )
    ]


def filters(now: int) -> dict[str, ActivityFilter]:
    week_from, week_to = now - 30 * DAY_US, now - 23 * DAY_US
    return {
        "none": ActivityFilter(),
        "type": ActivityFilter(types=("admin_login_success",)),
        "3 types": ActivityFilter(types=("admin_login_success", "role_creation", "app_name_change")),
        "teammate": ActivityFilter(teammates=("tm3",)),
        "3 teammates": ActivityFilter(teammates=("tm1", "tm4", "tm7")),
        "date range": ActivityFilter(since_us=week_from, until_us=week_to),
        "IP": ActivityFilter.parse(ip="203.0.113.13"),
        "CIDR": ActivityFilter.parse(ip="2001:db8::/32"),
        "type+teammate": ActivityFilter(types=("admin_logout",), teammates=("tm2",)),
        "type+date": ActivityFilter(types=("admin_login_success",), since_us=week_from, until_us=week_to),
        "all": ActivityFilter(
            types=("admin_login_success", "admin_logout", "role_creation"),
            teammates=("tm1", "tm2", "tm5"),
            since_us=now - 90 * DAY_US,
            until_us=now - 10 * DAY_US,
            ip=ActivityFilter.parse(ip="198.51.100.0/24").ip,
        ),
    }


def timed(library: Callable[[], Any], raw: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Milliseconds per call of each, alternating so that noise on this machine hits both alike."""
    for _ in range(10):  # warm the caches and psycopg's prepared statements alike
        library()
        raw()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for function, into in ((library, times[0]), (raw, times[1])):
            started = time.perf_counter()
            function()
            into.append((time.perf_counter() - started) * 1000)
    return times


def bench_pages(store: PostgresStore, url: str, repeat: int) -> list[Row]:
    rows = []
    now = now_us()
    earliest = now - 365 * DAY_US  # the service clamps every read to the retention period; so do both sides
    with psycopg.connect(conninfo(url), autocommit=True) as raw:
        for name, where in filters(now).items():
            clamped = where.clamp(earliest)
            select = select_page(WORKSPACE, clamped, limit=PAGE + 1, many_prefix="", ip_literal=bytea_literal)
            statement = select.sql.replace("?", "%s")
            library, direct = timed(
                lambda c=clamped: store.query(WORKSPACE, c, limit=PAGE),
                lambda s=statement, p=select.params: raw.execute(s, p).fetchall(),
                repeat,
            )
            found = len(store.query(WORKSPACE, clamped, limit=PAGE).entries)
            p50, raw50 = statistics.median(library), statistics.median(direct)
            p95 = statistics.quantiles(library, n=20)[18]
            raw95 = statistics.quantiles(direct, n=20)[18]
            ratio = p50 / raw50
            rows.append(
                Row(
                    f"first page, {name} ({found} rows) p50 / p95 ms",
                    f"{p50:.2f} / {p95:.2f}",
                    f"{raw50:.2f} / {raw95:.2f}",
                    ratio,
                    "<= 2x",
                    ratio <= 2,
                )
            )
    return rows


def bench_purge(store: PostgresStore, url: str) -> list[Row]:
    listing = store.partitions()
    with psycopg.connect(conninfo(url), autocommit=True) as raw:

        def rows_in(name: str) -> int:
            row = raw.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()
            return int(row[0]) if row else 0

        results = []
        for label, (name, _, high) in (("oldest (partial) month", listing[0]), ("one full month", listing[1])):
            size = rows_in(name)
            started = time.perf_counter()
            result = store.purge(WORKSPACE, high)
            elapsed = time.perf_counter() - started
            gone = name not in [p[0] for p in store.partitions()]
            results.append(
                Row(
                    f"purge {label}: {size:,} rows, partition dropped: {gone} (s)",
                    f"{elapsed:.3f}",
                    "-",
                    None,
                    "< 1 s",
                    elapsed < 1 and gone and result.removed == size,
                )
            )
        # For information: the boundary month trimmed by rows (a day of entries).
        started = time.perf_counter()
        trimmed = store.purge(WORKSPACE, listing[1][2] + DAY_US).removed
        results.append(
            Row(
                f"purge one day by rows: {trimmed:,} rows (s)",
                f"{time.perf_counter() - started:.3f}",
                "-",
                None,
                "",
                None,
            )
        )
    return results


def print_table(size: int, rows: list[Row]) -> None:
    print(f"\nPostgreSQL benchmarks, {size:,} entries, one workspace, {len(TEAMMATES)} teammates\n")
    header = ("measure", "library", "raw", "ratio", "target", "")
    widths = [max(len(header[0]), *(len(r.name) for r in rows)), 17, 17, 7, 8, 4]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        verdict = "" if r.ok is None else ("ok" if r.ok else "MISS")
        cells = (r.name, r.value, r.raw, ratio, r.target, verdict)
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="entries to load (10,000,000 for the big run)")
    parser.add_argument("--repeat", type=int, default=200, help="timed runs of each first-page query")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="any database on the server to benchmark")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args(argv)
    with databases(args.database_url, 2, args.keep) as (library_url, raw_url):
        store = PostgresStore(library_url)
        try:
            log = ActivityLog(store)
            workspace = store.create_workspace(Workspace(WORKSPACE, "Acme"))
            say(f"preparing {args.size:,} events")
            batches = prepare_batches(log, workspace, args.size)
            say("recording")
            rows = bench_recording(store, raw_url, batches)
            del batches
            say("VACUUM ANALYZE")
            with psycopg.connect(conninfo(library_url), autocommit=True) as connection:
                connection.execute("VACUUM ANALYZE")
            say("first pages")
            rows += bench_pages(store, library_url, args.repeat)
            say("purge")
            rows += bench_purge(store, library_url)
        finally:
            store.close()
    print_table(args.size, rows)
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
