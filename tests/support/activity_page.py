"""A visitor without script on the activity log page over real HTTP (httpx), signed in by a session written
straight into the database as a sign-in writes it, and the page's text. tests/web/activity_page/conftest.py
starts the server these visitors talk to.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx

from activitylog.accounts.signin import token_hash
from activitylog.service import ActivityLog
from activitylog.timeutil import now_us
from tests.support import people

USER_AGENT = "pytest-activity-page/1.0"


@dataclass(frozen=True)
class PageServer:
    base_url: str
    log: ActivityLog


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


_TAG = re.compile(r"<[^>]+>")


def text(html: str) -> str:
    """The page's text, tags dropped and whitespace squeezed (entities stay as they are)."""
    return re.sub(r"\s+", " ", _TAG.sub(" ", html))
