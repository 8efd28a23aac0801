"""The console over real HTTP: `activitylog serve` in a subprocess over a temp SQLite file, shared with the
test process (WAL), which writes workspaces, sessions and clock changes straight into it.

Two servers share the file: `console` as most operators run it behind nothing (no trusted proxy, cookies not
Secure so httpx sends them back over plain HTTP), and `proxied` with Secure cookies behind a trusted proxy
(127.0.0.1), for the Set-Cookie attributes and `X-Forwarded-For`. Sessions are minted in the database
(`Browser.as_teammate`), so only the tests of signing in spend a password hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from activitylog.service import ActivityLog
from activitylog.storage import open_store
from tests.support import people
from tests.support.console import Browser, Browsers, Server, Servers
from tests.support.servers import start_server, stop_server


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
