"""What the console stores about people and access: members (teammates who can sign in), roles, invites,
sessions and the workspace's security settings. Plain frozen records, which storage (`storage.accounts`,
`storage.sessions`) reads and writes; the rules that change them live in `activitylog.accounts`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

# The ways in are the log's vocabulary too (app_authentication_method_change says them).
from activitylog.catalog.access import SIGN_IN_METHODS as SIGN_IN_METHODS
from activitylog.catalog.security import security_settings
from activitylog.domain import permissions

SESSION_TIMEOUTS_MINUTES = (15, 30, 60, 240, 480, 1440)
#: How sign-in entries name the way a teammate got in (`sign_in_method`): the password, then the second factor
#: when there is one. These are the only ways in this server offers; the demo signs its teammates in with them.
PASSWORD_SIGN_IN = "email and password"  # noqa: S105 - a sign-in method's name, not a password
AUTHENTICATOR_SIGN_IN = "email and password + authenticator app"
RECOVERY_CODE_SIGN_IN = "email and password + recovery code"
LOGGED_SIGN_IN_METHODS = (PASSWORD_SIGN_IN, AUTHENTICATOR_SIGN_IN, RECOVERY_CODE_SIGN_IN)


@dataclass(frozen=True, slots=True)
class Role:
    workspace_id: str
    id: str
    name: str
    permissions: frozenset[str]
    created_us: int = 0


def least_privileged(roles: Iterable[Role]) -> Role | None:
    """The role that grants the fewest permissions (the first of them, in the order given, on a tie): what a
    new invitation offers unless the admin picks another, so nobody gets more access than meant by default."""
    return min(roles, key=lambda role: len(role.permissions), default=None)


@dataclass(frozen=True, slots=True)
class Member:
    """A teammate as the console sees them. `role_id` None means the teammate has permissions of their own."""

    workspace_id: str
    id: str
    name: str
    email: str | None
    role_id: str | None
    status: str
    own_permissions: frozenset[str] = frozenset()
    password_hash: str | None = None
    totp_secret: str | None = None
    recovery_codes: tuple[str, ...] = ()
    away: bool = False
    # The TOTP time step of the last authenticator code that signed this teammate in: no code of that step or
    # an earlier one signs anyone in again.
    totp_last_step: int | None = None

    @property
    def two_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def active(self) -> bool:
        return self.status == "active"

    def permissions(self, roles: dict[str, Role]) -> frozenset[str]:
        if self.role_id is None:
            return self.own_permissions
        role = roles.get(self.role_id)
        return role.permissions if role else frozenset()

    def access(self, roles: dict[str, Role]) -> dict[str, object]:
        """The before/after shape of `admin_permission_change`: the role's name and every permission."""
        role = roles.get(self.role_id) if self.role_id else None
        return {"role": role.name if role else None, **permissions.as_flags(self.permissions(roles))}

    def actor(self) -> dict[str, str | None]:
        return {"type": "teammate", "id": self.id, "name": self.name, "email": self.email}


@dataclass(frozen=True, slots=True)
class Invite:
    workspace_id: str
    id: str
    email: str
    role_id: str | None
    invited_by: str | None
    created_us: int
    expires_us: int
    accepted_us: int | None = None
    revoked_us: int | None = None

    def pending(self, now_us: int) -> bool:
        return self.accepted_us is None and self.revoked_us is None and now_us < self.expires_us


@dataclass(frozen=True, slots=True)
class Session:
    token_hash: str
    workspace_id: str
    teammate_id: str
    csrf_token: str
    stage: str  # "two_factor" (password checked, code pending) or "complete"
    created_us: int
    last_seen_us: int
    ended_us: int | None = None


@dataclass(frozen=True, slots=True)
class Security:
    session_timeout_minutes: int = 60
    require_two_factor: bool = False
    sign_in_methods: frozenset[str] = field(default_factory=lambda: frozenset(SIGN_IN_METHODS))

    def as_dict(self) -> dict[str, object]:
        """The before/after shape of `security_settings_change`, the one every producer uses."""
        return security_settings(
            session_timeout_minutes=self.session_timeout_minutes, require_two_factor=self.require_two_factor
        )

    def methods_dict(self) -> dict[str, bool]:
        return {method: method in self.sign_in_methods for method in SIGN_IN_METHODS}
