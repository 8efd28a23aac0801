"""Signing in and out: passwords, the second factor, sessions with an idle timeout, and throttling.

Invariants:
- every attempt is logged: `admin_login_success`, `admin_login_failure` (unknown email, wrong password,
  wrong code, locked out, throttled) and `admin_logout`, with the IP and user agent of the request;
- a failure and its log entry are one transaction, and so are a session and its success entry;
- an account is locked after `ACCOUNT_LIMIT` failures within `WINDOW_US`, an IP after `IP_LIMIT`; while
  locked, the password is not even checked (so guessing learns nothing) and the refusal is logged;
- a session cookie's secret is stored only as its SHA-256; a session ends on sign-out, on the workspace's idle
  timeout, and when its teammate is deleted.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from activitylog.accounts import passwords, repository, twofactor
from activitylog.accounts.console import Console, Origin
from activitylog.accounts.model import Member, Security, Session
from activitylog.errors import Conflict
from activitylog.storage.base import Workspace
from activitylog.timeutil import DAY_US

ACCOUNT_LIMIT = 5
IP_LIMIT = 20
WINDOW_US = 15 * 60 * 1_000_000
TOUCH_EVERY_US = 60 * 1_000_000  # a session's last-seen time is written at most once a minute
PASSWORD = "email and password"  # noqa: S105 - the sign-in method's name in log entries


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a sign-in step did. `token` is the new session's cookie secret (shown to the browser only)."""

    ok: bool
    message: str = ""
    token: str | None = None
    needs_second_factor: bool = False


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in teammate and their live session."""

    workspace: Workspace
    member: Member
    session: Session
    security: Security
    permissions: frozenset[str]

    @property
    def must_enrol_two_factor(self) -> bool:
        return self.security.require_two_factor and not self.member.two_factor


SECOND_FACTOR_US = 10 * 60 * 1_000_000  # how long a right password waits for its second factor


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unknown_actor(email: str) -> dict[str, str | None]:
    """An attempt with an email no teammate has: logged under the email typed (no teammate is created).

    The email is also the name: an entry's teammate needs one, and there is no teammate to take it from.
    """
    typed = email.strip()[:190] or "(empty)"
    return {"type": "teammate", "id": f"unknown:{typed.lower()}", "name": typed, "email": typed}


class SignIn:
    def __init__(self, console: Console) -> None:
        self.console = console

    # Throttling --------------------------------------------------------------------------------------

    def _throttled(self, workspace_id: str, email: str, ip: str | None) -> str | None:
        since = self.console.now - WINDOW_US
        reader = self.console.reader
        if repository.failures_since(reader, workspace_id, "account", email.strip().lower(), since) >= ACCOUNT_LIMIT:
            return "locked: too many failed attempts for this account"
        if ip and repository.failures_since(reader, workspace_id, "ip", ip, since) >= IP_LIMIT:
            return "throttled: too many failed attempts from this IP address"
        return None

    def _fail(
        self,
        workspace: Workspace,
        origin: Origin,
        email: str,
        actor: dict[str, str | None],
        reason: str,
        *,
        count: bool,
        outsider: bool = False,
    ) -> None:
        """Log a refused attempt (and count it towards throttling when `count`); `outsider` marks an actor who
        is no teammate (`_unknown_actor`)."""
        now = self.console.now
        with self.console.change(workspace, origin) as change:
            if count:
                change.tx.execute(
                    "INSERT INTO sign_in_failures (workspace_id, kind, key, at_us) VALUES (?, 'account', ?, ?)",
                    (workspace.id, email.strip().lower()[:320], now),
                )
                if origin.ip:
                    change.tx.execute(
                        "INSERT INTO sign_in_failures (workspace_id, kind, key, at_us) VALUES (?, 'ip', ?, ?)",
                        (workspace.id, origin.ip, now),
                    )
                change.tx.execute(
                    "DELETE FROM sign_in_failures WHERE workspace_id = ? AND at_us < ?", (workspace.id, now - DAY_US)
                )
            change.log("admin_login_failure", actor, {"sign_in_method": PASSWORD, "reason": reason})
            if outsider:
                change.outsiders.add(str(actor["id"]))

    # Password ----------------------------------------------------------------------------------------

    def with_password(self, workspace_id: str, email: str, password: str, origin: Origin) -> Outcome:
        workspace = self.console.workspace(workspace_id)
        email = email.strip()[:320]
        found = repository.member_by_email(self.console.reader, workspace.id, email) if email else None
        actor = found.actor() if found else _unknown_actor(email)
        throttled = self._throttled(workspace.id, email, origin.ip)
        if throttled is not None:
            self._fail(workspace, origin, email, actor, throttled, count=False, outsider=found is None)
            return Outcome(False, "Too many failed sign-in attempts. Wait 15 minutes, then try again.")
        matches = passwords.verify(found.password_hash if found else None, password)
        if found is None or not matches:
            reason = "wrong password" if found else "unknown email"
            self._fail(workspace, origin, email, actor, reason, count=True, outsider=found is None)
            return Outcome(False, "That email and password do not match a teammate of this workspace.")
        # A hash made with weaker parameters than today's is replaced while the password is at hand.
        rehash = passwords.rehash(found.password_hash, password)
        if found.two_factor:
            token = self._open_session(workspace, found, origin, stage="two_factor", rehash=rehash)
            return Outcome(True, token=token, needs_second_factor=True)
        token = self._open_session(workspace, found, origin, stage="complete", method=PASSWORD, rehash=rehash)
        return Outcome(True, token=token)

    def _open_session(
        self,
        workspace: Workspace,
        member: Member,
        origin: Origin,
        *,
        stage: str,
        method: str | None = None,
        rehash: str | None = None,
    ) -> str:
        token = secrets.token_urlsafe(32)
        now = self.console.now
        with self.console.change(workspace, origin) as change:
            change.tx.execute(
                "INSERT INTO sessions (token_hash, workspace_id, teammate_id, csrf_token, stage, ip, user_agent, "
                "created_us, last_seen_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    token_hash(token),
                    workspace.id,
                    member.id,
                    secrets.token_urlsafe(32),
                    stage,
                    origin.ip,
                    (origin.user_agent or "")[:1000],
                    now,
                    now,
                ),
            )
            if rehash is not None:
                change.tx.execute(
                    "UPDATE teammates SET password_hash = ? WHERE workspace_id = ? AND id = ?",
                    (rehash, workspace.id, member.id),
                )
            if stage == "complete":
                change.log("admin_login_success", member.actor(), {"sign_in_method": method or PASSWORD})
        return token

    # Second factor -----------------------------------------------------------------------------------

    def awaiting_code(self, workspace_id: str, token: str) -> Session | None:
        """The sign-in of this workspace whose password was right and that waits for its second factor (for 10
        minutes); None for any other session, another workspace's included."""
        session = repository.session(self.console.reader, token_hash(token))
        if session is None or session.workspace_id != workspace_id or session.stage != "two_factor" or session.ended_us:
            return None
        if self.console.now - session.created_us > SECOND_FACTOR_US:
            return None
        return session

    def with_code(self, workspace_id: str, token: str, code: str, origin: Origin) -> Outcome:
        """Finish a sign-in whose password was right: an authenticator code or a recovery code."""
        workspace = self.console.workspace(workspace_id)
        session = self.awaiting_code(workspace.id, token)
        if session is None:
            return Outcome(False, "Your sign-in has expired. Sign in again.")
        member = repository.member(self.console.reader, workspace.id, session.teammate_id)
        if member is None or not member.active or not member.totp_secret:
            return Outcome(False, "Your sign-in has expired. Sign in again.")
        email = member.email or member.id
        throttled = self._throttled(workspace.id, email, origin.ip)
        if throttled is not None:
            self._fail(workspace, origin, email, member.actor(), throttled, count=False)
            return Outcome(False, "Too many failed sign-in attempts. Wait 15 minutes, then try again.")
        security = self.console.security(workspace.id)
        step = twofactor.matching_step(member.totp_secret, code)
        if step is not None and member.totp_last_step is not None and step <= member.totp_last_step:
            self._fail(workspace, origin, email, member.actor(), "authenticator code already used", count=True)
            return Outcome(False, "That code was already used. Wait for your authenticator app to show a new one.")
        if step is not None:
            return self._complete(
                workspace, member, session, origin, "email and password + authenticator app", step=step
            )
        used = twofactor.match_recovery_code(list(member.recovery_codes), code)
        if used is not None and "recovery_codes" in security.sign_in_methods:
            return self._complete(workspace, member, session, origin, "email and password + recovery code", used)
        reason = "recovery codes are not allowed" if used is not None else "wrong two-factor code"
        self._fail(workspace, origin, email, member.actor(), reason, count=True)
        if used is not None:
            return Outcome(False, "This workspace does not allow recovery codes. Use your authenticator app.")
        return Outcome(False, "That code is not right. Check your authenticator app's clock and try again.")

    def _complete(
        self,
        workspace: Workspace,
        member: Member,
        session: Session,
        origin: Origin,
        method: str,
        used: str | None = None,
        *,
        step: int | None = None,
    ) -> Outcome:
        with self.console.change(workspace, origin) as change:
            moved = change.tx.execute(
                "UPDATE sessions SET stage = 'complete', last_seen_us = ? "
                "WHERE token_hash = ? AND stage = 'two_factor'",
                (self.console.now, session.token_hash),
            )
            if not moved:
                raise_conflict()
            # The code's time step, only if it is later than the last one used: of two sign-ins racing with the
            # same code, one moves it and the other is refused.
            if step is not None and not change.tx.execute(
                "UPDATE teammates SET totp_last_step = ? WHERE workspace_id = ? AND id = ? "
                "AND (totp_last_step IS NULL OR totp_last_step < ?)",
                (step, workspace.id, member.id, step),
            ):
                raise_conflict()
            if used is not None:
                current = repository.member(change.tx, workspace.id, member.id, lock=change.lock)
                remaining = [c for c in (current.recovery_codes if current else ()) if c != used]
                if current is None or len(remaining) == len(current.recovery_codes):
                    raise_conflict()
                change.tx.execute(
                    "UPDATE teammates SET recovery_codes = ? WHERE workspace_id = ? AND id = ?",
                    (json.dumps(remaining), workspace.id, member.id),
                )
                change.log(
                    "recovery_code_sent",
                    member.actor(),
                    {"channel": "used at sign-in", "remaining_codes": len(remaining)},
                )
            change.log("admin_login_success", member.actor(), {"sign_in_method": method})
        return Outcome(True)

    # Sessions ----------------------------------------------------------------------------------------

    def viewer(self, workspace_id: str, token: str | None, origin: Origin) -> Viewer | None:
        """The signed-in teammate of this cookie, or None (no cookie, ended, timed out, teammate removed).

        A session idle for longer than the workspace's timeout ends here, and its end is logged.
        """
        if not token or len(token) > 200:
            return None
        session = repository.session(self.console.reader, token_hash(token))
        if session is None or session.workspace_id != workspace_id or session.ended_us is not None:
            return None
        if session.stage != "complete":
            return None
        workspace = self.console.workspace(workspace_id)
        security = self.console.security(workspace_id)
        member = repository.member(self.console.reader, workspace_id, session.teammate_id)
        now = self.console.now
        if member is None or not member.active:
            return None
        if now - session.last_seen_us > security.session_timeout_minutes * 60 * 1_000_000:
            self.end(workspace, session, member, origin, reason="session timed out after inactivity")
            return None
        if now - session.last_seen_us > TOUCH_EVERY_US:
            with self.console.store.transaction(workspace_id) as tx:
                tx.execute("UPDATE sessions SET last_seen_us = ? WHERE token_hash = ?", (now, session.token_hash))
        roles = self.console.roles(workspace_id)
        return Viewer(workspace, member, session, security, member.permissions(roles))

    def end(self, workspace: Workspace, session: Session, member: Member, origin: Origin, *, reason: str) -> None:
        with self.console.change(workspace, origin) as change:
            ended = change.tx.execute(
                "UPDATE sessions SET ended_us = ? WHERE token_hash = ? AND ended_us IS NULL",
                (self.console.now, session.token_hash),
            )
            if ended and session.stage == "complete":
                change.log("admin_logout", member.actor(), {"reason": reason})

    def sign_out(self, viewer: Viewer, origin: Origin) -> None:
        self.end(viewer.workspace, viewer.session, viewer.member, origin, reason="signed out from the web app")


def raise_conflict() -> None:
    raise Conflict("this sign-in was already used: sign in again", field="session")
