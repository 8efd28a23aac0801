"""Shared fixtures: a real store on every backend, and the activity log over it.

`store` is parametrised over the backends, so every test that uses it is a contract test run on SQLite and
on PostgreSQL. Tests isolate themselves by creating their own workspace (every query is workspace-scoped).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Store, Workspace
from tests import factories

BACKENDS = ["sqlite"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'activitylog.db'}"


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'activitylog.db'}")
    else:  # pragma: no cover - added with the PostgreSQL backend
        raise AssertionError(request.param)
    yield opened
    opened.close()


@pytest.fixture
def log(store: Store) -> ActivityLog:
    return ActivityLog(store)


@pytest.fixture
def ws(store: Store) -> Workspace:
    return factories.workspace(store)
