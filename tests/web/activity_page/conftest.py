"""A real server for the activity log page's HTTP tests (`activitylog serve` over a temp SQLite file, shared
with the test process), and visitors signed in as each kind of teammate of `tests.support.people`.

Sessions are written straight into the database, as a sign-in writes them, so only the browser tests spend a
password hash. Cookies are not Secure here (httpx keeps Secure cookies to HTTPS).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from activitylog.service import ActivityLog
from activitylog.storage import open_store
from tests.support import people
from tests.support.activity_page import PageServer, Visitor
from tests.support.servers import start_server, stop_server


@pytest.fixture(scope="session")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PageServer]:
    folder = tmp_path_factory.mktemp("activity_page")
    database_url = f"sqlite:///{folder / 'page.db'}"
    open_store(database_url).close()  # migrated before the server starts, so the two do not race
    process, base_url = start_server(
        database_url, folder / "server.log",
        ("ACTIVITYLOG_RETENTION_INTERVAL_HOURS", "0"), ("ACTIVITYLOG_COOKIE_SECURE", "false"),
        ("ACTIVITYLOG_TRUSTED_PROXIES", ""),
    )  # fmt: skip
    store = open_store(database_url, migrate=False)
    try:
        yield PageServer(base_url, ActivityLog(store))
    finally:
        stop_server(process)
        store.close()


@pytest.fixture
def org(page_server: PageServer) -> people.Org:
    """A workspace of the test's own (Europe/Dublin): an admin, a team manager, an auditor, a support agent."""
    return people.org(page_server.log.store)


@pytest.fixture
def visitors(page_server: PageServer, org: people.Org) -> Iterator[Any]:
    opened: list[Visitor] = []

    def open_one(teammate_id: str | None = None) -> Visitor:
        visitor = Visitor(page_server, org)
        opened.append(visitor)
        return visitor.signed_in(teammate_id) if teammate_id else visitor

    yield open_one
    for visitor in opened:
        visitor.http.close()


@pytest.fixture
def admin(visitors: Any) -> Visitor:
    opened: Visitor = visitors("tm_admin")
    return opened
