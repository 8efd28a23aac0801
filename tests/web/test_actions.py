"""Each console form does its change and logs exactly its entry, with the teammate, IP, user agent and request
id of the request; a refused form shows the page again with the reason; names are text, never markup."""

from __future__ import annotations

import re

import pyotp
import pytest

from activitylog.domain.permissions import SETTINGS, TEAMMATES
from activitylog.service import ActivityLog
from tests.support.console import Browser, Browsers, assert_from, entries
from tests.support.people import PASSWORD, Org

NEWCOMER = "new.person@example.test"
SCRIPTED = "<img src=x onerror=alert(1)>"
_INVITE_LINK = re.compile(r'value="(http://[^"]+/join/[^"]+)"')


def last(log: ActivityLog, browser: Browser, type_: str, count: int) -> None:
    """The workspace has `count` entries, the newest of this type."""
    found = entries(log, browser.org.id)
    assert [e.type for e in found][-1:] == [type_]
    assert len(found) == count, [e.type for e in found]


@pytest.fixture
def admin(browsers: Browsers) -> Browser:
    return browsers("tm_admin")


def test_invites_from_creation_to_joining(admin: Browser, browsers: Browsers, web_log: ActivityLog) -> None:
    created = admin.post("settings/teammates/invite", {"email": NEWCOMER, "role_id": "role_support"})
    assert created.status_code == 201
    link = _INVITE_LINK.search(created.text)
    assert link is not None
    assert NEWCOMER in created.text
    [entry] = entries(web_log, admin.org.id)
    assert entry.type == "admin_invite_creation"
    assert_from(entry, "tm_admin", created)
    invite_id = web_log.store.read("SELECT id FROM invites WHERE workspace_id = ?", (admin.org.id,))[0][0]

    changed = admin.post(f"settings/invites/{invite_id}", {"action": "change", "role_id": "role_auditor"})
    assert changed.status_code == 303
    assert changed.headers["location"] == f"/a/{admin.org.id}/settings/teammates?done=invite_changed"
    changed_entry = entries(web_log, admin.org.id)[-1]
    assert changed_entry.metadata["before"] == {"role": "Support"}
    assert changed_entry.metadata["after"] == {"role": "Auditor"}
    assert_from(changed_entry, "tm_admin", changed)

    newcomer = browsers()
    path = link.group(1).removeprefix(admin.server.base_url)
    token = newcomer.pre_session_token(path)
    joined = newcomer.http.post(path, data={"csrf_token": token, "name": SCRIPTED, "password": PASSWORD})
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/a/{admin.org.id}/sign-in?done=joined"
    join = entries(web_log, admin.org.id)[-1]
    assert join.type == "app_admin_join"
    assert join.actor.name == SCRIPTED
    assert_from(join, str(join.actor.id), joined)
    assert newcomer.get(path).status_code == 404  # the link worked once

    # The newcomer's name is text on every page that shows it.
    teammates = admin.get("settings/teammates")
    assert teammates.status_code == 200
    assert "&lt;img src=x onerror=alert(1)&gt;" in teammates.text
    assert "<img" not in teammates.text
    own = browsers(str(join.actor.id)).get("settings/account")
    assert own.status_code == 200
    assert "<img" not in own.text
    assert "&lt;img src=x" in own.text


def test_cancelling_an_invite(admin: Browser, web_log: ActivityLog) -> None:
    admin.post("settings/teammates/invite", {"email": NEWCOMER, "role_id": "role_support"})
    invite_id = web_log.store.read("SELECT id FROM invites WHERE workspace_id = ?", (admin.org.id,))[0][0]

    response = admin.post(f"settings/invites/{invite_id}", {"action": "delete"})

    assert response.headers["location"] == f"/a/{admin.org.id}/settings/teammates?done=invite_cancelled"
    last(web_log, admin, "admin_invite_deletion", 2)
    assert_from(entries(web_log, admin.org.id)[-1], "tm_admin", response)
    assert "Invitation cancelled." in admin.get(response.headers["location"]).text


def test_a_refused_invite_shows_the_page_again_with_the_reason(admin: Browser, web_log: ActivityLog) -> None:
    response = admin.post("settings/teammates/invite", {"email": Org.email("tm_support"), "role_id": "role_support"})
    assert response.status_code == 409
    assert "is already a teammate of this workspace" in response.text
    assert entries(web_log, admin.org.id) == []


