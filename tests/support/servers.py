"""`activitylog serve` in a subprocess on a free port, and tenants (a workspace with a token of each kind) made
straight in its database from the test process (WAL lets both processes use a SQLite file)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from activitylog import tokens
from activitylog.service import ActivityLog
from activitylog.storage.base import Teammate, Workspace
from tests.support import factories


@dataclass(frozen=True)
class Tenant:
    """A workspace of its own with a token of each kind (secrets)."""

    workspace: Workspace
    rw: str
    read: str
    write: str

    def headers(self, which: str = "rw") -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, which)}"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(database_url: str, log_path: Path, *extra_env: tuple[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "ACTIVITYLOG_ACCESS_LOG": "false", **dict(extra_env)}
    command = [sys.executable, "-m", "activitylog", "--database-url", database_url, "serve", "--port", str(port)]
    with log_path.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # generous: a loaded machine takes long to import and migrate
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return process, base_url
        except httpx.TransportError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"the server did not start: {log_path.read_text()}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def new_tenant(log: ActivityLog, *, name: str = "Acme", timezone: str = "UTC") -> Tenant:
    workspace = factories.workspace(log.store, name=name, timezone=timezone)
    log.store.upsert_teammates([factories.teammate(workspace.id, n) for n in (1, 2, 3)])
    log.store.upsert_teammates([Teammate(workspace.id, "tm9", "Gone Person", "gone@acme.test", "Admin", "deleted")])

    def issue(scopes: str) -> str:
        return tokens.create_token(log, workspace.id, name=f"{scopes} token", scopes=scopes).secret

    return Tenant(workspace, issue("read,write"), issue("read"), issue("write"))
