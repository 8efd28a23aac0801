"""Signing in and out: every attempt logged with its IP and user agent, throttling per account and per IP, the
second factor (TOTP and recovery codes), and sessions that end on sign-out and after the idle timeout."""

from __future__ import annotations

import json
import time

import pyotp
import pytest

from activitylog.accounts import passwords, signin, twofactor
from activitylog.accounts.console import Origin
from activitylog.accounts.signin import ACCOUNT_LIMIT, IP_LIMIT, token_hash
from activitylog.errors import Conflict
from activitylog.storage import accounts, sessions
from tests.accounts.conftest import ORIGIN, OTHER_ORIGIN, World, assert_origin
from tests.support import people
from tests.support.people import PASSWORD, Org

ADMIN = Org.email("tm_admin")
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a known authenticator secret (32 base32 characters)
RECOVERY = ["abcd-efgh-jkmn", "pqrs-tuvw-xyz2"]


def with_two_factor(world: World, teammate_id: str = "tm_admin", *, codes: list[str] = RECOVERY) -> None:
    with world.store.transaction(world.org.id) as tx:
        tx.execute(
            "UPDATE teammates SET totp_secret = ?, recovery_codes = ? WHERE workspace_id = ? AND id = ?",
            (SECRET, json.dumps([twofactor.digest(c) for c in codes]), world.org.id, teammate_id),
        )


def failures(world: World, kind: str) -> int:
    return int(world.store.read("SELECT count(*) FROM sign_in_failures WHERE workspace_id = ? AND kind = ?",
                                (world.org.id, kind))[0][0])  # fmt: skip


def add_failures(world: World, kind: str, key: str, count: int) -> None:
    """Earlier failures, as `count` sign-ins would have left them (cheaper than `count` password hashes)."""
    with world.store.transaction(world.org.id) as tx:
        for _ in range(count):
            tx.execute(
                "INSERT INTO sign_in_failures (workspace_id, kind, key, at_us) VALUES (?, ?, ?, ?)",
                (world.org.id, kind, key, world.clock()),
            )


# Passwords ----------------------------------------------------------------------------------------------


def test_a_right_password_opens_a_session_and_logs_the_success(world: World) -> None:
    outcome = world.sign_in.with_password(world.org.id, "  Admin@Example.TEST ", PASSWORD, ORIGIN)

    assert outcome.ok
    assert outcome.token
    assert not outcome.needs_second_factor
    entry = world.one("admin_login_success")
    assert_origin(entry, "tm_admin")
    assert entry.actor.name == "Ada Admin"
    assert entry.actor.email == ADMIN
    assert entry.metadata == {"sign_in_method": "email and password"}
    viewer = world.sign_in.viewer(world.org.id, outcome.token, ORIGIN)
    assert viewer is not None
    assert viewer.member.id == "tm_admin"
    # Only the cookie's hash is stored.
    assert world.store.read("SELECT count(*) FROM sessions WHERE token_hash = ?", (outcome.token,)) == [(0,)]
    assert world.store.read("SELECT stage, ip, user_agent FROM sessions WHERE token_hash = ?",
                            (token_hash(outcome.token),)) == [("complete", ORIGIN.ip, ORIGIN.user_agent)]  # fmt: skip


def test_a_wrong_password_is_refused_and_logged_against_the_teammate(world: World) -> None:
    outcome = world.sign_in.with_password(world.org.id, ADMIN, "not the password", ORIGIN)

    assert not outcome.ok
    assert outcome.token is None
    assert outcome.message == "That email and password do not match a teammate of this workspace."
    entry = world.one("admin_login_failure")
    assert_origin(entry, "tm_admin")
    assert entry.metadata == {"sign_in_method": "email and password", "reason": "wrong password"}
    assert world.store.read("SELECT count(*) FROM sessions WHERE workspace_id = ?", (world.org.id,)) == [(0,)]


