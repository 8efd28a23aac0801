"""Crash safety: `activitylog serve` killed with SIGKILL at random moments while SDK clients record, restarted
each time; at the end every entry the server acknowledged exists exactly once, nothing exists twice, and the
log verifies.

Four client threads record batches of one to five events (each event with its own idempotency key, as the SDK
gives them) through the SDK, which retries through every crash and restart. A batch the SDK saw acknowledged
(a 201) must be stored with exactly the ids it was answered; a batch that was never acknowledged (the client
gave up) may be stored or not, but never twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from activitylog import Client
from activitylog.domain.filters import ActivityFilter
from activitylog.errors import ActivityLogError
from activitylog.sdk import RetryPolicy
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from tests.support.factories import event
from tests.support.postgres import PostgresServer, database_url
from tests.support.running import migrated_sqlite
from tests.support.servers import free_port, new_tenant, stop_server

pytestmark = pytest.mark.slow

KILLS = 10
CLIENTS = 4
SEED = int(os.environ.get("ACTIVITYLOG_CRASH_SEED", random.randrange(1 << 30)))


# `activitylog serve` as the console script runs it (`activitylog.cli.main`), in a process that has done its
# imports ahead of time and waits for a line on stdin: a restart then costs what the server's start-up costs,
# not a second of importing, so the test spends its time recording and crashing.
WARM = "import sys, activitylog.api, activitylog.cli; sys.stdin.readline(); activitylog.cli.main(sys.argv[1:])"


class Crashable:
    """`activitylog serve` on a fixed port, killed and restarted at will."""

    def __init__(self, url: str, log_path: Path) -> None:
        self.url = url
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.spare = self._spawn()
        self.starts = 0

    def _spawn(self) -> subprocess.Popen[bytes]:
        args = ["--database-url", self.url, "serve", "--port", str(self.port)]
        env = {
            **os.environ,
            "ACTIVITYLOG_ACCESS_LOG": "false",
            "ACTIVITYLOG_RETENTION_INTERVAL_HOURS": "0",
            "ACTIVITYLOG_SIGNING_KEY_FILE": str(self.log_path.with_name("signing.key")),
        }
        with self.log_path.open("ab") as out:
            return subprocess.Popen(
                [sys.executable, "-c", WARM, *args],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )

    def start(self) -> None:
        self.process, self.spare = self.spare, self._spawn()
        assert self.process.stdin is not None
        self.process.stdin.write(b"go\n")
        self.process.stdin.close()
        self.starts += 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text()[-3000:]
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.02)
        raise AssertionError(f"the server did not start: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        for process in (self.process, self.spare):
            if process is not None and process.poll() is None:
                stop_server(process)
            if process is not None and process.stdin is not None:
                process.stdin.close()


class Recorder(threading.Thread):
    """One client recording batches until told to stop; notes what was acknowledged and what was not."""

    def __init__(self, number: int, base_url: str, token: str, stop: threading.Event) -> None:
        super().__init__(name=f"recorder-{number}", daemon=True)
        self.number = number
        self.client = Client(base_url, token, timeout=3, retry=RetryPolicy(attempts=40, backoff=0.02, max_backoff=0.25))
        self.stop = stop
        self.random = random.Random(SEED + number)
        self.acknowledged: dict[str, str] = {}  # idempotency key -> the id the server answered
        self.unacknowledged: set[str] = set()
        self.problems: list[BaseException] = []

    def run(self) -> None:
        sequence = 0
        try:
            while not self.stop.is_set():
                batch = []
                for _ in range(self.random.randint(1, 5)):
                    sequence += 1
                    batch.append(event("admin_logout", actor_id="tm1", key=f"c{self.number}-{sequence}", ip=None))
                try:
                    result = self.client.record_many(batch)
                except ActivityLogError:  # gave up after every retry: may or may not be stored
                    self.unacknowledged |= {item["idempotency_key"] for item in batch}
                    continue
                self.acknowledged.update(
                    {item["idempotency_key"]: entry_id for item, entry_id in zip(batch, result.ids, strict=True)}
                )
        except BaseException as problem:  # reported by the test
            self.problems.append(problem)
        finally:
            self.client.close()


@pytest.fixture(params=["sqlite", "postgres"])
def crash_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield migrated_sqlite(tmp_path)
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create(template=request.getfixturevalue("postgres_template"))
    yield database_url(name)
    server.drop(name)


def test_every_acknowledged_entry_survives_sigkill_exactly_once(crash_url: str, tmp_path: Path) -> None:
    print(f"crash seed {SEED} (ACTIVITYLOG_CRASH_SEED={SEED} to replay)")
    chooser = random.Random(SEED)
    store = open_store(crash_url, migrate=False)
    log = ActivityLog(store)
    try:
        tenant = new_tenant(log)
        server = Crashable(crash_url, tmp_path / "server.log")
        server.start()
        stop = threading.Event()
        recorders = [Recorder(n, server.base_url, tenant.write, stop) for n in range(CLIENTS)]
        for recorder in recorders:
            recorder.start()
        try:
            for _ in range(KILLS):
                time.sleep(chooser.uniform(0.2, 1.2))
                server.kill()
                time.sleep(chooser.uniform(0, 0.3))
                server.start()
            time.sleep(1.0)
        finally:
            stop.set()
            for recorder in recorders:
                recorder.join(60)
            server.stop()

        assert server.starts == KILLS + 1
        for recorder in recorders:
            assert not recorder.is_alive()
            assert not recorder.problems, recorder.problems
        acknowledged = {k: v for r in recorders for k, v in r.acknowledged.items()}
        unacknowledged = set().union(*(r.unacknowledged for r in recorders))
        assert len(acknowledged) > 200, "too little was recorded to say anything"

        stored = [e for e in log.iter_entries(tenant.workspace.id, ActivityFilter()) if e.type == "admin_logout"]
        keys = Counter(entry.idempotency_key for entry in stored)
        assert [key for key, times in keys.items() if times > 1] == []  # nothing stored twice
        by_key = {entry.idempotency_key: entry.id for entry in stored}
        missing = sorted(set(acknowledged) - set(by_key))
        assert missing == [], f"acknowledged but lost: {missing[:10]}"
        assert {key: by_key[key] for key in acknowledged} == acknowledged  # with the very ids answered
        assert set(by_key) <= set(acknowledged) | unacknowledged  # nothing that was never sent
        if crash_url.startswith("sqlite"):
            assert store._writer.execute("PRAGMA integrity_check").fetchone() == ("ok",)  # type: ignore[attr-defined]
        verify(crash_url, tenant.workspace.id, tmp_path / "signing.key")
    finally:
        store.close()


def verify(url: str, workspace_id: str, key_file: Path) -> None:
    """`activitylog verify`: the workspace's entries checked against their hash chain (without signing a
    checkpoint, which would leave a key file behind)."""
    command = [sys.executable, "-m", "activitylog", "--database-url", url, "verify", "--workspace", workspace_id]
    env = {**os.environ, "ACTIVITYLOG_SIGNING_KEY_FILE": str(key_file)}
    done = subprocess.run([*command, "--no-checkpoint"], capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
