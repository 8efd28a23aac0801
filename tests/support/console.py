"""A browser without script on the console over real HTTP (httpx), signed in by a session written straight
into the database as a sign-in writes it (`Browser.as_teammate`), and the checks of the entries a console
action leaves. tests/web/conftest.py starts the servers these browsers talk to.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx

from activitylog.accounts.signin import token_hash
from activitylog.domain.entry import Entry
from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.timeutil import now_us
from tests.support import people

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