def test_an_unknown_email_is_refused_with_the_same_message_and_logged_under_the_email_typed(world: World) -> None:
    outcome = world.sign_in.with_password(world.org.id, " Nobody@Example.test", PASSWORD, ORIGIN)

    assert not outcome.ok
    assert outcome.message == "That email and password do not match a teammate of this workspace."
    entry = world.one("admin_login_failure")
    assert entry.metadata["reason"] == "unknown email"
    assert entry.actor.email == "Nobody@Example.test"
    assert entry.actor.id == "unknown:nobody@example.test"
    assert (entry.ip, entry.user_agent) == (ORIGIN.ip, ORIGIN.user_agent)
    assert failures(world, "account") == 1
    assert failures(world, "ip") == 1
    # The attempt makes nobody a teammate: not listed, not in the log's teammate filter, still invitable.
    assert {m.id for m in world.console.members(world.org.id)} == {tid for tid, _, _ in people.PEOPLE}
    assert {t.id for t in world.store.list_teammates(world.org.id)} == {tid for tid, _, _ in people.PEOPLE}
    world.team.invite(world.viewer("tm_admin"), "nobody@example.test", "role_support", ORIGIN)
    assert not world.sign_in.with_password(world.org.id, "nobody@example.test", PASSWORD, ORIGIN).ok
    assert world.entries()[-1].metadata["reason"] == "unknown email"


def test_an_empty_email_is_a_failure_too(world: World) -> None:
    assert not world.sign_in.with_password(world.org.id, "   ", "", ORIGIN).ok
    assert world.one("admin_login_failure").actor.email == "(empty)"


def test_a_removed_teammate_cannot_sign_in(world: World) -> None:
    admin = world.viewer("tm_admin")
    world.team.delete(admin, "tm_support", ORIGIN)

    outcome = world.sign_in.with_password(world.org.id, Org.email("tm_support"), PASSWORD, ORIGIN)

    assert not outcome.ok
    assert world.entries("admin_login_failure")[0].metadata["reason"] == "unknown email"


def test_a_weak_hash_is_upgraded_at_the_next_sign_in(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "rehash", lambda stored, password: "$argon2id$upgraded")
    assert world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).ok
    assert world.member("tm_admin").password_hash == "$argon2id$upgraded"


# Throttling ---------------------------------------------------------------------------------------------


def test_an_account_is_locked_after_repeated_failures_and_the_refusals_are_logged(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_failures(world, "account", ADMIN, ACCOUNT_LIMIT - 1)
    assert not world.sign_in.with_password(world.org.id, ADMIN, "wrong password!", ORIGIN).ok
    checked: list[str] = []
    monkeypatch.setattr(passwords, "verify", lambda stored, password: checked.append(password) or True)

    # Even the right password is refused now, from any IP, and is not even checked.
    outcome = world.sign_in.with_password(world.org.id, ADMIN.upper(), PASSWORD, OTHER_ORIGIN)

    assert not outcome.ok
    assert outcome.message == "Too many failed sign-in attempts. Wait 15 minutes, then try again."
    assert checked == []
    refused = world.entries()[-1]
    assert refused.type == "admin_login_failure"
    assert refused.metadata["reason"] == "locked: too many failed attempts for this account"
    assert_origin(refused, "tm_admin", OTHER_ORIGIN)
    assert failures(world, "account") == ACCOUNT_LIMIT  # a refusal while locked does not extend the lock
    # Another account is not affected.
    assert world.sign_in.with_password(world.org.id, Org.email("tm_auditor"), PASSWORD, ORIGIN).ok


def test_the_lock_lifts_when_the_window_has_passed(world: World) -> None:
    add_failures(world, "account", ADMIN, ACCOUNT_LIMIT)
    assert not world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).ok

    world.clock.advance(seconds=signin.WINDOW_US / 1_000_000 + 1)

    assert world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).ok


def test_an_ip_is_throttled_after_repeated_failures_across_accounts(world: World) -> None:
    add_failures(world, "ip", ORIGIN.ip or "", IP_LIMIT - 1)
    assert not world.sign_in.with_password(world.org.id, "someone@example.test", "guess number 20", ORIGIN).ok
    assert failures(world, "ip") == IP_LIMIT

    outcome = world.sign_in.with_password(world.org.id, Org.email("tm_auditor"), PASSWORD, ORIGIN)

    assert not outcome.ok
    assert "Too many failed sign-in attempts" in outcome.message
    refused = world.entries()[-1]
    assert refused.metadata["reason"] == "throttled: too many failed attempts from this IP address"
    assert_origin(refused, "tm_auditor")
    # The same account from another address is let in.
    assert world.sign_in.with_password(world.org.id, Org.email("tm_auditor"), PASSWORD, OTHER_ORIGIN).ok


