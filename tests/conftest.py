"""Shared fixtures: a real store on every backend, and the activity log over it.

`store` is parametrised over the backends, so every test that uses it is a contract test run on SQLite and
on PostgreSQL. Tests isolate themselves by creating their own workspace (every query is workspace-scoped).

PostgreSQL: the session creates its own database (`activitylog_test_<random>`) next to the one
ACTIVITYLOG_TEST_POSTGRES_URL names, migrates it once, and drops it at the end. Tests that need a database of
their own (partition drops affect every workspace) take `fresh_postgres_url`, a copy of the migrated
template. PostgreSQL being unreachable FAILS the tests that need it, so CI cannot pass by skipping them;
set ACTIVITYLOG_SKIP_POSTGRES=1 to skip them on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Store, Workspace
from activitylog.storage.migrate import upgrade
from tests.support import factories
from tests.support.postgres import BACKENDS, PostgresServer, database_url
from tests.support.running import Running, migrated_sqlite, running


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    yield server
    for name in list(server.created):
        server.drop(name)


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A migrated database nobody connects to, copied by `fresh_postgres_url`."""
    name = postgres_server.create()
    upgrade(database_url(name))
    return name


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer, postgres_template: str) -> str:
    """The session's shared, migrated database."""
    return database_url(postgres_server.create(template=postgres_template))


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer, postgres_template: str) -> Iterator[str]:
    """A migrated database of the test's own, dropped after it."""
    name = postgres_server.create(template=postgres_template)
    yield database_url(name)
    postgres_server.drop(name)


@pytest.fixture
def empty_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """An empty database (no schema) of the test's own, dropped after it."""
    name = postgres_server.create()
    yield database_url(name)
    postgres_server.drop(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'activitylog.db'}"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'activitylog.db'}")
    else:
        opened = open_store(request.getfixturevalue("postgres_url"), migrate=False)
    yield opened
    opened.close()


@pytest.fixture
def log(store: Store) -> ActivityLog:
    return ActivityLog(store)


@pytest.fixture
def ws(store: Store) -> Workspace:
    return factories.workspace(store)


@pytest.fixture(scope="module", params=BACKENDS)
def module_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A server of the test module's own (`activitylog serve` in a subprocess), on each backend in turn (a
    SQLite file, a PostgreSQL database)."""
    folder = tmp_path_factory.mktemp("module_server")
    if request.param == "sqlite":
        url = migrated_sqlite(folder)
    else:
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        url = database_url(postgres.create(template=request.getfixturevalue("postgres_template")))
    with running(url, folder) as started:
        yield started
