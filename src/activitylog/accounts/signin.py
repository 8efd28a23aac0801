"""Signing in and out: passwords, the second factor, sessions with an idle timeout, and throttling.

Invariants:
- every attempt is logged (refusals past a lock as one entry per window): `admin_login_success`,
  `admin_login_failure` (unknown email, wrong password, wrong code, locked out, throttled) and `admin_logout`,
  with the IP and user agent of the request;
- a failure and its log entry are one transaction, and so are a session and its success entry;
- an account is locked after `ACCOUNT_LIMIT` failures within `WINDOW_US`, an IP after `IP_LIMIT`; while
  locked, the password is not even checked (so guessing learns nothing);
- an attempt reserves its place in both counts before anything is checked, in a transaction serialised per
  workspace, so concurrency cannot buy more checks than the limits (a success gives its place back);
- past a lock, the first refusal of a window is logged and the further ones are counted into one entry when the
  window ends (`sign_in_refusals`), so a flood costs the log two entries per window;
- a session cookie's secret is stored only as its SHA-256; a session ends on sign-out, on the workspace's idle
  timeout, and when its teammate is deleted.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from activitylog.accounts import passwords, twofactor
from activitylog.accounts.console import Change, Console, Origin
from activitylog.domain.accounts import (
    AUTHENTICATOR_SIGN_IN,
    PASSWORD_SIGN_IN,
    RECOVERY_CODE_SIGN_IN,
    Member,
    Security,
    Session,
)
from activitylog.errors import Conflict
from activitylog.storage import accounts as stored
from activitylog.storage import sessions
from activitylog.storage.base import Workspace
from activitylog.timeutil import DAY_US

ACCOUNT_LIMIT = 5
IP_LIMIT = 20
WINDOW_US = 15 * 60 * 1_000_000
TOUCH_EVERY_US = 60 * 1_000_000  # a session's last-seen time is written at most once a minute
PASSWORD = PASSWORD_SIGN_IN  # the sign-in method's name in log entries
LOCKED_ACCOUNT = "locked: too many failed attempts for this account"
LOCKED_IP = "throttled: too many failed attempts from this IP address"
SYSTEM: dict[str, str | None] = {"type": "system"}


@dataclass(frozen=True, slots=True)
class Reservation:
    """A checked attempt's place in the throttling counts: its (kind, key) rows, all at `at_us`."""

    keys: tuple[tuple[str, str], ...]
    at_us: int


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
    # The id keeps to what actor ids may hold (`ids.actor_id_problem`): anything else typed is %-escaped.
    key = "".join(ch if ch.isprintable() and ch not in "/?#\\%" else quote(ch, safe="") for ch in typed.lower())
    return {"type": "teammate", "id": f"unknown:{key}", "name": typed, "email": typed}