def test_refusals_while_an_account_is_locked_are_logged_once_per_window(world: World) -> None:
    """A flood against a locked account costs the log two entries per window: the first refusal, and one that
    counts the further ones when the window is over (at the workspace's next attempt)."""
    add_failures(world, "account", ADMIN, ACCOUNT_LIMIT)
    for _ in range(10):
        assert not world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).ok
    assert [e.metadata["reason"] for e in world.entries()] == [signin.LOCKED_ACCOUNT]

    world.clock.advance(seconds=signin.WINDOW_US / 1_000_000 + 1)
    assert world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, OTHER_ORIGIN).ok

    _, summary, success = world.entries()
    assert summary.type == "admin_login_failure"
    assert summary.metadata["reason"] == "9 further attempts for this account refused while locked"
    assert summary.metadata["refused_attempts"] == 9
    assert summary.actor.id == "tm_admin"
    assert summary.ip is None  # the refusals came from wherever; the entry is not the request's
    assert success.type == "admin_login_success"
    assert world.store.read("SELECT count(*) FROM sign_in_refusals WHERE workspace_id = ?", (world.org.id,)) == [(0,)]


def test_refusals_from_a_locked_ip_are_logged_once_per_window(world: World) -> None:
    ip = ORIGIN.ip or ""
    add_failures(world, "ip", ip, IP_LIMIT)
    for i in range(6):
        assert not world.sign_in.with_password(world.org.id, f"guess{i}@example.test", "a guess", ORIGIN).ok
    first = world.one("admin_login_failure")
    assert (first.metadata["reason"], first.ip) == (signin.LOCKED_IP, ip)
    assert [t.id for t in world.store.list_teammates(world.org.id) if t.id.startswith("unknown:")] == []

    world.clock.advance(seconds=signin.WINDOW_US / 1_000_000 + 1)
    assert not world.sign_in.with_password(world.org.id, "guess@example.test", "a guess", OTHER_ORIGIN).ok

    summary = world.entries()[1]
    assert summary.metadata["reason"] == f"5 further attempts from {ip} refused while locked"
    assert (summary.metadata["refused_attempts"], summary.metadata["locked_ip"]) == (5, ip)
    assert (summary.actor.type, summary.ip) == ("system", ip)
    assert world.entries()[2].metadata["reason"] == "unknown email"  # the lock has lifted: this one was checked


def test_a_successful_sign_in_does_not_count_towards_the_lock(world: World) -> None:
    for _ in range(ACCOUNT_LIMIT + 2):
        assert world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).ok
    assert failures(world, "account") == 0
    assert failures(world, "ip") == 0


def test_failures_older_than_a_day_are_cleared(world: World) -> None:
    add_failures(world, "account", "old@example.test", 3)
    world.clock.advance(minutes=24 * 60 + 1)
    world.sign_in.with_password(world.org.id, ADMIN, "wrong password!", ORIGIN)
    assert failures(world, "account") == 1


# Second factor ------------------------------------------------------------------------------------------


def test_two_factor_sign_in_with_an_authenticator_code(world: World) -> None:
    with_two_factor(world)
    outcome = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN)
    assert outcome.ok
    assert outcome.needs_second_factor
    assert outcome.token
    # The password alone opens nothing, and logs no success yet.
    assert world.sign_in.viewer(world.org.id, outcome.token, ORIGIN) is None
    assert world.types() == []

    done = world.sign_in.with_code(world.org.id, outcome.token, pyotp.TOTP(SECRET).now(), OTHER_ORIGIN)

    assert done.ok
    entry = world.one("admin_login_success")
    assert_origin(entry, "tm_admin", OTHER_ORIGIN)
    assert entry.metadata == {"sign_in_method": "email and password + authenticator app"}
    assert world.sign_in.viewer(world.org.id, outcome.token, ORIGIN) is not None
    # The step cannot be finished twice.
    assert not world.sign_in.with_code(world.org.id, outcome.token, pyotp.TOTP(SECRET).now(), ORIGIN).ok


def test_an_authenticator_code_signs_in_once(world: World) -> None:
    """A code seen over a shoulder, or lifted by a phishing page, cannot be replayed while it is still valid."""
    with_two_factor(world)
    now = time.time()
    code = pyotp.TOTP(SECRET).at(now)
    first = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).token
    assert first is not None
    assert world.sign_in.with_code(world.org.id, first, code, ORIGIN).ok

    second = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, OTHER_ORIGIN).token
    assert second is not None
    replay = world.sign_in.with_code(world.org.id, second, code, OTHER_ORIGIN)
    assert not replay.ok
    assert "already used" in replay.message
    assert world.sign_in.viewer(world.org.id, second, OTHER_ORIGIN) is None
    [refused] = [e for e in world.entries() if e.type == "admin_login_failure"]
    assert refused.metadata["reason"] == "authenticator code already used"
    assert_origin(refused, "tm_admin", OTHER_ORIGIN)
    assert failures(world, "account") == 1
    # The previous step's code (still inside the drift window) is no better; the next step's code works.
    assert not world.sign_in.with_code(world.org.id, second, pyotp.TOTP(SECRET).at(now - 30), OTHER_ORIGIN).ok
    assert world.sign_in.with_code(world.org.id, second, pyotp.TOTP(SECRET).at(now + 30), OTHER_ORIGIN).ok


