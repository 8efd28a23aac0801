"""Signing in and out in the browser: the cookies and their attributes, the entries with the client's IP and
user agent, throttling's message, the second step, idle expiry, and which `X-Forwarded-For` is believed."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import httpx
import pyotp
import pytest

from activitylog.accounts import twofactor
from activitylog.accounts.signin import ACCOUNT_LIMIT, IP_LIMIT, token_hash
from activitylog.service import ActivityLog
from activitylog.timeutil import now_us
from activitylog.web.templating import SECURITY_HEADERS
from tests.support import people
from tests.support.console import Browser, Browsers, Servers, assert_from, entries, only
from tests.support.people import PASSWORD, Org

ADMIN = Org.email("tm_admin")
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MISMATCH = "That email and password do not match a teammate of this workspace."
THROTTLED = "Too many failed sign-in attempts. Wait 15 minutes, then try again."


def set_cookies(response: httpx.Response) -> dict[str, dict[str, str | bool]]:
    """Each Set-Cookie of the response by name: its value and attributes (lower-case names)."""
    found: dict[str, dict[str, str | bool]] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            attributes: dict[str, str | bool] = {k: v for k, v in morsel.items() if v}
            attributes["value"] = morsel.value
            found[name] = attributes
    return found


def add_failures(log: ActivityLog, workspace_id: str, kind: str, key: str, count: int) -> None:
    with log.store.transaction(workspace_id) as tx:
        for _ in range(count):
            tx.execute(
                "INSERT INTO sign_in_failures (workspace_id, kind, key, at_us) VALUES (?, ?, ?, ?)",
                (workspace_id, kind, key, now_us()),
            )


# Signing in ---------------------------------------------------------------------------------------------


def test_signing_in_sets_a_session_cookie_and_logs_the_success(browser: Browser, web_log: ActivityLog) -> None:
    next_path = f"/a/{browser.org.id}/settings/teammates"
    response = browser.sign_in(ADMIN.upper(), next=next_path)

    assert response.status_code == 303
    assert response.headers["location"] == next_path
    cookie = set_cookies(response)["al_session"]
    assert cookie["httponly"] is True
    assert str(cookie["samesite"]).lower() == "lax"
    assert cookie["path"] == f"/a/{browser.org.id}"
    assert "secure" not in cookie  # this server was told it is served over plain HTTP
    assert_from(only(web_log, browser.org.id, "admin_login_success"), "tm_admin", response)
    page = browser.get(next_path)
    assert page.status_code == 200
    assert "Ada Admin" in page.text


@pytest.mark.parametrize("next_path", ["https://evil.example/", "//evil.example/a/", "/a/other/settings", "/a/{ws}//x"])
def test_after_signing_in_the_browser_stays_in_the_workspace(browser: Browser, next_path: str) -> None:
    response = browser.sign_in(ADMIN, next=next_path.replace("{ws}", browser.org.id))
    assert response.headers["location"] == f"/a/{browser.org.id}/settings"


@pytest.mark.parametrize(("email", "reason"), [(ADMIN, "wrong password"), ("nobody@example.test", "unknown email")])
def test_a_failed_sign_in_says_so_and_is_logged(
    browser: Browser, web_log: ActivityLog, email: str, reason: str
) -> None:
    response = browser.sign_in(email, "not the password")

    assert response.status_code == 401
    assert MISMATCH in response.text
    assert "al_session" not in set_cookies(response)
    entry = only(web_log, browser.org.id, "admin_login_failure")
    assert entry.metadata["reason"] == reason
    assert entry.actor.email == email
    assert (entry.ip, entry.user_agent, entry.request_id) == (
        "127.0.0.1", browser.user_agent, response.headers["x-request-id"]
    )  # fmt: skip


def test_a_locked_account_gets_a_clear_message_and_the_refusal_is_logged(
    browser: Browser, web_log: ActivityLog
) -> None:
    add_failures(web_log, browser.org.id, "account", ADMIN, ACCOUNT_LIMIT)

    response = browser.sign_in(ADMIN)  # the right password

    assert response.status_code == 401
    assert THROTTLED in response.text
    entry = only(web_log, browser.org.id, "admin_login_failure")
    assert entry.metadata["reason"] == "locked: too many failed attempts for this account"
    assert_from(entry, "tm_admin", response)


def test_a_throttled_ip_gets_a_clear_message_and_the_refusal_is_logged(browser: Browser, web_log: ActivityLog) -> None:
    add_failures(web_log, browser.org.id, "ip", "127.0.0.1", IP_LIMIT)

    response = browser.sign_in(Org.email("tm_support"))

    assert response.status_code == 401
    assert THROTTLED in response.text
    entry = only(web_log, browser.org.id, "admin_login_failure")
    assert entry.metadata["reason"] == "throttled: too many failed attempts from this IP address"
    assert_from(entry, "tm_support", response)


def test_two_factor_sign_in_in_the_browser(browser: Browser, web_log: ActivityLog) -> None:
    with web_log.store.transaction(browser.org.id) as tx:
        tx.execute("UPDATE teammates SET totp_secret = ?, recovery_codes = ? WHERE workspace_id = ? AND id = ?",
                   (SECRET, json.dumps([twofactor.digest("abcd-efgh-jkmn")]), browser.org.id, "tm_admin"))  # fmt: skip
    next_path = f"/a/{browser.org.id}/settings/roles"
    first = browser.sign_in(ADMIN, next=next_path)
    assert first.status_code == 303
    assert first.headers["location"] == f"/a/{browser.org.id}/sign-in/code?" + urlencode({"next": next_path})
    assert browser.get("settings/roles").status_code == 303  # the password alone opens nothing
    token = browser.pre_session_token(first.headers["location"])

    wrong = browser.post("sign-in/code", {"code": "000000", "next": next_path}, csrf=token)
    assert wrong.status_code == 401
    assert "code is not right" in wrong.text
    assert f'name="next" value="{next_path}"' in wrong.text  # the second try still comes back here
    done = browser.post("sign-in/code", {"code": pyotp.TOTP(SECRET).now(), "next": next_path}, csrf=token)

    assert done.status_code == 303
    assert done.headers["location"] == next_path
    assert browser.get("settings/roles").status_code == 200
    failure, success = entries(web_log, browser.org.id)
    assert failure.metadata["reason"] == "wrong two-factor code"
    assert success.metadata == {"sign_in_method": "email and password + authenticator app"}
    assert_from(success, "tm_admin", done)


def test_the_code_page_needs_a_started_sign_in(browser: Browser) -> None:
    response = browser.get("sign-in/code")
    assert response.status_code == 303
    assert response.headers["location"] == f"/a/{browser.org.id}/sign-in"


def test_an_unknown_workspace_has_no_sign_in_page(browser: Browser) -> None:
    assert browser.get("/a/ws_no_such_workspace/sign-in").status_code == 404
    assert browser.get("/a/bad%20id/sign-in").status_code == 404


# Sessions -----------------------------------------------------------------------------------------------


def test_signing_out_ends_the_session_clears_the_cookie_and_is_logged(browsers: Browsers, web_log: ActivityLog) -> None:
    support = browsers("tm_support", user_agent="Firefox/128.0 (sign-out test)")

    response = support.post("sign-out")

    assert response.status_code == 303
    assert response.headers["location"] == f"/a/{support.org.id}/sign-in?done=signed_out"
    cleared = set_cookies(response)["al_session"]
    assert cleared["max-age"] == "0"
    assert cleared["path"] == f"/a/{support.org.id}"
    entry = only(web_log, support.org.id, "admin_logout")
    assert entry.metadata == {"reason": "signed out from the web app"}
    assert_from(entry, "tm_support", response)
    assert entry.user_agent == "Firefox/128.0 (sign-out test)"
    support.http.cookies.set("al_session", support.session)  # the old cookie, kept by a careless browser
    assert support.get("settings/account").status_code == 303


def test_an_idle_session_expires_back_to_the_sign_in_page_and_the_end_is_logged(
    browsers: Browsers, web_log: ActivityLog
) -> None:
    manager = browsers("tm_manager")
    assert manager.get("settings/teammates").status_code == 200
    with web_log.store.transaction(manager.org.id) as tx:
        tx.execute("UPDATE sessions SET last_seen_us = last_seen_us - ? WHERE token_hash = ?",
                   (61 * 60 * 1_000_000, token_hash(manager.session)))  # fmt: skip

    response = manager.get("settings/teammates?done=saved")

    assert response.status_code == 303
    assert response.headers["location"] == f"/a/{manager.org.id}/sign-in?" + urlencode(
        {"next": f"/a/{manager.org.id}/settings/teammates?done=saved"}
    )
    entry = only(web_log, manager.org.id, "admin_logout")
    assert entry.metadata == {"reason": "session timed out after inactivity"}
    assert_from(entry, "tm_manager", response)
    assert manager.get("settings/teammates").status_code == 303  # it stays ended
    assert len(entries(web_log, manager.org.id)) == 1


def test_a_session_cookie_opens_only_its_workspace(browsers: Browsers, web_log: ActivityLog) -> None:
    admin = browsers("tm_admin")
    other = people.org(web_log.store, name="Other")
    response = admin.get(f"/a/{other.id}/settings/account")
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/a/{other.id}/sign-in")


def test_a_removed_teammate_is_signed_out_at_once(browsers: Browsers) -> None:
    auditor, admin = browsers("tm_auditor"), browsers("tm_admin")
    assert admin.post("settings/teammates/tm_auditor", {"action": "delete"}).status_code == 303
    assert auditor.get("settings/workspace").status_code == 303


# Cookies behind a proxy, and X-Forwarded-For -----------------------------------------------------------


def test_cookies_are_secure_http_only_and_scoped_to_the_workspace(servers: Servers, org: people.Org) -> None:
    with httpx.Client(base_url=servers.proxied.base_url, follow_redirects=False, timeout=10) as client:
        form_page = client.get(f"/a/{org.id}/sign-in")
        pre = set_cookies(form_page)["al_csrf"]
        assert pre["secure"] is True
        assert pre["httponly"] is True
        assert pre["path"] == "/a/"
        assert str(pre["samesite"]).lower() == "strict"
        # httpx keeps Secure cookies for HTTPS: send it back by hand, as a browser would over HTTPS.
        response = client.post(
            f"/a/{org.id}/sign-in",
            data={"csrf_token": str(pre["value"]), "email": ADMIN, "password": PASSWORD},
            headers={"Cookie": f"al_csrf={pre['value']}"},
        )
    assert response.status_code == 303, response.text
    cookie = set_cookies(response)["al_session"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert str(cookie["samesite"]).lower() == "lax"
    assert cookie["path"] == f"/a/{org.id}"
    assert "domain" not in cookie
    assert "max-age" not in cookie
    assert "expires" not in cookie


def test_a_forged_x_forwarded_for_from_an_untrusted_peer_is_ignored(browser: Browser, web_log: ActivityLog) -> None:
    token = browser.pre_session_token()
    response = browser.http.post(
        browser.url("sign-in"),
        data={"csrf_token": token, "email": ADMIN, "password": "a wrong password"},
        headers={"X-Forwarded-For": "198.51.100.66", "X-Forwarded-Host": "evil.example"},
    )
    assert response.status_code == 401
    assert only(web_log, browser.org.id, "admin_login_failure").ip == "127.0.0.1"
    # Nor is the forged address throttled in the client's place.
    assert web_log.store.read(
        "SELECT key FROM sign_in_failures WHERE workspace_id = ? AND kind = 'ip'", (browser.org.id,)
    ) == [("127.0.0.1",)]


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [("198.51.100.66", "198.51.100.66"), ("203.0.113.1, 198.51.100.66", "198.51.100.66"), ("", "127.0.0.1")],
    ids=["one hop", "a forged hop before the real one", "none"],
)
def test_x_forwarded_for_from_a_trusted_proxy_is_honoured(
    browsers: Browsers, servers: Servers, web_log: ActivityLog, forwarded: str, client: str
) -> None:
    browser = browsers(server=servers.proxied)
    form_page = browser.get("sign-in")
    token = set_cookies(form_page)["al_csrf"]["value"]
    headers = {"Cookie": f"al_csrf={token}", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "logs.example.test",
               "Origin": "https://logs.example.test"}  # fmt: skip
    if forwarded:
        headers["X-Forwarded-For"] = forwarded

    response = browser.http.post(
        browser.url("sign-in"), data={"csrf_token": token, "email": ADMIN, "password": PASSWORD}, headers=headers
    )

    assert response.status_code == 303, response.text  # the Origin is the proxy's public one: same site
    assert only(web_log, browser.org.id, "admin_login_success").ip == client


# Pages --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        (None, "sign-in", 200),
        ("tm_admin", "settings/teammates", 200),
        ("tm_support", "settings/teammates", 403),
        ("tm_admin", "settings/roles/role_nope", 405),
        (None, "join/not-a-token", 404),
    ],
)
def test_every_page_carries_the_security_headers(browsers: Browsers, who: str | None, path: str, status: int) -> None:
    response = browsers(who).get(path)
    assert response.status_code == status
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