def test_access_and_removal(browsers: Browsers, web_log: ActivityLog) -> None:
    manager = browsers("tm_manager")

    custom = manager.post("settings/teammates/tm_support", {"action": "access", "role_id": "",
                                                          "permissions": [SETTINGS, "bogus"]})  # fmt: skip
    assert custom.status_code == 303
    entry = entries(web_log, manager.org.id)[-1]
    assert entry.type == "admin_permission_change"
    assert entry.metadata["after"] == {"role": None, SETTINGS: True, TEAMMATES: False}
    assert_from(entry, "tm_manager", custom)

    removed = manager.post("settings/teammates/tm_support", {"action": "delete"})
    assert removed.headers["location"] == f"/a/{manager.org.id}/settings/teammates?done=removed"
    last(web_log, manager, "admin_deletion", 2)
    assert_from(entries(web_log, manager.org.id)[-1], "tm_manager", removed)

    yourself = manager.post("settings/teammates/tm_manager", {"action": "delete"})
    assert yourself.status_code == 409
    assert "cannot remove yourself" in yourself.text
    assert len(entries(web_log, manager.org.id)) == 2


def test_roles(admin: Browser, web_log: ActivityLog) -> None:
    created = admin.post("settings/roles", {"name": "Support lead", "permissions": [SETTINGS]})
    assert created.headers["location"] == f"/a/{admin.org.id}/settings/roles?done=role_created"
    entry = entries(web_log, admin.org.id)[-1]
    assert entry.type == "role_creation"
    assert_from(entry, "tm_admin", created)
    role_id = entry.metadata["role"]["id"]

    changed = admin.post(f"settings/roles/{role_id}", {"action": "change", "name": "Leads", "permissions": []})
    assert changed.status_code == 303
    last(web_log, admin, "role_change", 2)
    assert entries(web_log, admin.org.id)[-1].metadata["before"] == {"name": "Support lead", SETTINGS: True,
                                                                      TEAMMATES: False}  # fmt: skip

    deleted = admin.post(f"settings/roles/{role_id}", {"action": "delete"})
    assert deleted.headers["location"] == f"/a/{admin.org.id}/settings/roles?done=role_deleted"
    last(web_log, admin, "role_deletion", 3)
    assert_from(entries(web_log, admin.org.id)[-1], "tm_admin", deleted)

    in_use = admin.post("settings/roles/role_support", {"action": "delete"})
    assert in_use.status_code == 409
    assert "still given to 1 teammate" in in_use.text
    assert len(entries(web_log, admin.org.id)) == 3


def test_workspace_settings(browsers: Browsers, web_log: ActivityLog) -> None:
    auditor = browsers("tm_auditor")

    saved = auditor.post("settings/workspace", {"name": "Acme Inc.", "timezone": "America/New_York"})

    assert saved.headers["location"] == f"/a/{auditor.org.id}/settings/workspace?done=saved"
    logged = {e.type: e for e in entries(web_log, auditor.org.id)}  # one transaction: the same time
    assert sorted(logged) == ["app_name_change", "app_timezone_change"]
    name, timezone = logged["app_name_change"], logged["app_timezone_change"]
    assert name.metadata == {"before": "Acme", "after": "Acme Inc."}
    assert timezone.metadata == {"before": "Europe/Dublin", "after": "America/New_York"}
    assert_from(name, "tm_auditor", saved)
    assert_from(timezone, "tm_auditor", saved)


def test_a_refused_workspace_form_changes_nothing(browsers: Browsers, web_log: ActivityLog) -> None:
    auditor = browsers("tm_auditor")

    refused = auditor.post("settings/workspace", {"name": "Acme Inc.", "timezone": "Mars/Olympus"})

    assert refused.status_code == 422
    assert "IANA time zone" in refused.text
    assert entries(web_log, auditor.org.id) == []
    assert web_log.store.get_workspace(auditor.org.id).name == "Acme"  # type: ignore[union-attr]


