"""The test PostgreSQL server: its URL (ACTIVITYLOG_TEST_POSTGRES_URL), and throwaway databases on it.

The root conftest's fixtures (`postgres_server`, `postgres_url`, `fresh_postgres_url`, ...) are built on these;
tests that start servers of their own over a database of their own use them directly.
"""

from __future__ import annotations

import os
import secrets

import psycopg
import pytest
from psycopg import sql

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
