"""Concurrent CSV exports share the server's bounded pool, over real HTTP: with one slot and a queue of one, a
download that holds its slot (a client that stopped reading) makes the next one wait and the one after that a
503 with Retry-After that writes nothing; when the first client leaves, its slot goes back and the waiting
download completes."""

from __future__ import annotations

import csv
import io
import re
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from tests.support.factories import ago, event
from tests.support.running import serving
from tests.support.servers import new_tenant

ROWS = 40_000  # ~10 MB of CSV: more than the kernel buffers between a server and a client that stopped reading


def gauge(base_url: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", httpx.get(f"{base_url}/metrics", timeout=10).text, re.MULTILINE)
    assert found is not None, name
    return float(found.group(1))


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def stalled_download(base_url: str, token: str) -> socket.socket:
    """A download whose client reads its first bytes and then nothing more (a tiny receive buffer)."""
    parts = urlsplit(base_url)
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect((parts.hostname, parts.port))
    client.sendall(
        f"GET /v1/events.csv HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    )
    head = client.recv(4096)
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    return client


def test_exports_beyond_the_pool_wait_then_get_503_and_a_dropped_stream_gives_its_slot_back(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'exports.db'}")
    try:
        log = ActivityLog(store)
        tenant = new_tenant(log)
        for start in range(0, ROWS, 1000):
            log.record(tenant.workspace.id, [event(occurred_at=ago(minutes=start + i)) for i in range(1000)])
        exports = ActivityFilter(types=("data_export_run",))

        with serving(store, export_workers=1, export_queue=1) as base_url:
            reader = {"Authorization": f"Bearer {tenant.read}"}
            first = stalled_download(base_url, tenant.read)
            wait_for(lambda: gauge(base_url, "activitylog_exports_running") == 1, "the first export to hold its slot")

            waiting: Future[httpx.Response] = Future()

            def second() -> None:
                try:
                    waiting.set_result(httpx.get(f"{base_url}/v1/events.csv", headers=reader, timeout=120))
                except BaseException as problem:
                    waiting.set_exception(problem)

            threading.Thread(target=second, daemon=True).start()
            wait_for(lambda: gauge(base_url, "activitylog_exports_waiting") == 1, "the second export to queue")

            refused = httpx.get(f"{base_url}/v1/events.csv", headers=reader, timeout=30)
            assert refused.status_code == 503, refused.text[:300]
            assert refused.headers["retry-after"] == "10"
            assert refused.json()["error"]["code"] == "unavailable"
            assert log.count(tenant.workspace, exports) == 1  # only the first download is logged so far
            assert not waiting.done()

            first.close()  # the stalled client leaves: its slot goes back, and the queued export runs
            done = waiting.result(timeout=120)
            assert done.status_code == 200
            assert len(list(csv.reader(io.StringIO(done.text)))) == int(done.headers["x-total-count"]) + 1
            assert log.count(tenant.workspace, exports) == 2
            wait_for(lambda: gauge(base_url, "activitylog_exports_running") == 0, "every slot to come back")
            assert gauge(base_url, "activitylog_exports_waiting") == 0
    finally:
        store.close()