def test_security_settings(admin: Browser, web_log: ActivityLog) -> None:
    saved = admin.post(
        "settings/security", {"session_timeout_minutes": "30", "sign_in_methods": ["email_and_password"]}
    )

    assert saved.headers["location"] == f"/a/{admin.org.id}/settings/security?done=saved"
    logged = {e.type: e for e in entries(web_log, admin.org.id)}
    assert sorted(logged) == ["app_authentication_method_change", "security_settings_change"]
    assert logged["security_settings_change"].metadata["after"] == {"session_timeout_minutes": 30,
                                                                    "require_two_factor": False}  # fmt: skip
    for entry in logged.values():
        assert_from(entry, "tm_admin", saved)
    refused = admin.post("settings/security", {"session_timeout_minutes": "soon"})
    assert refused.status_code == 422
    assert "must be one of 15, 30, 60" in refused.text
    assert len(entries(web_log, admin.org.id)) == 2


def test_api_tokens(admin: Browser, web_log: ActivityLog) -> None:
    created = admin.post("settings/api-tokens", {"name": "SIEM export", "scopes": ["read"]})
    assert created.status_code == 201
    secret = re.search(r"al_[A-Za-z0-9_-]{40,}", created.text)
    assert secret is not None
    entry = entries(web_log, admin.org.id)[-1]
    assert entry.type == "api_token_creation"
    assert_from(entry, "tm_admin", created)

    revoked = admin.post(f"settings/api-tokens/{entry.metadata['token']['id']}/revoke")
    assert revoked.headers["location"] == f"/a/{admin.org.id}/settings/api-tokens?done=token_revoked"
    last(web_log, admin, "api_token_revocation", 2)
    assert_from(entries(web_log, admin.org.id)[-1], "tm_admin", revoked)
    assert secret.group(0) not in admin.get("settings/api-tokens").text  # shown once


def test_away_mode(browsers: Browsers, web_log: ActivityLog) -> None:
    support = browsers("tm_support")
    away = support.post("settings/account/away", {"away": "1", "reason": "At lunch"})
    back = support.post("settings/account/away", {"away": "0"})
    assert away.status_code == back.status_code == 303
    first, second = entries(web_log, support.org.id)
    assert first.metadata["away_mode"] is True
    assert first.metadata["away_status_reason"] == "At lunch"
    assert second.metadata["away_mode"] is False
    assert_from(first, "tm_support", away)
    assert_from(second, "tm_support", back)


def test_two_factor_on_new_codes_and_off(browsers: Browsers, web_log: ActivityLog) -> None:
    support = browsers("tm_support")
    started = support.post("settings/account/two-factor", {"action": "start"})
    assert started.status_code == 200
    assert "<svg" in started.text
    found = re.search(r'name="secret" value="([A-Z2-7]{32})"', started.text)
    assert found is not None
    secret = found.group(1)

    tampered = support.post("settings/account/two-factor", {"action": "enable", "secret": "!" * 32, "code": "1"})
    assert tampered.status_code == 422
    enabled = support.post(
        "settings/account/two-factor", {"action": "enable", "secret": secret, "code": pyotp.TOTP(secret).now()}
    )
    assert enabled.status_code == 200
    assert len(re.findall(r"<li><code>[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}</code></li>", enabled.text)) == 10
    codes = support.post("settings/account/two-factor", {"action": "codes"})
    assert codes.status_code == 200
    off = support.post("settings/account/two-factor", {"action": "disable", "proof": pyotp.TOTP(secret).now()})
    assert off.headers["location"] == f"/a/{support.org.id}/settings/account?done=two_factor_off"

    on, sent, disabled = entries(web_log, support.org.id)
    assert (on.type, on.metadata["enabled"]) == ("admin_two_factor_auth_change", True)
    assert (sent.type, sent.metadata) == ("recovery_code_sent", {"channel": "shown in account settings"})
    assert (disabled.type, disabled.metadata["enabled"]) == ("admin_two_factor_auth_change", False)
    for entry, response in ((on, enabled), (sent, codes), (disabled, off)):
        assert_from(entry, "tm_support", response)


def test_a_workspace_that_requires_two_factor_sends_teammates_to_set_it_up(
    browsers: Browsers, web_log: ActivityLog
) -> None:
    with web_log.store.transaction(browsers.org.id) as tx:
        tx.execute("UPDATE workspaces SET require_two_factor = 1 WHERE id = ?", (browsers.org.id,))
    admin = browsers("tm_admin")
    response = admin.get("settings/teammates")
    assert response.status_code == 303
    assert response.headers["location"] == f"/a/{admin.org.id}/settings/account"
    page = admin.get("settings/account")
    assert page.status_code == 200
    assert "requires two-factor sign-in" in page.text
