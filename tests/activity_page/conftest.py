"""A real server for the activity log page's HTTP tests (`activitylog serve` over a temp SQLite file, shared
with the test process), and visitors signed in as each kind of teammate of `tests.support.people`.

Sessions are written straight into the database, as a sign-in writes them, so only the browser tests spend a
password hash. Cookies are not Secure here (httpx keeps Secure cookies to HTTPS).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from activitylog.accounts.signin import token_hash
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.timeutil import now_us
from tests.support import people
from tests.support.servers import start_server, stop_server

USER_AGENT = "pytest-activity-page/1.0"


@dataclass(frozen=True)
class PageServer:
    base_url: str
    log: ActivityLog


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


@dataclass
class Visitor:
    """A browser without script, on one workspace's console; paths are relative to the activity log page."""

    server: PageServer
    org: people.Org
    csrf: str = ""
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(
            base_url=self.server.base_url, headers={"User-Agent": USER_AGENT}, follow_redirects=False, timeout=20
        )

    @property
    def page(self) -> str:
        return f"/a/{self.org.id}/settings/activity-logs"

    def signed_in(self, teammate_id: str) -> Visitor:
        session, self.csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.server.log.store.transaction(self.org.id) as tx:
            tx.execute(
                "INSERT INTO sessions (token_hash, workspace_id, teammate_id, csrf_token, stage, created_us, "
                "last_seen_us) VALUES (?, ?, ?, ?, 'complete', ?, ?)",
                (token_hash(session), self.org.id, teammate_id, self.csrf, now_us(), now_us()),
            )
        self.http.cookies.set("al_session", session)
        return self

    def get(self, path: str = "", **kwargs: Any) -> httpx.Response:
        return self.http.get(self.page + path, **kwargs)

    def download(self, query: str = "", data: dict[str, str] | None = None, *, csrf: bool = True) -> httpx.Response:
        form = {"format": "csv", **({"csrf_token": self.csrf} if csrf else {}), **(data or {})}
        return self.http.post(f"{self.page}/download" + (f"?{query}" if query else ""), data=form)


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


_TAG = re.compile(r"<[^>]+>")


def text(html: str) -> str:
    """The page's text, tags dropped and whitespace squeezed (entities stay as they are)."""
    return re.sub(r"\s+", " ", _TAG.sub(" ", html))
