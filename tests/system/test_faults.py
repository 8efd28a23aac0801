"""Overload and faults: when the database is locked, full or unreachable, recording answers 503 with
Retry-After and writes nothing partial; the SDK retries and nothing is lost; the server recovers by itself.

Each test serves the real app (real uvicorn, over HTTP) in a thread of the test process, over a store the test
holds, so it can lock the file, shrink it, or cut the network under the running server.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from activitylog import Client
from activitylog.domain.filters import ActivityFilter
from activitylog.sdk import RetryPolicy
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Store
from activitylog.storage.postgres import store as postgres_store
from activitylog.storage.sqlite.store import SQLiteStore
from tests.support.factories import event
from tests.support.running import serving
from tests.support.servers import Tenant, free_port, new_tenant

BUSY_MS = 300  # the server's SQLite busy timeout here (5 s in production): how long a write waits for a lock


class Counting(httpx.HTTPTransport):
    """An SDK transport that notes the status of every answer (to see the retries)."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.statuses.append(response.status_code)
        return response


def entries(log: ActivityLog, tenant: Tenant) -> int:
    return log.count(tenant.workspace.id, ActivityFilter())


def keyed(log: ActivityLog, tenant: Tenant, key: str) -> int:
    page = log.query(tenant.workspace.id, ActivityFilter(), limit=500)
    return sum(entry.idempotency_key == key for entry in page.entries)


def assert_unavailable(answer: httpx.Response, retry_after: str) -> None:
    assert answer.status_code == 503, answer.text[:300]
    assert answer.headers["retry-after"] == retry_after
    assert answer.json()["error"]["code"] == "unavailable"


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    store = open_store(f"sqlite:///{tmp_path / 'faults.db'}")
    assert isinstance(store, SQLiteStore)
    store._writer.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    yield store
    store.close()


