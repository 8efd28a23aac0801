"""Over real HTTP, on both backends: throttling holds under a concurrent burst, because each attempt reserves its
place in the counts before its password is checked. Of 40 simultaneous sign-ins for one account at most five
wrong passwords are checked (and the right one), of 30 from one IP at most twenty, and every request is
accounted for: checked and logged, or refused (the first refusal logged, the further ones counted for one
entry when the window ends). A code typed in non-ASCII digits is a logged, counted failure, not a 500."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from activitylog.accounts import signin
from activitylog.accounts.signin import ACCOUNT_LIMIT, IP_LIMIT
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from tests.support import people
from tests.support.console import Browser, Server, entries
from tests.support.people import Org
from tests.support.postgres import BACKENDS, PostgresServer, database_url
from tests.support.servers import start_server, stop_server

THROTTLED = "Too many failed sign-in attempts. Wait 15 minutes, then try again."
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(scope="module", params=BACKENDS)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, ActivityLog]]:
    folder = tmp_path_factory.mktemp("burst")
    if request.param == "postgres":
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        url = database_url(postgres.create(template=request.getfixturevalue("postgres_template")))
    else:
        url = f"sqlite:///{folder / 'burst.db'}"
    open_store(url).close()
    process, base_url = start_server(
        url,
        folder / "server.log",
        ("ACTIVITYLOG_RETENTION_INTERVAL_HOURS", "0"),
        ("ACTIVITYLOG_COOKIE_SECURE", "false"),
    )
    store = open_store(url, migrate=False)
    try:
        yield Server(base_url), ActivityLog(store)
    finally:
        stop_server(process)
        store.close()


def burst(server: Server, org: Org, attempts: list[tuple[str, str]]) -> list[httpx.Response]:
    """All the sign-ins at once: each browser fetches its form first, then all post together."""
    browsers = [Browser(server, org) for _ in attempts]
    try:
        tokens = [each.pre_session_token() for each in browsers]
        start = threading.Barrier(len(attempts))

        def post(i: int) -> httpx.Response:
            email, password = attempts[i]
            start.wait(timeout=60)
            return browsers[i].http.post(
                browsers[i].url("sign-in"),
                data={"csrf_token": tokens[i], "email": email, "password": password},
                timeout=300,
            )

        with ThreadPoolExecutor(len(attempts)) as pool:
            return list(pool.map(post, range(len(attempts))))
    finally:
        for each in browsers:
            each.close()


def reasons(log: ActivityLog, workspace_id: str) -> list[str]:
    return [e.metadata.get("reason", "signed in") for e in entries(log, workspace_id)]


def refused_later(log: ActivityLog, workspace_id: str) -> int:
    """Refusals counted, not yet logged: the open lock windows' `refused`."""
    rows = log.store.read(
        "SELECT coalesce(sum(refused), 0) FROM sign_in_refusals WHERE workspace_id = ?", (workspace_id,)
    )
    return int(rows[0][0])


def test_a_burst_against_one_account_checks_at_most_five_passwords(served: tuple[Server, ActivityLog]) -> None:
    server, log = served
    org = people.org(log.store)
    admin = Org.email("tm_admin")
    attempts = [(admin, f"wrong guess {i}") for i in range(39)] + [(admin, people.PASSWORD)]

    responses = burst(server, org, attempts)

    assert all(r.status_code in (303, 401) for r in responses), [r.status_code for r in responses]
    logged = reasons(log, org.id)
    checked = [r for r in logged if r in ("wrong password", "signed in")]
    # At most five wrong passwords are checked. The right one, when it is checked, signs in and releases its
    # place (a success is no failure: a teammate who signs in five times is not locked out), so one more attempt
    # of the burst may be checked after it: never a sixth wrong password before the lock.
    assert 1 <= checked.count("wrong password") + checked.count("signed in") <= ACCOUNT_LIMIT + 1, logged
    assert checked.count("wrong password") <= ACCOUNT_LIMIT, logged
    assert checked.count("signed in") <= 1, logged
    refused = [r for r in responses if r.status_code == 401 and THROTTLED in r.text]
    assert len(refused) == 40 - len(checked)
    # The first refusal is logged; the further ones wait, counted, for the window's summary entry.
    assert logged.count(signin.LOCKED_ACCOUNT) == 1
    assert refused_later(log, org.id) == len(refused) - 1
    signed_in = [r for r in responses if r.status_code == 303]
    assert len(signed_in) == checked.count("signed in")


def test_a_burst_from_one_ip_checks_at_most_twenty(served: tuple[Server, ActivityLog]) -> None:
    server, log = served
    org = people.org(log.store)
    attempts = [(f"guess{i}@example.test", "a guess") for i in range(30)]

    responses = burst(server, org, attempts)

    assert all(r.status_code == 401 for r in responses)
    logged = reasons(log, org.id)
    checked = logged.count("unknown email")
    assert 1 <= checked <= IP_LIMIT, logged
    assert logged.count(signin.LOCKED_IP) == (1 if checked < 30 else 0)
    assert checked + logged.count(signin.LOCKED_IP) + refused_later(log, org.id) == 30


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "１２３４５６", "12३456", "١٢٣ ٤٥٦"])
def test_a_code_in_non_ascii_digits_is_a_logged_counted_failure(served: tuple[Server, ActivityLog], code: str) -> None:
    server, log = served
    org = people.org(log.store)
    with log.store.transaction(org.id) as tx:
        tx.execute(
            "UPDATE teammates SET totp_secret = ? WHERE workspace_id = ? AND id = ?", (SECRET, org.id, "tm_admin")
        )
    browser = Browser(server, org)
    try:
        first = browser.sign_in(Org.email("tm_admin"))
        assert first.status_code == 303, first.text
        token = browser.pre_session_token(first.headers["location"])

        response = browser.post("sign-in/code", {"code": code}, csrf=token)
    finally:
        browser.close()

    assert response.status_code == 401, response.text
    assert "code is not right" in response.text
    assert reasons(log, org.id) == ["wrong two-factor code"]
    counted = log.store.read(
        "SELECT count(*) FROM sign_in_failures WHERE workspace_id = ? AND kind = 'account'", (org.id,)
    )
    assert counted[0][0] == 1  # the right password's reservation was released; the bad code counts
