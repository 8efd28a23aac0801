"""Settings > Workspace, Security, API tokens and the teammate's own account: exactly one entry per change, with
before/after; nothing when nothing changes or the change is refused."""

from __future__ import annotations

import pyotp
import pytest

from activitylog import tokens
from activitylog.accounts import passwords, twofactor
from activitylog.accounts.console import PermissionDenied
from activitylog.domain.permissions import SETTINGS
from activitylog.errors import Conflict, InvalidInput, NotFound
from tests.accounts.conftest import ORIGIN, OTHER_ORIGIN, World, assert_origin
from tests.support.people import PASSWORD

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
BOTH_METHODS = ["email_and_password", "recovery_codes"]

# Workspace ----------------------------------------------------------------------------------------------


def test_renaming_the_workspace_logs_before_and_after(world: World) -> None:
    auditor = world.viewer("tm_auditor")

    world.settings.rename(auditor, "  Acme   Inc. ", ORIGIN)
    world.settings.rename(auditor, "Acme Inc.", ORIGIN)

    entry = world.one("app_name_change")
    assert_origin(entry, "tm_auditor")
    assert entry.metadata == {"before": "Acme", "after": "Acme Inc."}
    assert world.ws.name == "Acme Inc."
    with pytest.raises(InvalidInput):
        world.settings.rename(auditor, " ", ORIGIN)
    assert world.types() == ["app_name_change"]


def test_changing_the_time_zone_logs_before_and_after(world: World) -> None:
    admin = world.viewer("tm_admin")

    world.settings.set_timezone(admin, "America/New_York", OTHER_ORIGIN)
    world.settings.set_timezone(admin, "America/New_York", OTHER_ORIGIN)

    entry = world.one("app_timezone_change")
    assert_origin(entry, "tm_admin", OTHER_ORIGIN)
    assert entry.metadata == {"before": "Europe/Dublin", "after": "America/New_York"}
    with pytest.raises(InvalidInput, match="IANA"):
        world.settings.set_timezone(admin, "Mars/Olympus", ORIGIN)
    assert world.ws.timezone == "America/New_York"
    assert world.types() == ["app_timezone_change"]


def test_the_workspace_form_saves_both_or_neither(world: World) -> None:
    admin = world.viewer("tm_admin")
    with pytest.raises(InvalidInput):
        world.settings.save_general(admin, name="Acme Inc.", timezone="Mars/Olympus", origin=ORIGIN)
    assert world.types() == []
    assert world.ws.name == "Acme"

    world.settings.save_general(admin, name="Acme Inc.", timezone="UTC", origin=ORIGIN)

    assert sorted(world.types()) == ["app_name_change", "app_timezone_change"]
    assert (world.ws.name, world.ws.timezone) == ("Acme Inc.", "UTC")


# Security -----------------------------------------------------------------------------------------------


def test_security_settings_are_logged_with_before_and_after(world: World) -> None:
    admin = world.viewer("tm_admin")

    world.settings.set_security(
        admin, session_timeout_minutes=15, require_two_factor=False, sign_in_methods=BOTH_METHODS, origin=ORIGIN
    )

    entry = world.one("security_settings_change")
    assert_origin(entry, "tm_admin")
    assert entry.metadata == {
        "before": {"session_timeout_minutes": 60, "require_two_factor": False},
        "after": {"session_timeout_minutes": 15, "require_two_factor": False},
    }
    assert world.console.security(world.org.id).session_timeout_minutes == 15


def test_sign_in_methods_are_logged_as_an_authentication_method_change(world: World) -> None:
    admin = world.viewer("tm_admin")

    world.settings.set_security(
        admin, session_timeout_minutes=60, require_two_factor=False, sign_in_methods=["email_and_password"],
        origin=ORIGIN,
    )  # fmt: skip

    entry = world.one("app_authentication_method_change")
    assert entry.metadata == {
        "before": {"email_and_password": True, "recovery_codes": True},
        "after": {"email_and_password": True, "recovery_codes": False},
    }


def test_both_parts_at_once_log_both_entries_and_a_resave_logs_nothing(world: World) -> None:
    with world.store.transaction(world.org.id) as tx:
        tx.execute("UPDATE teammates SET totp_secret = ? WHERE workspace_id = ? AND id = 'tm_admin'",
                   (SECRET, world.org.id))  # fmt: skip
    admin = world.viewer("tm_admin")
    settings = {"session_timeout_minutes": 240, "require_two_factor": True, "sign_in_methods": ["email_and_password"]}

    world.settings.set_security(admin, **settings, origin=ORIGIN)  # type: ignore[arg-type]
    world.settings.set_security(admin, **settings, origin=ORIGIN)  # type: ignore[arg-type]

    assert sorted(world.types()) == ["app_authentication_method_change", "security_settings_change"]
    assert world.entries("security_settings_change")[0].metadata["after"] == {
        "session_timeout_minutes": 240,
        "require_two_factor": True,
    }