class SignIn:
    def __init__(self, console: Console) -> None:
        self.console = console

    # Throttling --------------------------------------------------------------------------------------

    def _attempt(
        self, workspace: Workspace, origin: Origin, email: str, actor: dict[str, str | None], *, outsider: bool
    ) -> Reservation | None:
        """Reserve one checked attempt for this account and IP, or refuse it (None) when either is locked.

        One transaction that serialises with every other attempt of the workspace: the count and the reservation
        cannot be split by a concurrent attempt, so of any burst at most `ACCOUNT_LIMIT` failed attempts per account
        and `IP_LIMIT` per IP are ever checked in a window. A reservation counts as a failure until the attempt
        succeeds (`_release`: a success is no failure, so each one lets one more attempt be checked, and a teammate
        who signs in often is never locked out); an attempt that dies half-way stays counted, erring on the safe
        side.
        """
        now = self.console.now
        since = now - WINDOW_US
        keys = [("account", email.strip().lower()[:320], ACCOUNT_LIMIT, LOCKED_ACCOUNT)]
        if origin.ip:
            keys.append(("ip", origin.ip, IP_LIMIT, LOCKED_IP))
        with self.console.change(workspace, origin) as change:
            change.serialise()
            self._log_ended_refusals(change, now)
            latest = now - 1
            for kind, key, limit, reason in keys:
                if sessions.failures_since(change.tx, workspace.id, kind, key, since) >= limit:
                    self._refuse(change, kind, key, actor, reason, outsider=outsider)
                    return None
                latest = max(latest, sessions.latest_failure(change.tx, workspace.id, kind, key))
            # A time no other row of these keys has, so that `_release` removes exactly this reservation.
            at_us = latest + 1
            for kind, key, _, _ in keys:
                sessions.add_failure(change.tx, workspace.id, kind, key, at_us)
            sessions.forget_failures_before(change.tx, workspace.id, now - DAY_US)
        return Reservation(tuple((kind, key) for kind, key, _, _ in keys), at_us)

    @staticmethod
    def _release(change: Change, reservation: Reservation) -> None:
        """An attempt that succeeded is no failure: its reservation stops counting."""
        for kind, key in reservation.keys:
            sessions.remove_failure(change.tx, change.workspace.id, kind, key, reservation.at_us)

    def _refuse(
        self, change: Change, kind: str, key: str, actor: dict[str, str | None], reason: str, *, outsider: bool
    ) -> None:
        """Log the first refusal of a lock's window; count the further ones (`_log_ended_refusals` logs them)."""
        if sessions.count_refusal(change.tx, change.workspace.id, kind, key):
            return
        sessions.open_refusals(change.tx, change.workspace.id, kind, key, self.console.now)
        change.log("admin_login_failure", actor, {"sign_in_method": PASSWORD, "reason": reason})
        if outsider:
            change.outsiders.add(str(actor["id"]))

    def _log_ended_refusals(self, change: Change, now: int) -> None:
        """One entry for each lock window that has ended with refusals it did not log one by one.

        Run by every attempt of the workspace, so a window's count is logged at the first attempt after it.
        """
        for kind, key, since_us, refused in sessions.refusals_opened_by(
            change.tx, change.workspace.id, now - WINDOW_US
        ):
            if refused:
                what, actor, origin = f"from {key}", SYSTEM, Origin(ip=key)
                if kind == "account":
                    found = stored.member_by_email(change.tx, change.workspace.id, key)
                    what, actor, origin = "for this account", found.actor() if found else _unknown_actor(key), Origin()
                    if found is None:
                        change.outsiders.add(str(actor["id"]))
                change.log(
                    "admin_login_failure",
                    actor,
                    {
                        "sign_in_method": PASSWORD,
                        "reason": f"{refused} further attempts {what} refused while locked",
                        "refused_attempts": refused,
                        "locked_" + ("account" if kind == "account" else "ip"): key,
                        "window_started_at": since_us // 1_000_000,
                    },
                    origin=origin,
                )
            sessions.close_refusals(change.tx, change.workspace.id, kind, key)

    def _fail(
        self, workspace: Workspace, origin: Origin, actor: dict[str, str | None], reason: str, *, outsider: bool = False
    ) -> None:
        """Log a checked attempt that failed (its reservation stays, as the failure that counts); `outsider`
        marks an actor who is no teammate (`_unknown_actor`)."""
        with self.console.change(workspace, origin) as change:
            change.log("admin_login_failure", actor, {"sign_in_method": PASSWORD, "reason": reason})
            if outsider:
                change.outsiders.add(str(actor["id"]))

    # Password ----------------------------------------------------------------------------------------

    def with_password(self, workspace_id: str, email: str, password: str, origin: Origin) -> Outcome:
        workspace = self.console.workspace(workspace_id)
        email = email.strip()[:320]
        found = stored.member_by_email(self.console.reader, workspace.id, email) if email else None
        actor = found.actor() if found else _unknown_actor(email)
        reservation = self._attempt(workspace, origin, email, actor, outsider=found is None)
        if reservation is None:
            return Outcome(False, "Too many failed sign-in attempts. Wait 15 minutes, then try again.")
        matches = passwords.verify(found.password_hash if found else None, password)
        if found is None or not matches:
            reason = "wrong password" if found else "unknown email"
            self._fail(workspace, origin, actor, reason, outsider=found is None)
            return Outcome(False, "That email and password do not match a teammate of this workspace.")
        # A hash made with weaker parameters than today's is replaced while the password is at hand.
        rehash = passwords.rehash(found.password_hash, password)
        stage = "two_factor" if found.two_factor else "complete"
        token = self._open_session(
            workspace, found, origin, stage=stage, method=PASSWORD, rehash=rehash, reservation=reservation
        )
        return Outcome(True, token=token, needs_second_factor=found.two_factor)

    def _open_session(
        self,
        workspace: Workspace,
        member: Member,
        origin: Origin,
        *,
        stage: str,
        method: str | None = None,
        rehash: str | None = None,
        reservation: Reservation,
    ) -> str:
        token = secrets.token_urlsafe(32)
        now = self.console.now
        with self.console.change(workspace, origin) as change:
            opened = Session(token_hash(token), workspace.id, member.id, secrets.token_urlsafe(32), stage, now, now)
            sessions.open_session(change.tx, opened, ip=origin.ip, user_agent=(origin.user_agent or "")[:1000])
            self._release(change, reservation)
            if rehash is not None:
                stored.set_password_hash(change.tx, workspace.id, member.id, rehash)
            if stage == "complete":
                change.log("admin_login_success", member.actor(), {"sign_in_method": method or PASSWORD})
        return token

    # Second factor -----------------------------------------------------------------------------------

    def awaiting_code(self, workspace_id: str, token: str) -> Session | None:
        """The sign-in of this workspace whose password was right and that waits for its second factor (for 10
        minutes); None for any other session, another workspace's included."""
        session = sessions.session(self.console.reader, token_hash(token))
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
        member = stored.member(self.console.reader, workspace.id, session.teammate_id)
        if member is None or not member.active or not member.totp_secret:
            return Outcome(False, "Your sign-in has expired. Sign in again.")
        email = member.email or member.id
        reservation = self._attempt(workspace, origin, email, member.actor(), outsider=False)
        if reservation is None:
            return Outcome(False, "Too many failed sign-in attempts. Wait 15 minutes, then try again.")
        security = self.console.security(workspace.id)
        step = twofactor.matching_step(member.totp_secret, code)
        if step is not None and member.totp_last_step is not None and step <= member.totp_last_step:
            self._fail(workspace, origin, member.actor(), "authenticator code already used")
            return Outcome(False, "That code was already used. Wait for your authenticator app to show a new one.")
        if step is not None:
            return self._complete(workspace, member, session, origin, AUTHENTICATOR_SIGN_IN, reservation, step=step)
        used = twofactor.match_recovery_code(list(member.recovery_codes), code)
        if used is not None and "recovery_codes" in security.sign_in_methods:
            return self._complete(workspace, member, session, origin, RECOVERY_CODE_SIGN_IN, reservation, used)
        reason = "recovery codes are not allowed" if used is not None else "wrong two-factor code"
        self._fail(workspace, origin, member.actor(), reason)
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
        reservation: Reservation,
        used: str | None = None,
        *,
        step: int | None = None,
    ) -> Outcome:
        with self.console.change(workspace, origin) as change:
            self._release(change, reservation)
            if not sessions.complete_session(change.tx, session.token_hash, self.console.now):
                raise_conflict()
            # The code's time step, only if it is later than the last one used: of two sign-ins racing with the
            # same code, one moves it and the other is refused.
            if step is not None and not stored.advance_totp_step(change.tx, workspace.id, member.id, step):
                raise_conflict()
            if used is not None:
                current = stored.member(change.tx, workspace.id, member.id, lock=True)
                remaining = [c for c in (current.recovery_codes if current else ()) if c != used]
                if current is None or len(remaining) == len(current.recovery_codes):
                    raise_conflict()
                stored.set_recovery_codes(change.tx, workspace.id, member.id, remaining)
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
        session = sessions.session(self.console.reader, token_hash(token))
        if session is None or session.workspace_id != workspace_id or session.ended_us is not None:
            return None
        if session.stage != "complete":
            return None
        workspace = self.console.workspace(workspace_id)
        security = self.console.security(workspace_id)
        member = stored.member(self.console.reader, workspace_id, session.teammate_id)
        now = self.console.now
        if member is None or not member.active:
            return None
        if now - session.last_seen_us > security.session_timeout_minutes * 60 * 1_000_000:
            self.end(workspace, session, member, origin, reason="session timed out after inactivity")
            return None
        if now - session.last_seen_us > TOUCH_EVERY_US:
            with self.console.log.transaction(workspace) as tx:
                sessions.touch_session(tx, session.token_hash, now)
        roles = self.console.roles(workspace_id)
        return Viewer(workspace, member, session, security, member.permissions(roles))

    def end(self, workspace: Workspace, session: Session, member: Member, origin: Origin, *, reason: str) -> None:
        with self.console.change(workspace, origin) as change:
            ended = sessions.end_session(change.tx, session.token_hash, self.console.now)
            if ended and session.stage == "complete":
                change.log("admin_logout", member.actor(), {"reason": reason})

    def sign_out(self, viewer: Viewer, origin: Origin) -> None:
        self.end(viewer.workspace, viewer.session, viewer.member, origin, reason="signed out from the web app")


def raise_conflict() -> None:
    raise Conflict("this sign-in was already used: sign in again", field="session")
