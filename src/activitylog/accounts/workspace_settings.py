"""Settings > Workspace, Security and API tokens: each change with its entry, in one transaction.

The caller must hold "Can access general and security settings". Setting a value to what it already is
changes and logs nothing. Before/after values are read inside the transaction (with a row lock where the
backend has them), so two admins changing the same setting at once each log what they really replaced.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import available_timezones

from activitylog import tokens
from activitylog.accounts.console import Console, Origin
from activitylog.accounts.signin import Viewer
from activitylog.accounts.team import clean_name
from activitylog.domain import permissions
from activitylog.domain.accounts import SESSION_TIMEOUTS_MINUTES, SIGN_IN_METHODS, Security
from activitylog.domain.channel import CONSOLE
from activitylog.domain.entry import Actor
from activitylog.errors import InvalidInput, NotFound
from activitylog.storage import accounts as stored
from activitylog.storage.base import ApiToken
from activitylog.tokens import IssuedToken


class WorkspaceSettings:
    def __init__(self, console: Console) -> None:
        self.console = console

    def _admin(self, viewer: Viewer) -> None:
        self.console.require(viewer.member, permissions.SETTINGS)

    def rename(self, viewer: Viewer, name: str, origin: Origin) -> None:
        self.save_general(viewer, name=name, origin=origin)

    def set_timezone(self, viewer: Viewer, timezone: str, origin: Origin) -> None:
        self.save_general(viewer, timezone=timezone, origin=origin)

    def save_general(
        self, viewer: Viewer, *, name: str | None = None, timezone: str | None = None, origin: Origin
    ) -> None:
        """The workspace's name and time zone (None keeps one as it is), as Settings > Workspace saves them:
        both are checked first and written in one transaction, each with its entry, so a refused time zone
        does not leave the name changed behind a page that says the form was refused."""
        self._admin(viewer)
        if name is not None:
            name = clean_name(name)
        if timezone is not None:
            timezone = timezone.strip()
            if timezone not in available_timezones():
                raise InvalidInput.single("timezone", f"{timezone!r} is not an IANA time zone such as Europe/Dublin")
        with self.console.change(viewer.workspace, origin) as change:
            found = stored.name_and_timezone(change.tx, viewer.workspace.id, lock=True)
            if found is None:
                raise NotFound(f"no workspace {viewer.workspace.id!r}", field="workspace")
            name_before, timezone_before = found
            if name is not None and name != name_before:
                stored.rename_workspace(change.tx, viewer.workspace.id, name)
                change.log("app_name_change", viewer.member.actor(), {"before": name_before, "after": name})
            if timezone is not None and timezone != timezone_before:
                stored.set_timezone(change.tx, viewer.workspace.id, timezone)
                change.log("app_timezone_change", viewer.member.actor(), {"before": timezone_before, "after": timezone})

    def set_security(
        self,
        viewer: Viewer,
        *,
        session_timeout_minutes: int,
        require_two_factor: bool,
        sign_in_methods: Iterable[str],
        origin: Origin,
    ) -> None:
        """The session idle timeout, the two-factor requirement and the allowed sign-in methods.

        Logs `security_settings_change` for the first two and `app_authentication_method_change` for the
        methods, each only when its part changed. Email and password stays allowed: it is this server's only
        primary way in.
        """
        self._admin(viewer)
        if session_timeout_minutes not in SESSION_TIMEOUTS_MINUTES:
            allowed = ", ".join(str(m) for m in SESSION_TIMEOUTS_MINUTES)
            raise InvalidInput.single("session_timeout_minutes", f"must be one of {allowed} minutes")
        methods = {m.strip() for m in sign_in_methods if m.strip()}
        unknown = sorted(methods - set(SIGN_IN_METHODS))
        if unknown:
            raise InvalidInput.single("sign_in_methods", f"unknown sign-in method {unknown[0]!r}")
        if "email_and_password" not in methods:
            raise InvalidInput.single(
                "sign_in_methods", "email and password must stay allowed: it is the only way to sign in to this server"
            )
        if require_two_factor and not viewer.member.two_factor:
            raise InvalidInput.single(
                "require_two_factor", "turn on two-factor sign-in for your own account first, so you are not locked out"
            )
        with self.console.change(viewer.workspace, origin) as change:
            before = stored.security(change.tx, viewer.workspace.id, lock=True)
            if before is None:
                raise NotFound(f"no workspace {viewer.workspace.id!r}", field="workspace")
            chosen = Security(session_timeout_minutes, require_two_factor, frozenset(methods))
            stored.set_security(change.tx, viewer.workspace.id, chosen)
            after = stored.security(change.tx, viewer.workspace.id)
            assert after is not None  # the row was read above in this transaction
            if before.as_dict() != after.as_dict():
                change.log(
                    "security_settings_change",
                    viewer.member.actor(),
                    {"before": before.as_dict(), "after": after.as_dict()},
                )
            if before.methods_dict() != after.methods_dict():
                change.log(
                    "app_authentication_method_change",
                    viewer.member.actor(),
                    {"before": before.methods_dict(), "after": after.methods_dict()},
                )

    # API tokens --------------------------------------------------------------------------------------

    def create_token(self, viewer: Viewer, name: str, scopes: Iterable[str], origin: Origin) -> IssuedToken:
        self._admin(viewer)
        return tokens.create_token(
            self.console.log,
            viewer.workspace.id,
            name=name,
            scopes=list(scopes),
            actor=_actor(viewer),
            channel=CONSOLE,
            **_where(origin),
        )

    def revoke_token(self, viewer: Viewer, token_id: str, origin: Origin) -> ApiToken:
        self._admin(viewer)
        return tokens.revoke_token(
            self.console.log, viewer.workspace.id, token_id, actor=_actor(viewer), channel=CONSOLE, **_where(origin)
        )


def _actor(viewer: Viewer) -> Actor:
    member = viewer.member
    return Actor("teammate", member.id, member.name, member.email)


def _where(origin: Origin) -> dict[str, str | None]:
    return {"ip": origin.ip, "user_agent": origin.user_agent, "request_id": origin.request_id}
