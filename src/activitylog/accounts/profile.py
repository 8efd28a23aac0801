"""A teammate's own account: away mode, password, and two-factor sign-in.

Invariants: turning two-factor on needs a code from the new secret (so the app really has it) and shows ten
recovery codes once; turning it off needs a current code or the password, and is refused while the
workspace requires two-factor sign-in. Each change is logged with its entry in the same transaction.
"""

from __future__ import annotations

from activitylog.accounts import passwords, twofactor
from activitylog.accounts.console import Console, Origin
from activitylog.accounts.signin import Viewer
from activitylog.errors import Conflict, InvalidInput
from activitylog.storage import accounts as stored


class Profile:
    def __init__(self, console: Console) -> None:
        self.console = console

    def set_away(self, viewer: Viewer, away: bool, reason: str | None, origin: Origin) -> None:
        with self.console.change(viewer.workspace, origin) as change:
            current = stored.member(change.tx, viewer.workspace.id, viewer.member.id, lock=True)
            if current is None or current.away == away:
                return
            stored.set_away(change.tx, viewer.workspace.id, viewer.member.id, away)
            metadata: dict[str, object] = {"away_mode": away, "source": "admin update from web", "auto_changed": False}
            if away:
                metadata["away_status_reason"] = (reason or "").strip()[:200] or None
            change.log("admin_away_mode_change", viewer.member.actor(), metadata)

    def change_password(self, viewer: Viewer, current: str, new: str, origin: Origin) -> None:
        if not passwords.verify(viewer.member.password_hash, current):
            raise InvalidInput.single("current_password", "is not your current password")
        new_hash = passwords.hash_password(new)
        with self.console.log.transaction(viewer.workspace) as tx:
            stored.set_password_hash(tx, viewer.workspace.id, viewer.member.id, new_hash)

    def enable_two_factor(self, viewer: Viewer, secret: str, code: str, origin: Origin) -> list[str]:
        """Turn on two-factor sign-in with `secret` (shown on the page) once `code` proves the app has it;
        answers the recovery codes, shown once."""
        if viewer.member.two_factor:
            raise Conflict("two-factor sign-in is already on", field="code")
        if not twofactor.valid_secret(secret) or not twofactor.verify_code(secret, code):
            raise InvalidInput.single("code", "is not the current code of your authenticator app")
        codes = twofactor.new_recovery_codes()
        with self.console.change(viewer.workspace, origin) as change:
            digests = [twofactor.digest(c) for c in codes]
            if not stored.enable_two_factor(change.tx, viewer.workspace.id, viewer.member.id, secret, digests):
                raise Conflict("two-factor sign-in is already on", field="code")
            change.log(
                "admin_two_factor_auth_change", viewer.member.actor(), {"enabled": True, "method": "authenticator app"}
            )
        return codes

    def disable_two_factor(self, viewer: Viewer, proof: str, origin: Origin) -> None:
        secret = viewer.member.totp_secret
        if secret is None:
            return
        if viewer.security.require_two_factor:
            raise Conflict("this workspace requires two-factor sign-in: it cannot be turned off", field="code")
        if not (twofactor.verify_code(secret, proof) or passwords.verify(viewer.member.password_hash, proof)):
            raise InvalidInput.single("code", "enter a current code from your authenticator app or your password")
        with self.console.change(viewer.workspace, origin) as change:
            stored.disable_two_factor(change.tx, viewer.workspace.id, viewer.member.id)
            change.log(
                "admin_two_factor_auth_change", viewer.member.actor(), {"enabled": False, "method": "authenticator app"}
            )

    def new_recovery_codes(self, viewer: Viewer, origin: Origin) -> list[str]:
        """Replace the recovery codes (the old ones stop working); logged as recovery codes sent to the page."""
        if not viewer.member.two_factor:
            raise Conflict("turn on two-factor sign-in first", field="code")
        codes = twofactor.new_recovery_codes()
        with self.console.change(viewer.workspace, origin) as change:
            digests = [twofactor.digest(c) for c in codes]
            stored.set_recovery_codes(change.tx, viewer.workspace.id, viewer.member.id, digests)
            change.log("recovery_code_sent", viewer.member.actor(), {"channel": "shown in account settings"})
        return codes
