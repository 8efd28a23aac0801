"""The demo's roles, permissions and sign-ins: who may see the activity log and who may manage teammates.

The cast covers every combination, so a newcomer can sign in as each and see the difference: Admin has both
permissions, Support lead only manages teammates, Finance only sees the settings and the log, and everyone
else (Support, for one) has neither. Passwords are new on every run and printed once (only Argon2 hashes are
stored), like the demo's API token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from activitylog.accounts import passwords
from activitylog.demo.people import ADMIN, CAST, SAMUEL, Person, role_id
from activitylog.domain.accounts import Role
from activitylog.domain.permissions import SETTINGS, TEAMMATES
from activitylog.storage import accounts
from activitylog.storage.base import Store

ROLES: dict[str, frozenset[str]] = {
    "Admin": frozenset({SETTINGS, TEAMMATES}),
    "Support lead": frozenset({TEAMMATES}),
    "Finance": frozenset({SETTINGS}),
    "Support": frozenset(),
    "Content editor": frozenset(),
    "Marketing": frozenset(),
    "Sales": frozenset(),
    "Developer": frozenset(),
}
#: The two sign-ins `make run` prints: the admin, and a teammate without the log permission.
PRINTED = (ADMIN, SAMUEL)


@dataclass(frozen=True, slots=True)
class SignIn:
    name: str
    email: str
    password: str
    role: str
    permissions: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "email": self.email,
            "password": self.password,
            "role": self.role,
            "permissions": list(self.permissions),
        }


def seed_roles(store: Store, workspace_id: str, created_us: int) -> None:
    with store.transaction(workspace_id) as tx:
        for name, granted in ROLES.items():
            accounts.add_role(tx, Role(workspace_id, role_id(name), name, frozenset(granted), created_us))


def new_passwords(store: Store, workspace_id: str) -> dict[str, SignIn]:
    """Give every active teammate of the cast a new password; answers each sign-in by teammate id."""
    sign_ins: dict[str, SignIn] = {}
    people: list[Person] = [p for p in CAST if p.status == "active"]
    hashed = []
    for person in people:
        password = secrets.token_urlsafe(12)
        hashed.append((person.id, passwords.hash_password(password)))
        granted = tuple(sorted(ROLES.get(person.role, frozenset())))
        sign_ins[person.id] = SignIn(person.name, person.email, password, person.role, granted)
    with store.transaction(workspace_id) as tx:
        for teammate_id, password_hash in hashed:
            accounts.set_password_hash(tx, workspace_id, teammate_id, password_hash)
    return sign_ins