def test_two_sign_ins_racing_with_one_code_let_one_in(world: World) -> None:
    """Both passed the check before either signed in: the database lets only one of them move the step."""
    with_two_factor(world)
    first = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).token
    second = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).token
    assert first is not None
    assert second is not None
    step = twofactor.matching_step(SECRET, pyotp.TOTP(SECRET).now())
    assert step is not None
    console = world.sign_in.console
    workspace = console.workspace(world.org.id)
    member = accounts.member(console.reader, world.org.id, "tm_admin")
    one, other = (sessions.session(console.reader, token_hash(token)) for token in (first, second))
    assert member is not None
    assert one is not None
    assert other is not None
    method = "email and password + authenticator app"
    nothing = signin.Reservation(keys=(), at_us=0)
    world.sign_in._complete(workspace, member, one, ORIGIN, method, nothing, step=step)
    with pytest.raises(Conflict):
        world.sign_in._complete(workspace, member, other, ORIGIN, method, nothing, step=step)
    assert world.sign_in.viewer(world.org.id, second, ORIGIN) is None


def test_a_wrong_code_is_refused_logged_and_counted(world: World) -> None:
    with_two_factor(world)
    token = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).token
    assert token is not None
    wrong = f"{(int(pyotp.TOTP(SECRET).now()) + 500_000) % 1_000_000:06d}"

    outcome = world.sign_in.with_code(world.org.id, token, wrong, ORIGIN)

    assert not outcome.ok
    assert "code is not right" in outcome.message
    entry = world.one("admin_login_failure")
    assert entry.metadata["reason"] == "wrong two-factor code"
    assert_origin(entry, "tm_admin")
    assert failures(world, "account") == 1
    assert world.sign_in.viewer(world.org.id, token, ORIGIN) is None


def test_codes_are_locked_out_like_passwords(world: World) -> None:
    with_two_factor(world)
    token = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).token
    assert token is not None
    add_failures(world, "account", ADMIN, ACCOUNT_LIMIT)

    outcome = world.sign_in.with_code(world.org.id, token, pyotp.TOTP(SECRET).now(), ORIGIN)

    assert not outcome.ok
    assert "Too many" in outcome.message
    assert world.one("admin_login_failure").metadata["reason"].startswith("locked")


def test_a_recovery_code_works_once(world: World) -> None:
    with_two_factor(world)
    token = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).token
    assert token is not None

    assert world.sign_in.with_code(world.org.id, token, " ABCD-EFGH-JKMN ", ORIGIN).ok

    logged = {e.type: e for e in world.entries()}  # one change: both entries have the same time
    assert sorted(logged) == ["admin_login_success", "recovery_code_sent"]
    sent, success = logged["recovery_code_sent"], logged["admin_login_success"]
    assert sent.metadata == {"channel": "used at sign-in", "remaining_codes": 1}
    assert success.metadata == {"sign_in_method": "email and password + recovery code"}
    assert_origin(sent, "tm_admin")
    assert world.member("tm_admin").recovery_codes == (twofactor.digest(RECOVERY[1]),)
    again = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).token
    assert again is not None
    assert not world.sign_in.with_code(world.org.id, again, RECOVERY[0], ORIGIN).ok
    assert world.entries()[-1].metadata["reason"] == "wrong two-factor code"


def test_a_workspace_can_refuse_recovery_codes(world: World) -> None:
    with_two_factor(world)
    with world.store.transaction(world.org.id) as tx:
        tx.execute("UPDATE workspaces SET sign_in_methods = 'email_and_password' WHERE id = ?", (world.org.id,))
    token = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).token
    assert token is not None

    outcome = world.sign_in.with_code(world.org.id, token, RECOVERY[0], ORIGIN)

    assert not outcome.ok
    assert "does not allow recovery codes" in outcome.message
    assert world.one("admin_login_failure").metadata["reason"] == "recovery codes are not allowed"
    assert len(world.member("tm_admin").recovery_codes) == 2  # not used up


