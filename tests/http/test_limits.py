"""Request and query sizes are capped, and slow clients cannot hold the server (`activitylog serve`, over HTTP).

The server here runs with short guards (a second for a request's head, two for its body) so the test is quick;
production defaults are 10 s and 30 s (ACTIVITYLOG_HEAD_TIMEOUT_SECONDS, ACTIVITYLOG_BODY_TIMEOUT_SECONDS).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from activitylog.domain.filters import MAX_VALUES, ActivityFilter
from activitylog.service import MAX_PAGE
from tests.support.factories import event
from tests.support.running import Running, migrated_sqlite, running
from tests.support.servers import Tenant

HEAD_TIMEOUT_S, BODY_TIMEOUT_S = 1.0, 2.0


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("limits")
    env = (
        ("ACTIVITYLOG_HEAD_TIMEOUT_SECONDS", str(HEAD_TIMEOUT_S)),
        ("ACTIVITYLOG_BODY_TIMEOUT_SECONDS", str(BODY_TIMEOUT_S)),
    )
    with running(migrated_sqlite(folder), Path(folder), *env) as started:
        yield started


@pytest.fixture(scope="module")
def tenant(guarded_server: Running) -> Tenant:
    return guarded_server.tenant()


@pytest.fixture
def http(guarded_server: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=guarded_server.base_url, timeout=10) as client:
        yield client


def connect(server: Running) -> socket.socket:
    address = urlsplit(server.base_url)
    sock = socket.create_connection((address.hostname, address.port))
    sock.settimeout(10)
    return sock


def answer_of(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            received += chunk
    return received


def error_code(raw: bytes) -> str:
    code: str = json.loads(raw.partition(b"\r\n\r\n")[2])["error"]["code"]
    return code


# --- Query sizes ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"limit": MAX_PAGE + 1}, 422, "limit"),
        ({"type": ",".join(["app_name_change"] * 2 + [f"t{i}" for i in range(MAX_VALUES + 1)])}, 422, "type"),
        ({"teammate": [f"tm{i}" for i in range(MAX_VALUES + 1)]}, 422, "teammate"),
        ({"cursor": "A" * 10_000}, 400, "cursor"),
    ],
)
def test_query_sizes_are_capped(
    http: httpx.Client, tenant: Tenant, params: dict[str, object], status: int, field: str
) -> None:
    answer = http.get("/v1/events", params=params, headers=tenant.headers())
    assert answer.status_code == status, answer.text[:300]
    assert field in {e["field"] for e in answer.json()["error"]["errors"]}


def test_the_largest_allowed_query_is_answered(http: httpx.Client, tenant: Tenant) -> None:
    params = {"limit": MAX_PAGE, "teammate": [f"tm{i}" for i in range(MAX_VALUES)]}
    assert http.get("/v1/events", params=params, headers=tenant.headers()).status_code == 200
    intercom = http.get(
        "/admins/activity_logs", params={"created_at_after": 0, "per_page": 251}, headers=tenant.headers()
    )
    assert intercom.status_code == 400


def test_a_url_or_headers_over_64_kib_are_refused_with_431(guarded_server: Running, tenant: Tenant) -> None:
    for head in (
        f"GET /v1/events?teammate={'x' * 70_000} HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /v1/events HTTP/1.1\r\nHost: t\r\nX-Big: " + "z" * 70_000 + "\r\n\r\n",
    ):
        with connect(guarded_server) as sock:
            sock.sendall(head.encode())
            raw = answer_of(sock)
        assert raw.startswith(b"HTTP/1.1 431 "), raw[:100]
        assert error_code(raw) == "headers_too_large"
    assert httpx.get(f"{guarded_server.base_url}/healthz").status_code == 200


# --- Slow clients ---------------------------------------------------------------------------------------------


def trickle(sock: socket.socket, data: bytes, every_s: float, stop: threading.Event) -> None:
    for byte in data:
        if stop.is_set():
            return
        with contextlib.suppress(OSError):
            sock.sendall(bytes([byte]))
        stop.wait(every_s)


def test_slow_and_idle_clients_do_not_hold_the_server(guarded_server: Running, tenant: Tenant) -> None:
    """Thirty idle connections, five clients trickling their headers and three trickling a body: the others
    are served as fast as ever meanwhile, and each slow one gets 408 and is closed within its guard."""
    log = guarded_server.log
    before = log.count(tenant.workspace.id, ActivityFilter())
    body = json.dumps(event()).encode()
    slow_head = b"POST /v1/events HTTP/1.1\r\nHost: t\r\n" + b"X-Slow: " + b"s" * 200 + b"\r\n\r\n"
    slow_body_head = (
        f"POST /v1/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {tenant.rw}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    stop = threading.Event()
    idle = [connect(guarded_server) for _ in range(30)]
    heads = [connect(guarded_server) for _ in range(5)]
    bodies = [connect(guarded_server) for _ in range(3)]
    started = time.monotonic()
    trickling = [threading.Thread(target=trickle, args=(s, slow_head, 0.1, stop), daemon=True) for s in heads]
    for sock in bodies:
        sock.sendall(slow_body_head)
        trickling.append(threading.Thread(target=trickle, args=(sock, body, 0.1, stop), daemon=True))
    for thread in trickling:
        thread.start()
    try:
        latencies = []
        with httpx.Client(base_url=guarded_server.base_url, timeout=5) as http:
            for i in range(20):
                began = time.monotonic()
                assert http.post("/v1/events", json=event(key=f"fast-{i}"), headers=tenant.headers()).status_code == 201
                assert http.get("/v1/events", headers=tenant.headers()).status_code == 200
                latencies.append(time.monotonic() - began)
        assert max(latencies) < 1.0, latencies

        with ThreadPoolExecutor(len(idle) + len(heads) + len(bodies)) as pool:
            idle_answers = list(pool.map(answer_of, idle + heads))
            body_answers = list(pool.map(answer_of, bodies))
        took = time.monotonic() - started
    finally:
        stop.set()
        for sock in idle + heads + bodies:
            sock.close()
    assert all(raw.startswith(b"HTTP/1.1 408 ") for raw in idle_answers), {raw[:40] for raw in idle_answers}
    assert all(b" 408 " in raw.split(b"\r\n", 1)[0] for raw in body_answers), [raw[:200] for raw in body_answers]
    assert {error_code(raw) for raw in body_answers} == {"request_timeout"}
    assert took < BODY_TIMEOUT_S + 3, took
    assert log.count(tenant.workspace.id, ActivityFilter()) == before + 20  # the slow bodies wrote nothing
