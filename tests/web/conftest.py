"""The console over real HTTP: `activitylog serve` in a subprocess over a temp SQLite file, shared with the
test process (WAL), which writes workspaces, sessions and clock changes straight into it.

Two servers share the file: `console` as most operators run it behind nothing (no trusted proxy, cookies not
Secure so httpx sends them back over plain HTTP), and `proxied` with Secure cookies behind a trusted proxy
(127.0.0.1), for the Set-Cookie attributes and `X-Forwarded-For`. Sessions are minted in the database
(`Browser.as_teammate`), so only the tests of signing in spend a password hash.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from activitylog.accounts.signin import token_hash
from activitylog.domain.entry import Entry
from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.timeutil import now_us
from tests.support import people
from tests.support.servers import start_server, stop_server

USER_AGENT = "pytest-web/1.0 (console tests)"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Server:
    base_url: str


@dataclass(frozen=True)
class Servers:
    console: Server
    proxied: Server
    log: ActivityLog  # over the servers' database, from the test process


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("web")
    database_url = f"sqlite:///{folder / 'console.db'}"
    open_store(database_url).close()  # migrate before the servers start, so they do not race
    common = (("ACTIVITYLOG_RETENTION_INTERVAL_HOURS", "0"),)
    plain_env = (*common, ("ACTIVITYLOG_COOKIE_SECURE", "false"), ("ACTIVITYLOG_TRUSTED_PROXIES", ""))
    proxied_env = (*common, ("ACTIVITYLOG_COOKIE_SECURE", "true"), ("ACTIVITYLOG_TRUSTED_PROXIES", "127.0.0.1/32"))
    with ThreadPoolExecutor(2) as pool:  # each start waits for its server to answer: wait for both at once
        starting = [
            pool.submit(start_server, database_url, folder / "console.log", *plain_env),
            pool.submit(start_server, database_url, folder / "proxied.log", *proxied_env),
        ]
    started = [future.result() for future in starting if future.exception() is None]
    if len(started) < 2:
        for process, _ in started:
            stop_server(process)
        raise next(e for e in (f.exception() for f in starting) if e is not None)
    (plain, plain_url), (proxied, proxied_url) = started
    store = open_store(database_url, migrate=False)
    try:
        yield Servers(Server(plain_url), Server(proxied_url), ActivityLog(store))
    finally:
        stop_server(plain)
        stop_server(proxied)
        store.close()


@pytest.fixture(scope="session")
def web_log(servers: Servers) -> ActivityLog:
    return servers.log


@pytest.fixture
def org(web_log: ActivityLog) -> people.Org:
    """A workspace of its own for the test: four roles, a teammate of each."""
    return people.org(web_log.store)


@dataclass
class Browser:
    """One browser on the console of one workspace; paths are relative to `/a/{workspace}/`."""

    server: Server
    org: people.Org
    user_agent: str = USER_AGENT
    csrf: str = ""
    session: str = ""
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(
            base_url=self.server.base_url, headers={"User-Agent": self.user_agent}, follow_redirects=False, timeout=10
        )

    @property
    def base(self) -> str:
        return f"/a/{self.org.id}"

    def url(self, path: str) -> str:
        return path if path.startswith("/") else f"{self.base}/{path}"

    def as_teammate(self, teammate_id: str, log: ActivityLog) -> Browser:
        """Signed in as the teammate: a session written as a sign-in writes it (without the entry)."""
        self.session, self.csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with log.store.transaction(self.org.id) as tx:
            tx.execute(
                "INSERT INTO sessions (token_hash, workspace_id, teammate_id, csrf_token, stage, created_us, "
                "last_seen_us) VALUES (?, ?, ?, ?, 'complete', ?, ?)",
                (token_hash(self.session), self.org.id, teammate_id, self.csrf, now_us(), now_us()),
            )
        self.http.cookies.set("al_session", self.session)
        return self

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(self.url(path), **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: str | None = None,
             **kwargs: Any) -> httpx.Response:  # fmt: skip
        """A form post carrying the session's CSRF token (or `csrf`; "" sends none)."""
        token = self.csrf if csrf is None else csrf
        form = {**(data or {}), **({"csrf_token": token} if token else {})}
        return self.http.post(self.url(path), data=form, **kwargs)

    def pre_session_token(self, path: str = "sign-in") -> str:
        """Open a form shown before sign-in (sign-in, join) and answer its CSRF token."""
        page = self.get(path)
        assert page.status_code == 200, page.text
        found = _CSRF_FIELD.search(page.text)
        assert found is not None
        return found.group(1)

    def sign_in(self, email: str, password: str = people.PASSWORD, **form: str) -> httpx.Response:
        token = self.pre_session_token()
        return self.http.post(
            self.url("sign-in"), data={"csrf_token": token, "email": email, "password": password, **form}
        )

    def close(self) -> None:
        self.http.close()


class Browsers:
    """Opens browsers for a test and closes them after it."""

    def __init__(self, servers: Servers, org: people.Org) -> None:
        self.servers, self.org, self.opened = servers, org, list[Browser]()

    def __call__(self, teammate_id: str | None = None, *, server: Server | None = None,
                 org: people.Org | None = None, user_agent: str = USER_AGENT) -> Browser:  # fmt: skip
        """A browser on the plain console (or `server`), signed in as the teammate when one is named."""
        opened = Browser(server or self.servers.console, org or self.org, user_agent)
        self.opened.append(opened)
        return opened.as_teammate(teammate_id, self.servers.log) if teammate_id else opened


@pytest.fixture
def browsers(servers: Servers, org: people.Org) -> Iterator[Browsers]:
    factory = Browsers(servers, org)
    yield factory
    for each in factory.opened:
        each.close()


@pytest.fixture
def browser(browsers: Browsers) -> Browser:
    """A browser on the plain console, signed in as nobody yet."""
    return browsers()


def entries(log: ActivityLog, workspace_id: str, *types: str) -> list[Entry]:
    """The workspace's entries, oldest first (only of `types` when given)."""
    page = log.query(workspace_id, ActivityFilter(types=types), limit=500)
    return sorted(page.entries, key=lambda e: (e.occurred_us, e.id))


def only(log: ActivityLog, workspace_id: str, type_: str) -> Entry:
    found = entries(log, workspace_id)
    assert [e.type for e in found] == [type_], [e.type for e in found]
    return found[0]


def assert_from(entry: Entry, actor_id: str, response: httpx.Response, ip: str = "127.0.0.1") -> None:
    """The entry names the actor, and the IP, user agent and request id of the request that caused it."""
    assert (entry.actor.type, entry.actor.id) == ("teammate", actor_id)
    assert entry.ip == ip
    assert entry.user_agent == response.request.headers["user-agent"]
    assert entry.request_id == response.headers["x-request-id"]
