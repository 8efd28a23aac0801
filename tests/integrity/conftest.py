"""Fixtures for tamper evidence: a signing key, the integrity service over each backend, and raw SQL that goes
round the append-only triggers, as someone with a SQL client and the database's credentials could."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest

from activitylog.integrity.keys import Signer, load_or_create
from activitylog.integrity.service import Integrity
from activitylog.storage.base import Store
from activitylog.storage.integrity import IntegrityRepository
from activitylog.storage.postgres.store import conninfo

Tamper = Callable[..., list[tuple[Any, ...]]]


@pytest.fixture
def signer(tmp_path: Path) -> Signer:
    return load_or_create(tmp_path / "keys" / "signing.key")


@pytest.fixture
def integrity(store: Store, signer: Signer) -> Integrity:
    return Integrity(IntegrityRepository(store), signer)


@pytest.fixture
def tamper(store: Store) -> Tamper:
    """Run SQL on the store's database behind its back, with the append-only triggers out of the way."""

    def run(statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if hasattr(store, "path"):
            connection = sqlite3.connect(store.path, isolation_level=None)
            try:
                connection.execute("DROP TRIGGER IF EXISTS activities_no_update")
                connection.execute("DROP TRIGGER IF EXISTS activities_no_delete")
                return connection.execute(statement, params).fetchall()
            finally:
                connection.close()
        with psycopg.connect(conninfo(store.url), autocommit=True) as connection:
            connection.execute("SET session_replication_role = replica")  # this session fires no triggers
            cursor = connection.execute(statement.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    return run
