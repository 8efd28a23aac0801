"""`ACTIVITYLOG_PUBLIC_URL`, over real HTTP: every absolute URL the server hands out (Intercom's `pages.next`,
an invitation link) uses it whatever Host the request named, a request for another host is a 421 naming
`Host` (the API's error shape, the console's too), and health checks and metrics answer any host."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from activitylog import tokens
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from tests.support import people
from tests.support.console import Browser, Server
from tests.support.factories import event
from tests.support.servers import start_server, stop_server

PUBLIC = "https://logs.example.test"
_INVITE_LINK = re.compile(r'value="(https?://[^"]+/join/[^"]+)"')


@dataclass(frozen=True)
class Public:
    server: Server
    log: ActivityLog


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Public]:
    folder = tmp_path_factory.mktemp("public")
    url = f"sqlite:///{folder / 'public.db'}"
    open_store(url).close()
    process, base_url = start_server(
        url,
        folder / "server.log",
        ("ACTIVITYLOG_PUBLIC_URL", PUBLIC + "/"),  # a trailing slash is forgiven
        ("ACTIVITYLOG_RETENTION_INTERVAL_HOURS", "0"),
        ("ACTIVITYLOG_COOKIE_SECURE", "false"),
    )
    store = open_store(url, migrate=False)
    try:
        yield Public(Server(base_url), ActivityLog(store))
    finally:
        stop_server(process)
        store.close()


def test_pages_next_uses_the_public_url_and_other_hosts_get_421(public: Public) -> None:
    org = people.org(public.log.store)
    public.log.record(org.id, [event() for _ in range(3)])
    secret = tokens.create_token(public.log, org.id, name="reader", scopes="read").secret
    auth = {"Authorization": f"Bearer {secret}"}
    path = "/admins/activity_logs?created_at_after=0&per_page=1"
    with httpx.Client(base_url=public.server.base_url, timeout=10) as http:
        for host in ("logs.example.test", "LOGS.example.test:443"):
            answer = http.get(path, headers={**auth, "Host": host})
            assert answer.status_code == 200, answer.text
            assert answer.json()["pages"]["next"].startswith(f"{PUBLIC}/admins/activity_logs?")

        for host in ("evil.example", "logs.example.test:8443", "127.0.0.1"):
            refused = http.get(path, headers={**auth, "Host": host})
            assert refused.status_code == 421, (host, refused.text)
            assert refused.json()["type"] == "error.list"  # Intercom's error shape on Intercom's path
            native = http.get("/v1/events", headers={**auth, "Host": host})
            assert native.status_code == 421
            assert native.json()["error"]["field"] == "Host"
            assert native.json()["error"]["code"] == "misdirected"
            assert native.headers["x-request-id"]
            for probe in ("/healthz", "/readyz", "/metrics"):
                assert http.get(probe, headers={"Host": host}).status_code == 200, probe


def test_an_invitation_link_uses_the_public_url_and_the_console_refuses_other_hosts(public: Public) -> None:
    org = people.org(public.log.store)
    admin = Browser(public.server, org).as_teammate("tm_admin", public.log)
    try:
        admin.http.headers["Host"] = "logs.example.test"
        invited = admin.post(
            "settings/teammates/invite",
            {"email": "new.person@example.test", "role": "role_support"},
            headers={"Origin": PUBLIC},
        )
        assert invited.status_code == 201, invited.text
        link = _INVITE_LINK.search(invited.text)
        assert link is not None
        assert link.group(1).startswith(f"{PUBLIC}/a/{org.id}/join/")

        admin.http.headers["Host"] = "evil.example"
        assert admin.get("settings/teammates").status_code == 421
    finally:
        admin.close()
