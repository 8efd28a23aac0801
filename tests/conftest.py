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

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Store, Workspace
from activitylog.storage.migrate import upgrade
from tests.support import factories

BACKENDS = ["sqlite", "postgres"]
DEFAULT_POSTGRES_URL = "postgresql://activitylog:activitylog@127.0.0.1:5432/activitylog_test"


def admin_url() -> str:
    return os.environ.get("ACTIVITYLOG_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def database_url(name: str) -> str:
    """The admin URL with its database name replaced."""
    base, _, rest = admin_url().rpartition("/")
    query = rest.partition("?")[2]
    return f"{base}/{name}" + (f"?{query}" if query else "")


class PostgresServer:
    """Creates and drops throwaway databases on the test server."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection:
        try:
            return psycopg.connect(admin_url(), autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as problem:
            if os.environ.get("ACTIVITYLOG_SKIP_POSTGRES") == "1":
                pytest.skip("PostgreSQL skipped on purpose (ACTIVITYLOG_SKIP_POSTGRES=1)")
            pytest.fail(
                f"PostgreSQL is not reachable at {admin_url()}: {problem}\n"
                "Start it with `bash scripts/services.sh`, set ACTIVITYLOG_TEST_POSTGRES_URL, "
                "or set ACTIVITYLOG_SKIP_POSTGRES=1 to skip the PostgreSQL tests on purpose.",
                pytrace=False,
            )

    def create(self, template: str | None = None) -> str:
        name = f"activitylog_test_{secrets.token_hex(4)}"
        with self._admin() as admin:
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template is not None:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
                if admin.info.server_version >= 150000:
                    statement += sql.SQL(" STRATEGY FILE_COPY")  # faster than WAL_LOG for a small template
            admin.execute(statement)
        self.created.append(name)
        return name

    def drop(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self.created.remove(name)


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