@pytest.mark.parametrize(
    ("timeout", "require", "methods", "field"),
    [
        (61, False, BOTH_METHODS, "session_timeout_minutes"),
        (60, False, ["recovery_codes"], "sign_in_methods"),
        (60, False, ["email_and_password", "smoke_signals"], "sign_in_methods"),
        (60, True, BOTH_METHODS, "require_two_factor"),  # the admin has no second factor yet
    ],
)
def test_refused_security_settings_write_nothing(
    world: World, timeout: int, require: bool, methods: list[str], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.settings.set_security(
            world.viewer("tm_admin"), session_timeout_minutes=timeout, require_two_factor=require,
            sign_in_methods=methods, origin=ORIGIN,
        )  # fmt: skip
    assert refused.value.field == field
    assert world.types() == []
    assert world.console.security(world.org.id).session_timeout_minutes == 60


# API tokens ---------------------------------------------------------------------------------------------


def test_tokens_are_created_and_revoked_by_the_teammate_with_the_origin(world: World) -> None:
    auditor = world.viewer("tm_auditor")

    issued = world.settings.create_token(auditor, "SIEM export", ["read"], ORIGIN)
    world.settings.revoke_token(auditor, issued.token.id, OTHER_ORIGIN)

    created, revoked = world.entries()
    assert created.type == "api_token_creation"
    assert revoked.type == "api_token_revocation"
    assert_origin(created, "tm_auditor")
    assert_origin(revoked, "tm_auditor", OTHER_ORIGIN)
    assert created.metadata == {"token": {"id": issued.token.id, "name": "SIEM export"}, "scopes": ["read"]}
    assert revoked.metadata == {"token": {"id": issued.token.id, "name": "SIEM export"}}
    assert tokens.authenticate(world.log, issued.secret) is None
    with pytest.raises(NotFound):
        world.settings.revoke_token(auditor, issued.token.id, ORIGIN)
    with pytest.raises(InvalidInput):
        world.settings.create_token(auditor, "No scopes", [], ORIGIN)
    assert len(world.entries()) == 2


@pytest.mark.parametrize("teammate_id", ["tm_manager", "tm_support"])
def test_only_settings_admins_change_settings(world: World, teammate_id: str) -> None:
    viewer = world.viewer(teammate_id)
    issued = world.settings.create_token(world.viewer("tm_admin"), "Kept", ["read"], ORIGIN)
    attempts = [
        lambda: world.settings.rename(viewer, "Mine", ORIGIN),
        lambda: world.settings.set_timezone(viewer, "UTC", ORIGIN),
        lambda: world.settings.set_security(
            viewer, session_timeout_minutes=15, require_two_factor=False, sign_in_methods=BOTH_METHODS, origin=ORIGIN
        ),
        lambda: world.settings.create_token(viewer, "Mine", ["read", "write"], ORIGIN),
        lambda: world.settings.revoke_token(viewer, issued.token.id, ORIGIN),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert refused.value.permission == SETTINGS
        assert "Can access general and security settings" in refused.value.message
    assert world.types() == ["api_token_creation"]


# Away mode ----------------------------------------------------------------------------------------------


def test_away_mode_is_logged_each_way_and_only_when_it_changes(world: World) -> None:
    support = world.viewer("tm_support")

    world.profile.set_away(support, True, "  At the dentist ", ORIGIN)
    world.profile.set_away(support, True, "Again", ORIGIN)
    world.profile.set_away(support, False, None, OTHER_ORIGIN)

    away, back = world.entries()
    assert_origin(away, "tm_support")
    assert_origin(back, "tm_support", OTHER_ORIGIN)
    assert away.metadata == {
        "away_mode": True,
        "away_status_reason": "At the dentist",
        "source": "admin update from web",
        "auto_changed": False,
    }
    assert back.metadata == {"away_mode": False, "source": "admin update from web", "auto_changed": False}
    assert not world.member("tm_support").away


def test_away_without_a_reason(world: World) -> None:
    world.profile.set_away(world.viewer("tm_support"), True, "   ", ORIGIN)
    assert world.one("admin_away_mode_change").metadata["away_status_reason"] is None


# Two-factor ---------------------------------------------------------------------------------------------


def test_turning_two_factor_on_needs_a_code_of_the_new_secret(world: World) -> None:
    support = world.viewer("tm_support")

    codes = world.profile.enable_two_factor(support, SECRET, pyotp.TOTP(SECRET).now(), ORIGIN)

    entry = world.one("admin_two_factor_auth_change")
    assert_origin(entry, "tm_support")
    assert entry.metadata == {"enabled": True, "method": "authenticator app"}
    assert len(codes) == len(set(codes)) == twofactor.RECOVERY_CODES
    member = world.member("tm_support")
    assert member.totp_secret == SECRET
    assert member.recovery_codes == tuple(twofactor.digest(c) for c in codes)  # digests only
    with pytest.raises(Conflict):
        world.profile.enable_two_factor(world.refreshed(support), SECRET, pyotp.TOTP(SECRET).now(), ORIGIN)


@pytest.mark.parametrize(
    "secret",
    [
        SECRET[:-1],  # too short
        "!" * 32,  # not base32: a form can carry anything
        "1" * 32,
    ],
)
def test_a_bad_secret_or_code_turns_nothing_on(world: World, secret: str) -> None:
    support = world.viewer("tm_support")
    with pytest.raises(InvalidInput) as refused:
        world.profile.enable_two_factor(support, secret, "123456", ORIGIN)
    assert refused.value.field == "code"
    wrong = f"{(int(pyotp.TOTP(SECRET).now()) + 500_000) % 1_000_000:06d}"
    with pytest.raises(InvalidInput):
        world.profile.enable_two_factor(support, SECRET, wrong, ORIGIN)
    assert world.types() == []
    assert world.member("tm_support").totp_secret is None


def test_new_recovery_codes_replace_the_old_ones_and_are_logged(world: World) -> None:
    support = world.viewer("tm_support")
    old = world.profile.enable_two_factor(support, SECRET, pyotp.TOTP(SECRET).now(), ORIGIN)
    support = world.refreshed(support)

    new = world.profile.new_recovery_codes(support, OTHER_ORIGIN)

    entry = world.entries()[-1]
    assert entry.type == "recovery_code_sent"
    assert_origin(entry, "tm_support", OTHER_ORIGIN)
    assert entry.metadata == {"channel": "shown in account settings"}
    stored = world.member("tm_support").recovery_codes
    assert stored == tuple(twofactor.digest(c) for c in new)
    assert not set(stored) & {twofactor.digest(c) for c in old}


def test_new_recovery_codes_need_two_factor_on(world: World) -> None:
    with pytest.raises(Conflict):
        world.profile.new_recovery_codes(world.viewer("tm_support"), ORIGIN)
    assert world.types() == []


@pytest.mark.parametrize("proof", ["code", "password"])
def test_turning_two_factor_off_needs_a_code_or_the_password(world: World, proof: str) -> None:
    support = world.viewer("tm_support")
    world.profile.enable_two_factor(support, SECRET, pyotp.TOTP(SECRET).now(), ORIGIN)
    support = world.refreshed(support)
    with pytest.raises(InvalidInput):
        world.profile.disable_two_factor(support, "wrong password", ORIGIN)

    world.profile.disable_two_factor(support, pyotp.TOTP(SECRET).now() if proof == "code" else PASSWORD, ORIGIN)

    assert world.types() == ["admin_two_factor_auth_change", "admin_two_factor_auth_change"]
    entry = world.entries()[-1]
    assert_origin(entry, "tm_support")
    assert entry.metadata == {"enabled": False, "method": "authenticator app"}
    member = world.member("tm_support")
    assert member.totp_secret is None
    assert member.recovery_codes == ()


def test_two_factor_stays_on_while_the_workspace_requires_it(world: World) -> None:
    admin = world.viewer("tm_admin")
    world.profile.enable_two_factor(admin, SECRET, pyotp.TOTP(SECRET).now(), ORIGIN)
    admin = world.refreshed(admin)
    world.settings.set_security(
        admin, session_timeout_minutes=60, require_two_factor=True, sign_in_methods=BOTH_METHODS, origin=ORIGIN
    )
    admin = world.refreshed(admin)
    assert world.refreshed(world.viewer("tm_support")).must_enrol_two_factor

    with pytest.raises(Conflict, match="requires two-factor"):
        world.profile.disable_two_factor(admin, PASSWORD, ORIGIN)

    assert world.types() == ["admin_two_factor_auth_change", "security_settings_change"]


def test_a_new_password_replaces_the_old_one(world: World) -> None:
    support = world.viewer("tm_support")
    with pytest.raises(InvalidInput):
        world.profile.change_password(support, "not the password", "another good password", ORIGIN)
    world.profile.change_password(support, PASSWORD, "another good password", ORIGIN)
    assert passwords.verify(world.member("tm_support").password_hash, "another good password")
