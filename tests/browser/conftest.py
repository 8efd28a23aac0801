"""Browser tests: Debian's headless Chromium, driven by Playwright's sync API, on a real server.

The server is `activitylog serve` in a subprocess over a temp SQLite file (shared with the test process, which
seeds it); its session cookie stays Secure, as in production: Chromium treats http://127.0.0.1 as a secure
context and sends Secure cookies to it. Playwright never downloads a browser here: it launches
/usr/bin/chromium (`scripts/services.sh` installs it). Without Chromium these tests fail, naming the fix;
ACTIVITYLOG_SKIP_BROWSER=1 skips them on purpose.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from activitylog import tokens
from activitylog.domain.days import day_of, midnight_us
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Teammate
from activitylog.timeutil import MICROS, iso, now_us
from tests.support import people
from tests.support.factories import event
from tests.support.servers import start_server, stop_server

CHROMIUM = os.environ.get("ACTIVITYLOG_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
XSS = "<img src=x onerror=alert(1)>"
HOUR = 3600 * MICROS
ZONE = "Europe/Dublin"


@dataclass(frozen=True)
class Site:
    base_url: str
    log: ActivityLog
    org: people.Org
    token: str  # an API token of the workspace (read), to compare the page's answers with the API's

    @property
    def page(self) -> str:
        return f"{self.base_url}/a/{self.org.id}/settings/activity-logs"


def _seed(log: ActivityLog, org: people.Org) -> None:
    """A fortnight of activity: 160 entries of three teammates (one since deleted), a change with before and
    after, and an entry whose values are markup."""
    log.store.upsert_teammates([Teammate(org.id, "tm_gone", "Jonah Okafor", "jonah@example.test", None, "deleted")])
    now = now_us()
    cast = [("tm_admin", "Ada Admin"), ("tm_auditor", "Audrey Auditor"), ("tm_gone", "Jonah Okafor")]
    types = ("admin_login_success", "app_name_change", "role_creation", "admin_logout")
    batch = []
    for n in range(160):
        actor_id, name = cast[n % 3]
        batch.append(
            event(types[n % 4], actor_id=actor_id, name=name, ip=("203.0.113.7", "198.51.100.20")[n % 2],
                  occurred_at=iso(now - (n * 2 + 1) * HOUR))
        )  # fmt: skip
    log.record(org.id, batch)
    three_days_ago = midnight_us(day_of(now, ZONE) - timedelta(days=3), ZONE) + 10 * HOUR
    log.record_one(
        org.id,
        event(
            "security_settings_change", actor_id="tm_admin", name="Ada Admin", ip="2001:db8::42",
            occurred_at=iso(three_days_ago), request_id="req-security-1",
            metadata={"before": {"session_timeout_hours": 24}, "after": {"session_timeout_hours": 8}},
        ),
    )  # fmt: skip
    log.record_one(
        org.id,
        event("app_name_change", actor_id="tm_x", name=XSS, ip="203.0.113.66", user_agent=XSS,
              occurred_at=iso(now - 30 * MICROS), metadata={"before": XSS, "after": "Acme", "note": XSS}),
    )  # fmt: skip


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{folder / 'browser.db'}"
    store = open_store(database_url)
    log = ActivityLog(store)
    org = people.org(store, name="Acme", timezone=ZONE)
    _seed(log, org)
    token = tokens.create_token(log, org.id, name="browser tests", scopes="read").secret
    process, base_url = start_server(database_url, folder / "server.log", ("ACTIVITYLOG_RETENTION_INTERVAL_HOURS", "0"))
    try:
        yield Site(base_url, log, org, token)
    finally:
        stop_server(process)
        store.close()


# Module-scoped, not session-scoped: while Playwright's sync API is open, its event loop counts as running in
# this thread, and every later test that calls asyncio.run() would fail.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if os.environ.get("ACTIVITYLOG_SKIP_BROWSER") == "1":
        pytest.skip("browser tests skipped on purpose (ACTIVITYLOG_SKIP_BROWSER=1)")
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `bash scripts/services.sh` (apt-get install chromium), "
            "or set ACTIVITYLOG_SKIP_BROWSER=1 to skip the browser tests on purpose.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def signed_in_state(chromium: Any, site: Site, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The admin signed in once through the real form; each test starts from that browser state."""
    context = chromium.new_context()
    page = context.new_page()
    page.goto(site.page)
    page.fill("#email", people.Org.email("tm_admin"))
    page.fill("#password", people.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site.page)
    path = str(tmp_path_factory.mktemp("state") / "admin.json")
    context.storage_state(path=path)
    context.close()
    return path


@dataclass
class Tab:
    """A page of the browser, and what went wrong in it: console errors (a CSP refusal is one) and dialogs."""

    page: Any
    errors: list[str]
    dialogs: list[str]
    expect_errors: bool = False  # a test of an error page sets it


def open_tab(chromium: Any, state: str | None, width: int = 1280, height: int = 900) -> tuple[Any, Tab]:
    context = chromium.new_context(
        storage_state=state, viewport={"width": width, "height": height}, accept_downloads=True
    )
    page = context.new_page()
    tab = Tab(page, [], [])

    def on_console(message: Any) -> None:
        # A failed load is reported as a response, below (with its URL, so the favicon can be told apart).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            tab.errors.append(message.text)

    def on_response(response: Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico") and not tab.expect_errors:
            tab.errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return context, tab


@pytest.fixture
def tab(chromium: Any, signed_in_state: str) -> Iterator[Tab]:
    context, opened = open_tab(chromium, signed_in_state)
    yield opened
    context.close()
    assert opened.dialogs == []
    assert opened.errors == []
