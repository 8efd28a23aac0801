"""A workspace with a console: roles, and a teammate for every combination of the two permissions.

Used by the account and web tests. Passwords are known (`PASSWORD`); the hashes are real Argon2id.
"""

from __future__ import annotations

from dataclasses import dataclass

from activitylog.accounts import passwords
from activitylog.domain.permissions import SETTINGS, TEAMMATES, serialise
from activitylog.storage.base import Store, Teammate, Workspace
from tests.support import factories

PASSWORD = "correct horse battery"
_HASH = passwords.hash_password(PASSWORD)

ROLES = {
    "role_admin": ("Admin", {SETTINGS, TEAMMATES}),
    "role_manager": ("Team manager", {TEAMMATES}),
    "role_auditor": ("Auditor", {SETTINGS}),
    "role_support": ("Support", set()),
}
#: (teammate id, name, role): one teammate per combination of the permissions.
PEOPLE = (
    ("tm_admin", "Ada Admin", "role_admin"),
    ("tm_manager", "Manny Manager", "role_manager"),
    ("tm_auditor", "Audrey Auditor", "role_auditor"),
    ("tm_support", "Sam Support", "role_support"),
)


@dataclass(frozen=True)
class Org:
    workspace: Workspace

    @property
    def id(self) -> str:
        return self.workspace.id

    @staticmethod
    def email(teammate_id: str) -> str:
        return f"{teammate_id.removeprefix('tm_')}@example.test"


def org(store: Store, *, name: str = "Acme", timezone: str = "Europe/Dublin") -> Org:
    workspace = factories.workspace(store, name=name, timezone=timezone)
    with store.transaction(workspace.id) as tx:
        for role_id, (role_name, granted) in ROLES.items():
            tx.execute(
                "INSERT INTO roles (workspace_id, id, name, permissions, created_us) VALUES (?, ?, ?, ?, 0)",
                (workspace.id, role_id, role_name, serialise(granted)),
            )
    store.upsert_teammates([Teammate(workspace.id, tid, name, Org.email(tid), role) for tid, name, role in PEOPLE])
    with store.transaction(workspace.id) as tx:
        for tid, _, _ in PEOPLE:
            tx.execute(
                "UPDATE teammates SET password_hash = ? WHERE workspace_id = ? AND id = ?", (_HASH, workspace.id, tid)
            )
    return Org(workspace)
