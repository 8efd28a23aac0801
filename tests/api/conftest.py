"""A real server for the API tests: `activitylog serve` in a subprocess on a free port, over a temp SQLite file.

The test process opens the same SQLite file (WAL lets both processes use it) to create workspaces and tokens
directly, so each test can make its own workspace and stay isolated while the server is started once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from activitylog.service import ActivityLog
from activitylog.storage import open_store
from tests.support.servers import Tenant, new_tenant, start_server, stop_server


@dataclass(frozen=True)
class Server:
    base_url: str
    database_url: str


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("api")
    database_url = f"sqlite:///{folder / 'api.db'}"
    local = open_store(database_url)  # migrate before the server starts, so it does not race the test process
    local.close()
    process, base_url = start_server(database_url, folder / "server.log")
    try:
        yield Server(base_url, database_url)
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def api_log(server: Server) -> Iterator[ActivityLog]:
    """The log over the server's database, from the test process."""
    store = open_store(server.database_url, migrate=False)
    yield ActivityLog(store)
    store.close()


@pytest.fixture
def tenant(api_log: ActivityLog) -> Tenant:
    return new_tenant(api_log)


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        yield client