@contextlib.contextmanager
def write_locked(path: str) -> Iterator[sqlite3.Connection]:
    """Another process's view: a connection holding SQLite's write lock until the block ends."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield holder
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_locked_sqlite_file_is_503_then_the_sdk_records_exactly_once(sqlite_store: SQLiteStore) -> None:
    log = ActivityLog(sqlite_store)
    tenant = new_tenant(log)
    with serving(sqlite_store) as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        before = entries(log, tenant)
        with write_locked(sqlite_store.path):
            answer = http.post("/v1/events", json={"events": [event(), event()]}, headers=tenant.headers())
            assert_unavailable(answer, "1")
            assert entries(log, tenant) == before
            # Reading never waits for the writer (WAL).
            assert http.get("/v1/events", headers=tenant.headers()).status_code == 200

        # Released: the very next request is served, by the same server.
        assert http.post("/v1/events", json=event(), headers=tenant.headers()).status_code == 201

        counting = Counting()
        retry = RetryPolicy(attempts=10, backoff=0.05, max_backoff=1)
        with Client(base_url, tenant.rw, retry=retry, transport=counting) as sdk:
            with write_locked(sqlite_store.path):
                recording = ThreadPoolExecutor(1).submit(
                    sdk.record, "admin_logout", actor={"id": "tm1"}, idempotency_key="k1"
                )
                time.sleep(1.2)  # the SDK meets a 503 (after the busy timeout) and waits Retry-After: 1
            entry_id = recording.result(timeout=20)
        assert 503 in counting.statuses
        assert counting.statuses[-1] == 201
        assert keyed(log, tenant, "k1") == 1
        assert log.get_entry(tenant.workspace.id, entry_id).idempotency_key == "k1"


def test_a_locked_database_refuses_every_waiting_request_at_once(sqlite_store: SQLiteStore) -> None:
    """The group commit does not retry a locked database batch by batch: 20 waiting requests answer 503 in
    about one busy timeout, not twenty."""
    log = ActivityLog(sqlite_store)
    tenant = new_tenant(log)
    before = entries(log, tenant)
    with serving(sqlite_store) as base_url, httpx.Client(base_url=base_url, timeout=30) as http:
        with write_locked(sqlite_store.path), ThreadPoolExecutor(20) as pool:
            started = time.monotonic()
            answers = list(
                pool.map(lambda i: http.post("/v1/events", json=event(), headers=tenant.headers()), range(20))
            )
            took = time.monotonic() - started
        assert {a.status_code for a in answers} == {503}
        assert took < 10 * BUSY_MS / 1000, took
        assert entries(log, tenant) == before


def test_a_full_sqlite_file_is_503_and_writes_nothing_until_there_is_room(sqlite_store: SQLiteStore) -> None:
    """A full disk (here: SQLite's max_page_count on the server's write connection) is a 503 with
    Retry-After: 5 (the SDK retries it; room may come back from retention or an operator), never a 500, and
    nothing of the batch is stored. Once there is room the same server records again."""
    log = ActivityLog(sqlite_store)
    tenant = new_tenant(log)
    writer = sqlite_store._writer
    with serving(sqlite_store) as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        before = entries(log, tenant)
        pages = writer.execute("PRAGMA page_count").fetchone()[0]
        writer.execute(f"PRAGMA max_page_count={pages}")
        batch = {"events": [event(metadata={"before": "x" * 150, "after": f"{i:04d}" + "y" * 150}) for i in range(300)]}
        answer = http.post("/v1/events", json=batch, headers=tenant.headers())
        assert_unavailable(answer, "5")
        assert "full" in answer.json()["error"]["message"]
        with ThreadPoolExecutor(8) as pool:  # several at once share a transaction: all refused, none a 500
            statuses = set(
                pool.map(lambda i: http.post("/v1/events", json=batch, headers=tenant.headers()).status_code, range(8))
            )
        assert statuses == {503}
        assert entries(log, tenant) == before

        writer.execute("PRAGMA max_page_count=1073741823")
        assert http.post("/v1/events", json=batch, headers=tenant.headers()).status_code == 201
        assert entries(log, tenant) == before + 300


# --- PostgreSQL out of reach ----------------------------------------------------------------------------------


class Proxy:
    """A TCP proxy in front of PostgreSQL that the test can cut (every connection dropped, new ones refused)
    and restore on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            if self._listener is not None:
                with contextlib.suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone may not)
                self._listener.close()
                self._listener = None
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxied_postgres(fresh_postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, Proxy]]:
    host_port = fresh_postgres_url.split("@", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    proxy = Proxy((host, int(port or 5432)))
    # A request waits this long for a connection while the database is out of reach (10 s in production).
    monkeypatch.setattr(postgres_store, "CONNECT_TIMEOUT_S", 2)
    store = open_store(fresh_postgres_url.replace(host_port, f"127.0.0.1:{proxy.port}"), migrate=False)
    yield store, proxy
    proxy.cut()
    store.close()


def test_postgresql_out_of_reach_is_503_and_the_server_recovers_by_itself(
    proxied_postgres: tuple[Store, Proxy],
) -> None:
    store, proxy = proxied_postgres
    log = ActivityLog(store)
    tenant = new_tenant(log)
    with serving(store) as base_url, httpx.Client(base_url=base_url, timeout=30) as http:
        assert http.post("/v1/events", json=event(), headers=tenant.headers()).status_code == 201
        proxy.cut()
        assert_unavailable(http.post("/v1/events", json=event(key="pg-1"), headers=tenant.headers()), "1")
        assert http.get("/v1/events", headers=tenant.headers()).status_code == 503
        assert http.get("/readyz").status_code == 503

        counting = Counting()
        retry = RetryPolicy(attempts=10, backoff=0.2, max_backoff=2)
        with Client(base_url, tenant.rw, retry=retry, transport=counting, timeout=30) as sdk:
            recording = ThreadPoolExecutor(1).submit(
                sdk.record, "admin_logout", actor={"id": "tm1"}, idempotency_key="pg-2"
            )
            deadline = time.monotonic() + 20
            while 503 not in counting.statuses:  # the SDK meets the outage, then it ends
                assert time.monotonic() < deadline, counting.statuses
                time.sleep(0.05)
            proxy.restore()
            recording.result(timeout=60)
        assert 503 in counting.statuses
        assert counting.statuses[-1] == 201

        deadline = time.monotonic() + 20
        while http.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover"
            time.sleep(0.2)
        assert http.post("/v1/events", json=event(key="pg-1"), headers=tenant.headers()).status_code == 201
        assert keyed(log, tenant, "pg-1") == 1
        assert keyed(log, tenant, "pg-2") == 1
