"""HTTP benchmarks: the API server against the library in-process, same database, same run.

    .venv/bin/python -m bench.http_bench --size 1000000

1. Loads `--size` entries into a fresh SQLite database through the library's fast path (prepared batches).
2. Starts `activitylog serve` on that database as a subprocess (access log off, as behind a load balancer
   that logs requests itself).
3. Measures, against targets:
   - batch ingest: batches of 500 events (with idempotency keys, as the SDK sends them) POSTed over HTTP vs
     `ActivityLog.record_many` in-process on the same events; rounds alternate so both see the same database.
     Target: HTTP at least 0.5x the in-process rate.
   - single-entry POSTs from 16 concurrent keep-alive clients, each with its own Idempotency-Key: entries/s
     and p50/p99 latency. Target: 1,500 entries/s on a 2-core machine.
   - against a bare app (`bench/bare_app.py`: Starlette under the same uvicorn, parsing the same JSON and
     inserting one row per request into SQLite, or running the same first-page SQL), in alternating rounds:
     single-entry POSTs, target >= 0.5x the bare app's rate with p99 <= 20 ms; and the unfiltered first page
     on one connection, target: at most 1.5 ms over the in-process query (SQLite only).
   - `GET /v1/events` first page (50) with each of a set of filters on the `--size` entries: p95 over all
     requests, next to the in-process `ActivityLog.query` time for the same filters. Target: p95 <= 15 ms.
   - Intercom page numbers, `GET /admins/activity_logs?created_at_after=0&page=N` without a cursor: page 1,
     page 100 and the last page (20 a page, Intercom's default), each next to the raw database doing the same
     work (the SQL that finds where the page starts, then the page's SQL, on a plain sqlite3 or psycopg
     connection; on PostgreSQL with the generic plans the server's page connections keep, so the ratio is
     what the library and HTTP add). Target: p95 <= 15 ms each. Also shown, without a target: the middle page,
     a page past the end, and page 100 of 250 a page.
   With `--database-url postgresql://...` the server and the raw side run on that database instead (the
   "Bench" workspace of an earlier run is reused); `--only intercom` measures the Intercom pages alone.

The load generator is a small asyncio HTTP/1.1 client with pre-serialised requests, so the figures measure
the server rather than a client library; it shares the machine's two cores with the server all the same.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from activitylog import tokens
from activitylog.domain.cursor import Cursor
from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Workspace
from activitylog.storage.sql import KEY_COLUMNS, select_page
from bench.data import events

LOAD_BATCH = 1000
INGEST_BATCH = 500
CONCURRENCY = 16
PAGE = 50
TARGET_INGEST_RATIO = 0.5
TARGET_SINGLE_PER_S = 1500
TARGET_P95_MS = 15.0


# --- A minimal HTTP/1.1 load client ------------------------------------------------------------------------


def request_bytes(method: str, path: str, token: str, body: bytes = b"", **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: bench", f"Authorization: Bearer {token}"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


@dataclass
class Run:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


async def drive(port: int, requests: Sequence[bytes], connections: int, expect: int) -> Run:
    """Send the requests over `connections` keep-alive connections, each taking the next one as it is free."""
    run = Run()
    queue = iter(requests)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in queue:
                start = time.perf_counter()
                status, body = await exchange(reader, writer, request)
                run.latencies.append(time.perf_counter() - start)
                if status != expect:
                    run.failures.append(f"{status}: {body[:200]!r}")
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    run.seconds = time.perf_counter() - start
    return run


def go(port: int, requests: Sequence[bytes], connections: int, expect: int) -> Run:
    try:
        import uvloop

        return uvloop.run(drive(port, requests, connections, expect))
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.run(drive(port, requests, connections, expect))


# --- Set-up -------------------------------------------------------------------------------------------------


def jsonable(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "occurred_at": event["occurred_at"].isoformat()}


def load(log: ActivityLog, workspace: Workspace, size: int) -> float:
    """`size` entries through prepare + store.record (the library's fast path); answers entries/s."""
    start = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for n, event in enumerate(events(size, seed=7)):
        batch.append(event)
        if len(batch) == LOAD_BATCH or n == size - 1:
            log.store.record(workspace.id, log.prepare(workspace, batch))
            batch = []
            if (n + 1) % 100_000 == 0:
                print(f"  loaded {n + 1:,} entries", file=sys.stderr)
    log.store.analyze()
    return size / (time.perf_counter() - start)


def launch(
    command: list[str], env: dict[str, str], ready_url: str, log_path: Path, *, tries: int = 200
) -> subprocess.Popen[bytes]:
    """Start a server process (its output to `log_path`) and wait until `ready_url` answers 200."""
    with log_path.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    for _ in range(tries):
        try:
            if httpx.get(ready_url, timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"{command[2]} did not start: {log_path.read_text()}")


def start_server(database_url: str, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "activitylog", "--database-url", database_url, "serve", "--port", str(port)]
    env = {**os.environ, "ACTIVITYLOG_ACCESS_LOG": "false", "ACTIVITYLOG_LOG_LEVEL": "warning"}
    return launch(command, env, f"http://127.0.0.1:{port}/healthz", log_path)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- The three measurements ---------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    value: str
    reference: str
    ratio: str
    target: str
    passed: bool


def ingest(log: ActivityLog, token: str, port: int, rounds: int, per_round: int) -> Figure:
    """Alternate in-process and HTTP rounds of the same number of events, each side in its own workspace."""
    local_ws = log.store.create_workspace(Workspace(f"ws_local_{uuid.uuid4().hex[:8]}", "Local"))
    found = tokens.authenticate(log, token)
    assert found is not None
    local_s = http_s = 0.0
    total = 0
    for r in range(rounds):
        batch_events = [jsonable(e) for e in events(per_round, seed=1000 + r)]
        local = [{**e, "idempotency_key": f"local-{r}-{i}"} for i, e in enumerate(batch_events)]
        remote = [{**e, "idempotency_key": f"http-{r}-{i}"} for i, e in enumerate(batch_events)]
        bodies = [
            request_bytes("POST", "/v1/events", token, json.dumps({"events": remote[i : i + INGEST_BATCH]}).encode())
            for i in range(0, per_round, INGEST_BATCH)
        ]
        start = time.perf_counter()
        for i in range(0, per_round, INGEST_BATCH):
            log.record(local_ws.id, local[i : i + INGEST_BATCH])
        local_s += time.perf_counter() - start
        run = go(port, bodies, 2, 201)
        if run.failures:
            raise SystemExit(f"batch ingest failed: {run.failures[:3]}")
        http_s += run.seconds
        total += per_round
    assert log.count(found.workspace_id, ActivityFilter()) >= total
    local_rate, http_rate = total / local_s, total / http_s
    ratio = http_rate / local_rate
    return Figure(
        f"batch ingest, {INGEST_BATCH}/request ({total:,} entries)",
        f"{http_rate:,.0f} entries/s",
        f"{local_rate:,.0f} entries/s in-process",
        f"{ratio:.2f}x",
        f">= {TARGET_INGEST_RATIO}x",
        ratio >= TARGET_INGEST_RATIO,
    )


def singles(token: str, port: int, count: int) -> Figure:
    now = datetime.now(UTC)
    requests = []
    for n, event in enumerate(events(count, seed=99, days=1, now=now)):
        body = json.dumps({k: v for k, v in jsonable(event).items() if k != "idempotency_key"}).encode()
        requests.append(request_bytes("POST", "/v1/events", token, body, Idempotency_Key=f"single-{n}"))
    go(port, requests[:500], CONCURRENCY, 201)  # warm-up: connections, thread pool, caches
    run = go(port, requests[500:], CONCURRENCY, 201)
    if run.failures:
        raise SystemExit(f"single POSTs failed: {run.failures[:3]}")
    rate = len(run.latencies) / run.seconds
    p50, p99 = percentile(run.latencies, 50), percentile(run.latencies, 99)
    return Figure(
        f"single-entry POSTs, {CONCURRENCY} clients ({len(run.latencies):,})",
        f"{rate:,.0f} entries/s",
        f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms",
        "",
        f">= {TARGET_SINGLE_PER_S:,}/s",
        rate >= TARGET_SINGLE_PER_S,
    )


# --- Against a bare app (bench/bare_app.py): what the service adds to the bare work -----------------------

TARGET_BARE_RATIO = 0.5
TARGET_SINGLE_P99_MS = 20.0
TARGET_READ_OVERHEAD_MS = 1.5
BARE_ROUNDS = 3


def start_bare(write_db: Path, read_db: str, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """The bare reference app under the same uvicorn (uvloop and httptools), as `activitylog serve` runs."""
    command = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port", str(port), "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    env = {**os.environ, "ACTIVITYLOG_BARE_WRITE_DB": str(write_db), "ACTIVITYLOG_BARE_READ_DB": read_db}
    return launch(command, env, f"http://127.0.0.1:{port}/events?workspace=-&limit=1", log_path)


def _single_requests(token: str, path: str, count: int, seed: int) -> list[bytes]:
    now = datetime.now(UTC)
    bodies = [
        json.dumps({k: v for k, v in jsonable(event).items() if k != "idempotency_key"}).encode()
        for event in events(count, seed=seed, days=1, now=now)
    ]
    return [
        request_bytes("POST", path, token, body, Idempotency_Key=f"single-{seed}-{n}") for n, body in enumerate(bodies)
    ]


def against_bare(
    log: ActivityLog, workspace_id: str, reader: str, writer: str, port: int, bare_port: int, count: int, repeats: int
) -> list[Figure]:
    """Single-event POSTs from CONCURRENCY clients, then the unfiltered first page on one connection, each
    against the bare app, in BARE_ROUNDS alternating rounds (the side that went second goes first next)."""
    ours: list[Run] = []
    bare: list[Run] = []
    per_round = max(count // BARE_ROUNDS, 500)
    go(port, _single_requests(writer, "/v1/events", 300, seed=7), CONCURRENCY, 201)  # warm-up, both sides
    go(bare_port, _single_requests(writer, "/events", 300, seed=7), CONCURRENCY, 201)
    for r in range(BARE_ROUNDS):
        sides = [("ours", port, "/v1/events"), ("bare", bare_port, "/events")]
        for side, side_port, path in sides if r % 2 == 0 else sides[::-1]:
            run = go(side_port, _single_requests(writer, path, per_round, seed=500 + r), CONCURRENCY, 201)
            if run.failures:
                raise SystemExit(f"single POSTs ({side}) failed: {run.failures[:3]}")
            (ours if side == "ours" else bare).append(run)
    ours_rate = sum(len(run.latencies) for run in ours) / sum(run.seconds for run in ours)
    bare_rate = sum(len(run.latencies) for run in bare) / sum(run.seconds for run in bare)
    ours_p99 = percentile([x for run in ours for x in run.latencies], 99) * 1000
    ratio = ours_rate / bare_rate
    figures = [
        Figure(
            f"single-entry POSTs vs a bare app, {CONCURRENCY} clients",
            f"{ours_rate:,.0f}/s (p99 {ours_p99:.1f} ms)",
            f"{bare_rate:,.0f}/s bare Starlette + INSERT",
            f"{ratio:.2f}x",
            f">= {TARGET_BARE_RATIO}x, p99 <= {TARGET_SINGLE_P99_MS:.0f} ms",
            ratio >= TARGET_BARE_RATIO and ours_p99 <= TARGET_SINGLE_P99_MS,
        )
    ]
    local = []
    for _ in range(repeats):
        start = time.perf_counter()
        log.query(workspace_id, ActivityFilter(), limit=PAGE)
        local.append(time.perf_counter() - start)
    ours_get = request_bytes("GET", f"/v1/events?limit={PAGE}", reader)
    bare_get = request_bytes("GET", f"/events?workspace={workspace_id}&limit={PAGE}", reader)
    ours_reads: list[float] = []
    bare_reads: list[float] = []
    for r in range(BARE_ROUNDS):
        sides = [(port, ours_get, ours_reads), (bare_port, bare_get, bare_reads)]
        for side_port, request, into in sides if r % 2 == 0 else sides[::-1]:
            run = go(side_port, [request] * repeats, 1, 200)
            if run.failures:
                raise SystemExit(f"GET first page failed: {run.failures[:3]}")
            into += run.latencies
    ours_p50, bare_p50 = percentile(ours_reads, 50) * 1000, percentile(bare_reads, 50) * 1000
    local_p50 = percentile(local, 50) * 1000
    overhead = ours_p50 - local_p50
    figures.append(
        Figure(
            "GET /v1/events first page, HTTP overhead",
            f"p50 {ours_p50:.2f} ms - {local_p50:.2f} in-process = {overhead:.2f} ms",
            f"bare app p50 {bare_p50:.2f} ms (same SQL)",
            f"{ours_p50 / bare_p50:.2f}x",
            f"<= {TARGET_READ_OVERHEAD_MS} ms",
            overhead <= TARGET_READ_OVERHEAD_MS,
        )
    )
    return figures


FILTERS: list[dict[str, Any]] = [
    {},
    {"type": "app_name_change"},
    {"type": "admin_login_success,admin_logout,role_creation"},
    {"teammate": "tm3"},
    {"teammate": "tm1,tm4"},
    {"ip": "203.0.113.0/24"},
    {"ip": "2001:db8::/32"},
    {"since": "-30d"},
    {"since": "-200d", "until": "-190d"},
    {"type": "admin_login_success", "teammate": "tm2", "since": "-60d"},
    {"type": "admin_login_failure", "ip": "198.51.100.0/24"},
    {"type": "app_team_deletion,app_name_change", "teammate": "tm5,tm6,tm7"},
]


def resolve(params: dict[str, Any], now: datetime) -> dict[str, str]:
    """Relative times ("-30d") as ISO 8601, so every request asks the same thing."""
    out = {}
    for key, value in params.items():
        if isinstance(value, str) and value.startswith("-") and value.endswith("d"):
            value = (now - timedelta(days=int(value[1:-1]))).isoformat()
        out[key] = value
    return out


def pages(log: ActivityLog, workspace_id: str, token: str, port: int, repeats: int) -> tuple[Figure, list[str]]:
    from urllib.parse import urlencode

    now = datetime.now(UTC)
    rows = []
    all_http: list[float] = []
    all_local: list[float] = []
    for params in FILTERS:
        query = resolve(params, now)
        where = ActivityFilter.parse(
            types=query.get("type"),
            teammates=query.get("teammate"),
            since=query.get("since"),
            until=query.get("until"),
            ip=query.get("ip"),
        )
        local = []
        for _ in range(repeats):
            start = time.perf_counter()
            log.query(workspace_id, where, limit=PAGE)
            local.append(time.perf_counter() - start)
        request = request_bytes("GET", f"/v1/events?{urlencode({**query, 'limit': PAGE})}", token)
        run = go(port, [request] * repeats, 1, 200)
        if run.failures:
            raise SystemExit(f"GET /v1/events failed: {run.failures[:3]}")
        all_http += run.latencies
        all_local += local
        rows.append(
            f"  {json.dumps(params):<75} http p50 {percentile(run.latencies, 50) * 1000:5.1f} ms"
            f"  p95 {percentile(run.latencies, 95) * 1000:5.1f} ms   in-process p50 "
            f"{percentile(local, 50) * 1000:5.1f} ms"
        )
    p95 = percentile(all_http, 95) * 1000
    local_p95 = percentile(all_local, 95) * 1000
    figure = Figure(
        f"GET /v1/events first page, {len(FILTERS)} filters",
        f"p95 {p95:.1f} ms (p50 {percentile(all_http, 50) * 1000:.1f})",
        f"p95 {local_p95:.1f} ms in-process",
        f"{p95 / local_p95:.2f}x",
        f"p95 <= {TARGET_P95_MS:.0f} ms",
        p95 <= TARGET_P95_MS,
    )
    return figure, rows


# --- Intercom page numbers ------------------------------------------------------------------------------------

INTERCOM_PER_PAGE = 20  # Intercom's default


class RawDatabase:
    """The database without the library: what a page number costs in SQL alone, on a plain connection."""

    def __init__(self, database_url: str) -> None:
        self.postgres = database_url.startswith("postgres")
        if self.postgres:
            import psycopg

            from activitylog.storage.postgres.store import PAGE_POOL_OPTIONS, conninfo

            # With the plan setting the server's page reads use, so the ratio is what the library adds.
            self.connection: Any = psycopg.connect(
                conninfo(database_url), autocommit=True, options=PAGE_POOL_OPTIONS, prepare_threshold=0
            )
        else:
            from activitylog.storage.migrate import sqlite_path
            from bench.sqlite_bench import raw_connection

            self.connection = raw_connection(str(sqlite_path(database_url)))  # with the store's pragmas

    def rows(self, sql: str, params: Sequence[Any]) -> list[Any]:
        rows: list[Any] = self.connection.execute(sql.replace("?", "%s") if self.postgres else sql, params).fetchall()
        return rows

    def page(self, workspace_id: str, where: ActivityFilter, skip: int, total: int, per_page: int) -> list[Any]:
        """The page `skip` entries deep: the key before it (from the nearer end), then the page after that key."""
        after = None
        if skip:
            from_oldest = total - skip < skip - 1
            seek = select_page(
                workspace_id,
                where,
                limit=1,
                offset=total - skip if from_oldest else skip - 1,
                oldest_first=from_oldest,
                columns=KEY_COLUMNS,
                many_prefix="" if self.postgres else "+",
            )
            (key,) = self.rows(seek.sql, seek.params)
            after = Cursor(key[1], key[0])
        select = select_page(
            workspace_id, where, limit=per_page + 1, after=after, many_prefix="" if self.postgres else "+"
        )
        return self.rows(select.sql, select.params)

    def close(self) -> None:
        self.connection.close()


def intercom_pages(
    log: ActivityLog, workspace: Workspace, token: str, port: int, repeats: int, database_url: str
) -> tuple[list[Figure], list[str]]:
    where = ActivityFilter.parse(since="0")
    clamped = where.clamp(log.earliest_us(workspace))
    total = log.count(workspace, where)
    raw = RawDatabase(database_url)
    figures, rows = [], []
    last = -(-total // INTERCOM_PER_PAGE)
    cases = [
        ("page 1", 1, INTERCOM_PER_PAGE, True),
        ("page 100", 100, INTERCOM_PER_PAGE, True),
        (f"the last page ({last:,})", last, INTERCOM_PER_PAGE, True),
        (f"the middle page ({last // 2:,})", last // 2, INTERCOM_PER_PAGE, False),
        (f"past the end ({last + 1:,})", last + 1, INTERCOM_PER_PAGE, False),
        ("page 99,999,999", 99_999_999, INTERCOM_PER_PAGE, False),
        ("page 100, 250 a page", 100, 250, False),
    ]
    try:
        for name, number, per_page, targeted in cases:
            path = f"/admins/activity_logs?created_at_after=0&page={number}&per_page={per_page}"
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                body = client.get(path, headers={"Authorization": f"Bearer {token}"}).json()
            skip = (number - 1) * per_page
            expected = max(0, min(per_page, total - skip))
            if len(body["activity_logs"]) != expected or (body["pages"]["next"] is None) != (skip + per_page >= total):
                raise SystemExit(f"{path}: {len(body['activity_logs'])} entries, next {body['pages']['next']!r}")
            request = request_bytes("GET", path, token)
            go(port, [request] * 20, 1, 200)  # warm: the thread pool, the page cache, the count
            run = go(port, [request] * repeats, 1, 200)
            if run.failures:
                raise SystemExit(f"{path} failed: {run.failures[:3]}")
            local = []
            for _ in range(repeats if skip < total else 0):
                start = time.perf_counter()
                raw.page(workspace.id, clamped, skip, total, per_page)
                local.append(time.perf_counter() - start)
            p50, p95 = percentile(run.latencies, 50) * 1000, percentile(run.latencies, 95) * 1000
            raw_p95 = percentile(local, 95) * 1000 if local else 0.0
            ratio = f"{p95 / raw_p95:.2f}x" if local else ""
            reference = f"p95 {raw_p95:.2f} ms raw SQL" if local else "no SQL: past the count"
            rows.append(
                f"  {name:<32} http p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 "
                f"{percentile(run.latencies, 99) * 1000:6.1f} ms   raw p50 {percentile(local, 50) * 1000:6.2f} ms"
                f"  p95 {raw_p95:6.2f} ms"
            )
            if targeted:
                figures.append(
                    Figure(
                        f"Intercom {name}, {per_page} a page",
                        f"p95 {p95:.1f} ms (p50 {p50:.1f})",
                        reference,
                        ratio,
                        f"p95 <= {TARGET_P95_MS:.0f} ms",
                        p95 <= TARGET_P95_MS,
                    )
                )
    finally:
        raw.close()
    return figures, rows


def percentile(values: Iterable[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def table(figures: Sequence[Figure]) -> str:
    header = ("measurement", "over HTTP", "reference (same run)", "ratio", "target", "")
    rows = [header] + [
        (f.name, f.value, f.reference, f.ratio, f.target, "PASS" if f.passed else "FAIL") for f in figures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def prepare_database(folder: Path, size: int, database_url: str | None = None) -> tuple[str, ActivityLog, Workspace]:
    """The database with `size` bench entries: made now, or found in `folder` (or at `database_url`) from an
    earlier run."""
    database_url = database_url or f"sqlite:///{folder / 'bench.db'}"
    store = open_store(database_url)
    log = ActivityLog(store)
    for workspace in store.list_workspaces():
        if workspace.name == "Bench" and store.count(workspace.id, ActivityFilter()) >= size:
            print(f"reusing {database_url} ({size:,} entries)", file=sys.stderr)
            return database_url, log, workspace
    workspace = store.create_workspace(Workspace(f"ws_bench_{uuid.uuid4().hex[:8]}", "Bench"))
    print(f"loading {size:,} entries into {database_url} ...", file=sys.stderr)
    rate = load(log, workspace, size)
    print(f"  {rate:,.0f} entries/s (prepare + store.record, batches of {LOAD_BATCH})", file=sys.stderr)
    return database_url, log, workspace


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1_000_000, help="entries loaded before measuring")
    parser.add_argument("--ingest", type=int, default=50_000, help="entries ingested by each side (batch figure)")
    parser.add_argument("--singles", type=int, default=20_000, help="single-entry POSTs")
    parser.add_argument("--repeats", type=int, default=200, help="requests per filter (page figure)")
    parser.add_argument("--dir", type=Path, help="keep the database here and reuse it next time (default: temporary)")
    parser.add_argument("--database-url", help="measure on this database instead (PostgreSQL, say)")
    parser.add_argument("--only", choices=["all", "intercom"], default="all", help="the Intercom pages alone")
    args = parser.parse_args(argv)

    folder = args.dir or Path(tempfile.mkdtemp(prefix="activitylog-http-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    database_url, log, workspace = prepare_database(folder, args.size, args.database_url)
    reader = tokens.create_token(log, workspace.id, name="bench reader", scopes="read").secret
    # Writes go to a workspace of their own, so the page figure always reads the same `--size` entries.
    ingest_ws = log.store.create_workspace(Workspace(f"ws_ingest_{uuid.uuid4().hex[:8]}", "Ingest"))
    writer = tokens.create_token(log, ingest_ws.id, name="bench writer", scopes="read,write").secret

    port = free_port()
    server = start_server(database_url, port, folder / "server.log")
    try:
        figures: list[Figure] = []
        rows: list[str] = []
        if args.only == "all":
            print("measuring batch ingest ...", file=sys.stderr)
            figures.append(ingest(log, writer, port, rounds=5, per_round=args.ingest // 5))
            print("measuring single-entry POSTs ...", file=sys.stderr)
            figures.append(singles(writer, port, args.singles + 500))
            if not database_url.startswith("postgres"):  # the bare app is SQLite's
                print("measuring against a bare app ...", file=sys.stderr)
                bare_port = free_port()
                bare = start_bare(folder / "bare-writes.db", str(folder / "bench.db"), bare_port, folder / "bare.log")
                try:
                    figures += against_bare(
                        log, workspace.id, reader, writer, port, bare_port, args.singles, args.repeats
                    )
                finally:
                    bare.terminate()
                    bare.wait(timeout=10)
            print("measuring GET /v1/events ...", file=sys.stderr)
            page, rows = pages(log, workspace.id, reader, port, args.repeats)
            figures.append(page)
        print("measuring Intercom page numbers ...", file=sys.stderr)
        numbered, intercom_rows = intercom_pages(log, workspace, reader, port, args.repeats, database_url)
        figures += numbered
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.store.close()
    backend = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    total = f"{args.size:,} entries or more" if args.database_url else f"{args.size:,} entries"
    print(f"\nHTTP benchmarks on {total} ({os.cpu_count()} cores, {backend}, one server process)\n")
    print(table(figures))
    if rows:
        print("\nGET /v1/events by filter:")
        print("\n".join(rows))
    print("\nGET /admins/activity_logs?created_at_after=0&page=N, no cursor:")
    print("\n".join(intercom_rows))
    return 0 if all(f.passed for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