def test_the_second_step_expires_after_ten_minutes(world: World) -> None:
    with_two_factor(world)
    token = world.sign_in.with_password(world.org.id, ADMIN, PASSWORD, ORIGIN).token
    assert token is not None
    world.clock.advance(minutes=10, seconds=1)

    outcome = world.sign_in.with_code(world.org.id, token, pyotp.TOTP(SECRET).now(), ORIGIN)

    assert not outcome.ok
    assert "expired" in outcome.message
    assert world.types() == []


def test_a_code_needs_a_session_of_this_workspace(world: World) -> None:
    assert not world.sign_in.with_code(world.org.id, "no such session", "123456", ORIGIN).ok
    complete = world.token("tm_admin")
    assert not world.sign_in.with_code(world.org.id, complete, "123456", ORIGIN).ok
    assert world.types() == []


# Sessions -----------------------------------------------------------------------------------------------


def test_sign_out_ends_the_session_and_is_logged(world: World) -> None:
    token = world.token("tm_auditor")
    viewer = world.sign_in.viewer(world.org.id, token, ORIGIN)
    assert viewer is not None

    world.sign_in.sign_out(viewer, OTHER_ORIGIN)

    entry = world.one("admin_logout")
    assert_origin(entry, "tm_auditor", OTHER_ORIGIN)
    assert entry.metadata == {"reason": "signed out from the web app"}
    assert world.sign_in.viewer(world.org.id, token, ORIGIN) is None
    world.sign_in.sign_out(viewer, OTHER_ORIGIN)  # twice: logged once
    assert world.types() == ["admin_logout"]


def test_an_idle_session_ends_after_the_workspace_timeout_and_the_end_is_logged(world: World) -> None:
    token = world.token("tm_manager")
    world.clock.advance(minutes=59)
    assert world.sign_in.viewer(world.org.id, token, ORIGIN) is not None  # touched: idle from now
    world.clock.advance(minutes=59)
    assert world.sign_in.viewer(world.org.id, token, ORIGIN) is not None
    assert world.types() == []

    world.clock.advance(minutes=60, seconds=1)

    assert world.sign_in.viewer(world.org.id, token, OTHER_ORIGIN) is None
    entry = world.one("admin_logout")
    assert_origin(entry, "tm_manager", OTHER_ORIGIN)
    assert entry.metadata == {"reason": "session timed out after inactivity"}
    assert world.row("SELECT ended_us FROM sessions WHERE token_hash = ?", (token_hash(token),))[0] is not None
    assert world.sign_in.viewer(world.org.id, token, ORIGIN) is None
    assert world.types() == ["admin_logout"]


def test_the_timeout_follows_the_security_settings(world: World) -> None:
    with world.store.transaction(world.org.id) as tx:
        tx.execute("UPDATE workspaces SET session_timeout_minutes = 15 WHERE id = ?", (world.org.id,))
    token = world.token("tm_manager")
    world.clock.advance(minutes=15, seconds=1)
    assert world.sign_in.viewer(world.org.id, token, ORIGIN) is None
    assert world.types() == ["admin_logout"]


def test_last_seen_is_written_at_most_once_a_minute(world: World) -> None:
    token = world.token("tm_support")
    first = world.row("SELECT last_seen_us FROM sessions WHERE token_hash = ?", (token_hash(token),))[0]
    world.clock.advance(seconds=30)
    world.sign_in.viewer(world.org.id, token, ORIGIN)
    assert world.row("SELECT last_seen_us FROM sessions WHERE token_hash = ?", (token_hash(token),))[0] == first
    world.clock.advance(seconds=31)
    world.sign_in.viewer(world.org.id, token, ORIGIN)
    assert world.row("SELECT last_seen_us FROM sessions WHERE token_hash = ?", (token_hash(token),))[0] > first


def test_a_session_opens_only_its_own_workspace(world: World) -> None:
    token = world.token("tm_admin")
    other = people.org(world.store, name="Other")
    assert world.sign_in.viewer(other.id, token, ORIGIN) is None
    assert world.sign_in.viewer(world.org.id, None, ORIGIN) is None
    assert world.sign_in.viewer(world.org.id, "y" * 201, ORIGIN) is None


def test_a_long_user_agent_is_cut_to_what_an_entry_holds(world: World) -> None:
    viewer = world.viewer("tm_admin")
    world.sign_in.sign_out(viewer, Origin("203.0.113.9", "A" * 5000, None))
    assert world.one("admin_logout").user_agent == "A" * 1000
