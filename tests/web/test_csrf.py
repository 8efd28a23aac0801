"""CSRF: every form of a signed-in page needs the session's token and a same-site (or no) Origin; the forms
before sign-in need the double-submit cookie. A refusal is a 403 page, and nothing is written."""

from __future__ import annotations

import pytest

from activitylog.service import ActivityLog
from tests.support import people
from tests.support.console import Browser, Browsers, assert_from, entries, only
from tests.web.test_permissions import CASES, concrete, needs, relative, served_routes

SIGNED_IN_POSTS = sorted(
    (method, path) for method, path in served_routes() if method == "POST" and needs(path) != "public"
)
REFUSED = "This form has expired or did not come from this site."


@pytest.fixture
def admin(browsers: Browsers) -> Browser:
    return browsers("tm_admin")


def test_the_matrix_and_these_tests_cover_the_same_forms() -> None:
    assert {p for m, p in CASES if m == "POST" and needs(p) != "public"} == {p for _, p in SIGNED_IN_POSTS}


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        ("", {}),
        ("wrong-token-of-the-right-length-0123456789abcdef", {}),
        (None, {"Origin": "https://evil.example"}),
        (None, {"Origin": "null"}),
        (None, {"Origin": "http://127.0.0.1:1"}),  # same host, another port: another origin
    ],
    ids=["missing token", "wrong token", "cross-site origin", "opaque origin", "other port"],
)
@pytest.mark.parametrize(("method", "path"), SIGNED_IN_POSTS, ids=[relative(p) for _, p in SIGNED_IN_POSTS])
def test_a_form_without_the_session_token_or_from_another_site_is_refused(
    admin: Browser, web_log: ActivityLog, method: str, path: str, token: str | None, headers: dict[str, str]
) -> None:
    # A form that would change something if it were let through.
    form = {"action": "delete", "name": "Renamed", "timezone": "UTC", "away": "1", "email": "x@example.test"}
    response = admin.post(concrete(path, admin.org.id), form, csrf=token, headers=headers)

    assert response.status_code == 403, response.text[:300]
    assert REFUSED in response.text
    assert entries(web_log, admin.org.id) == []
    assert admin.get("settings/account").status_code == 200  # still signed in (sign-out was refused too)


def test_the_token_of_another_session_is_refused(browsers: Browsers, web_log: ActivityLog) -> None:
    admin, other = browsers("tm_admin"), browsers("tm_support")
    response = admin.post("settings/account/away", {"away": "1"}, csrf=other.csrf)
    assert response.status_code == 403
    assert entries(web_log, admin.org.id) == []


def test_a_same_site_form_with_the_token_goes_through(admin: Browser, web_log: ActivityLog) -> None:
    response = admin.post("settings/account/away", {"away": "1"}, headers={"Origin": admin.server.base_url})

    assert response.status_code == 303
    assert response.headers["location"] == f"/a/{admin.org.id}/settings/account?done=saved"
    assert_from(only(web_log, admin.org.id, "admin_away_mode_change"), "tm_admin", response)


@pytest.mark.parametrize(
    ("cookie", "field", "headers"),
    [
        (None, "valid", {}),
        ("valid", "", {}),
        ("valid", "another-token-of-a-valid-length-0123456789", {}),
        ("valid", "valid", {"Origin": "https://evil.example"}),
    ],
    ids=["no cookie", "no field", "mismatch", "cross-site origin"],
)
def test_the_sign_in_form_needs_its_double_submit_token(
    browser: Browser, web_log: ActivityLog, cookie: str | None, field: str, headers: dict[str, str]
) -> None:
    token = browser.pre_session_token()
    if cookie is None:
        browser.http.cookies.clear()
    form = {"email": people.Org.email("tm_admin"), "password": people.PASSWORD}
    if field:
        form["csrf_token"] = token if field == "valid" else field

    response = browser.http.post(browser.url("sign-in"), data=form, headers=headers)

    assert response.status_code == 403
    assert REFUSED in response.text
    assert "al_session" not in response.headers.get("set-cookie", "")
    assert entries(web_log, browser.org.id) == []  # not even a failure: the password was never looked at
