"""Servers of a test's own: `running` starts `activitylog serve` over a database the test names (and opens the log
over it from the test process); `serving` runs the app in a thread of the test process instead (real HTTP, real
uvicorn with the options `activitylog serve` uses), for tests that must reach into the store while it serves.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from activitylog.app import create_app
from activitylog.cli.serve import server_options
from activitylog.service import ActivityLog
from activitylog.settings import load
from activitylog.storage import open_store
from activitylog.storage.base import Store
from tests.support.servers import Tenant, free_port, new_tenant, start_server, stop_server


@dataclass(frozen=True)
class Running:
    """A server of the test's own, and the log over its database from the test process."""

    base_url: str
    database_url: str
    log: ActivityLog
    path: Path  # its folder: the database and the server's log

    def tenant(self, name: str = "Acme") -> Tenant:
        return new_tenant(self.log, name=name)


def migrated_sqlite(folder: Path) -> str:
    url = f"sqlite:///{folder / 'activitylog.db'}"
    open_store(url).close()  # migrate before the server starts, so it does not race the test process
    return url


@contextmanager
def running(database_url: str, folder: Path, *env: tuple[str, str]) -> Iterator[Running]:
    key = ("ACTIVITYLOG_SIGNING_KEY_FILE", str(folder / "signing.key"))  # not ./var/, the PostgreSQL default
    process, base_url = start_server(database_url, folder / "server.log", key, *env)
    store = open_store(database_url, migrate=False)
    try:
        yield Running(base_url, database_url, ActivityLog(store), folder)
    finally:
        stop_server(process)
        store.close()


@contextmanager
def serving(store: Store, **settings: object) -> Iterator[str]:
    """The app over `store`, served by uvicorn in a thread of this process; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix="activitylog-keys-") as keys:
        options = {
            "database_url": store.url,
            "port": free_port(),
            "access_log": False,
            "log_level": "warning",
            "retention_interval_hours": 0,
            "signing_key_file": str(Path(keys) / "signing.key"),  # not ./var/, the PostgreSQL default
        }
        config = load(**{**options, **settings})
        server = uvicorn.Server(uvicorn.Config(**server_options(config), app=create_app(config, store=store)))
        thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive(), "the server stopped"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{config.port}"
        finally:
            server.should_exit = True
            thread.join(10)
