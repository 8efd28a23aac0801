"""The SQL of the console's people and access: members, roles, invites, and the workspace's settings.

Reads take a `Reader` (a transaction, or `StoreReader` outside one), writes the caller's `Transaction`, so each
change commits with its log entry. `lock=True` reads with the transaction's row lock (`Reader.for_update`).
Portable SQL (`?` placeholders) both backends run; every statement names the workspace, so nothing here reads
or writes another workspace's rows. Booleans are stored as 0/1, permissions and sign-in methods comma-separated,
recovery codes (digests) as JSON. Members are the rows of `teammates` whose `kind` is 'member': an actor known
only from recorded events is never read as one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from activitylog.domain import permissions
from activitylog.domain.accounts import SIGN_IN_METHODS, Invite, Member, Role, Security
from activitylog.storage.base import Reader, Transaction

_MEMBER_COLUMNS = (
    "workspace_id, id, name, email, role, status, permissions, password_hash, totp_secret, recovery_codes, away, "
    "totp_last_step"
)
_ROLE_COLUMNS = "workspace_id, id, name, permissions, created_us"
_INVITE_COLUMNS = "workspace_id, id, email, role_id, invited_by, created_us, expires_us, accepted_us, revoked_us"


def _one(db: Reader, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    rows = db.fetchall(sql, params)
    return rows[0] if rows else None


def _lock(db: Reader, lock: bool) -> str:
    return db.for_update if lock else ""


# The workspace ---------------------------------------------------------------------------------------


def serialise_workspace(tx: Transaction, workspace_id: str) -> None:
    """Hold off, until `tx` ends, every other transaction of the workspace that serialises too.

    It locks the workspace's row with FOR NO KEY UPDATE (PostgreSQL), which recording's foreign-key checks
    (FOR KEY SHARE) do not wait for; where `for_update` is empty (SQLite) write transactions are serialised
    already, and there is nothing to do.
    """
    if tx.for_update:
        tx.fetchall("SELECT id FROM workspaces WHERE id = ? FOR NO KEY UPDATE", (workspace_id,))


def name_and_timezone(db: Reader, workspace_id: str, *, lock: bool = False) -> tuple[str, str] | None:
    row = _one(db, f"SELECT name, timezone FROM workspaces WHERE id = ?{_lock(db, lock)}", (workspace_id,))
    return (row[0], row[1]) if row else None


def rename_workspace(tx: Transaction, workspace_id: str, name: str) -> None:
    tx.execute("UPDATE workspaces SET name = ? WHERE id = ?", (name, workspace_id))


def set_timezone(tx: Transaction, workspace_id: str, timezone: str) -> None:
    tx.execute("UPDATE workspaces SET timezone = ? WHERE id = ?", (timezone, workspace_id))


def security(db: Reader, workspace_id: str, *, lock: bool = False) -> Security | None:
    row = _one(
        db,
        "SELECT session_timeout_minutes, require_two_factor, sign_in_methods FROM workspaces "
        f"WHERE id = ?{_lock(db, lock)}",
        (workspace_id,),
    )
    if row is None:
        return None
    return Security(row[0], bool(row[1]), frozenset(m for m in row[2].split(",") if m))


def set_security(tx: Transaction, workspace_id: str, settings: Security) -> None:
    """Store the settings; the methods in `SIGN_IN_METHODS` order (unknown ones are not stored)."""
    tx.execute(
        "UPDATE workspaces SET session_timeout_minutes = ?, require_two_factor = ?, sign_in_methods = ? WHERE id = ?",
        (
            settings.session_timeout_minutes,
            int(settings.require_two_factor),
            ",".join(m for m in SIGN_IN_METHODS if m in settings.sign_in_methods),
            workspace_id,
        ),
    )


# Members ---------------------------------------------------------------------------------------------


def _member(row: Sequence[Any]) -> Member:
    return Member(
        workspace_id=row[0],
        id=row[1],
        name=row[2],
        email=row[3],
        role_id=row[4],
        status=row[5],
        own_permissions=permissions.parse(row[6]),
        password_hash=row[7],
        totp_secret=row[8],
        recovery_codes=tuple(json.loads(row[9])) if row[9] else (),
        away=bool(row[10]),
        totp_last_step=row[11],
    )


def member(db: Reader, workspace_id: str, teammate_id: str, *, lock: bool = False) -> Member | None:
    """The console member with this id, deleted ones included; an actor known only from events is none."""
    row = _one(
        db,
        f"SELECT {_MEMBER_COLUMNS} FROM teammates WHERE workspace_id = ? AND id = ? AND kind = 'member'"
        + _lock(db, lock),
        (workspace_id, teammate_id),
    )
    return _member(row) if row else None


def member_by_email(db: Reader, workspace_id: str, email: str) -> Member | None:
    """The active member with this email (case-insensitive); None for unknown, invited or deleted. An actor
    known from events with the same email is no candidate: sign-in and invitations only ever see members."""
    row = _one(
        db,
        f"SELECT {_MEMBER_COLUMNS} FROM teammates WHERE workspace_id = ? AND kind = 'member' AND lower(email) = ? "
        "AND status = 'active' ORDER BY id LIMIT 1",
        (workspace_id, email.strip().lower()),
    )
    return _member(row) if row else None


def members(db: Reader, workspace_id: str) -> list[Member]:
    """Every member, deleted ones last, by name."""
    rows = db.fetchall(
        f"SELECT {_MEMBER_COLUMNS} FROM teammates WHERE workspace_id = ? AND kind = 'member' "
        "ORDER BY status = 'deleted', lower(name), id",
        (workspace_id,),
    )
    return [_member(row) for row in rows]


def add_member(tx: Transaction, member: Member) -> None:
    """A new member (who joined from an invitation) with a role, or permissions of their own."""
    tx.execute(
        "INSERT INTO teammates (workspace_id, id, name, email, role, status, permissions, password_hash, kind) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'member')",
        (
            member.workspace_id,
            member.id,
            member.name,
            member.email,
            member.role_id,
            member.status,
            permissions.serialise(member.own_permissions) or None,
            member.password_hash,
        ),
    )


def forget_actor(tx: Transaction, workspace_id: str, actor_id: str) -> None:
    """Remove a directory row that recording added for an actor (never a member)."""
    tx.execute("DELETE FROM teammates WHERE workspace_id = ? AND id = ? AND kind = 'actor'", (workspace_id, actor_id))


def set_access(
    tx: Transaction, workspace_id: str, teammate_id: str, role_id: str | None, own: Iterable[str] | None
) -> None:
    """Give a member a role (`own` None) or, with no role, permissions of their own."""
    tx.execute(
        "UPDATE teammates SET role = ?, permissions = ? WHERE workspace_id = ? AND id = ?",
        (role_id, None if own is None else permissions.serialise(own), workspace_id, teammate_id),
    )


def remove_member(tx: Transaction, workspace_id: str, teammate_id: str) -> None:
    """Mark a member deleted and drop every credential (the row stays: past entries name them)."""
    tx.execute(
        "UPDATE teammates SET status = 'deleted', password_hash = NULL, totp_secret = NULL, "
        "recovery_codes = NULL WHERE workspace_id = ? AND id = ?",
        (workspace_id, teammate_id),
    )


def set_away(tx: Transaction, workspace_id: str, teammate_id: str, away: bool) -> None:
    tx.execute(
        "UPDATE teammates SET away = ? WHERE workspace_id = ? AND id = ?", (int(away), workspace_id, teammate_id)
    )


def set_password_hash(tx: Transaction, workspace_id: str, teammate_id: str, password_hash: str) -> None:
    tx.execute(
        "UPDATE teammates SET password_hash = ? WHERE workspace_id = ? AND id = ?",
        (password_hash, workspace_id, teammate_id),
    )


def enable_two_factor(
    tx: Transaction, workspace_id: str, teammate_id: str, secret: str, recovery_digests: Sequence[str]
) -> bool:
    """Store the authenticator secret and recovery codes unless two-factor is on already (then False)."""
    return bool(
        tx.execute(
            "UPDATE teammates SET totp_secret = ?, recovery_codes = ? "
            "WHERE workspace_id = ? AND id = ? AND totp_secret IS NULL",
            (secret, json.dumps(list(recovery_digests)), workspace_id, teammate_id),
        )
    )


def disable_two_factor(tx: Transaction, workspace_id: str, teammate_id: str) -> None:
    tx.execute(
        "UPDATE teammates SET totp_secret = NULL, recovery_codes = NULL WHERE workspace_id = ? AND id = ?",
        (workspace_id, teammate_id),
    )


def set_recovery_codes(tx: Transaction, workspace_id: str, teammate_id: str, digests: Sequence[str]) -> None:
    tx.execute(
        "UPDATE teammates SET recovery_codes = ? WHERE workspace_id = ? AND id = ?",
        (json.dumps(list(digests)), workspace_id, teammate_id),
    )


def advance_totp_step(tx: Transaction, workspace_id: str, teammate_id: str, step: int) -> bool:
    """Record the time step of the code just used, only if it is later than the last one (else False): of two
    sign-ins racing with the same code, one moves it and the other learns it lost."""
    return bool(
        tx.execute(
            "UPDATE teammates SET totp_last_step = ? WHERE workspace_id = ? AND id = ? "
            "AND (totp_last_step IS NULL OR totp_last_step < ?)",
            (step, workspace_id, teammate_id, step),
        )
    )


# Roles -----------------------------------------------------------------------------------------------


def roles(db: Reader, workspace_id: str) -> dict[str, Role]:
    """The workspace's roles by id, by name."""
    rows = db.fetchall(
        f"SELECT {_ROLE_COLUMNS} FROM roles WHERE workspace_id = ? ORDER BY lower(name), id", (workspace_id,)
    )
    return {row[1]: Role(row[0], row[1], row[2], permissions.parse(row[3]), row[4]) for row in rows}


def add_role(tx: Transaction, role: Role) -> None:
    tx.execute(
        f"INSERT INTO roles ({_ROLE_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
        (role.workspace_id, role.id, role.name, permissions.serialise(role.permissions), role.created_us),
    )


def change_role(tx: Transaction, workspace_id: str, role_id: str, name: str, granted: Iterable[str]) -> None:
    tx.execute(
        "UPDATE roles SET name = ?, permissions = ? WHERE workspace_id = ? AND id = ?",
        (name, permissions.serialise(granted), workspace_id, role_id),
    )


def delete_role(tx: Transaction, workspace_id: str, role_id: str) -> None:
    tx.execute("DELETE FROM roles WHERE workspace_id = ? AND id = ?", (workspace_id, role_id))


# Invites ---------------------------------------------------------------------------------------------


def invites(db: Reader, workspace_id: str) -> list[Invite]:
    """Invitations neither accepted nor cancelled (expired ones included), newest first."""
    rows = db.fetchall(
        f"SELECT {_INVITE_COLUMNS} FROM invites WHERE workspace_id = ? AND accepted_us IS NULL AND revoked_us IS NULL "
        "ORDER BY created_us DESC, id",
        (workspace_id,),
    )
    return [Invite(*row) for row in rows]


def invite(db: Reader, workspace_id: str, invite_id: str, *, lock: bool = False) -> Invite | None:
    row = _one(
        db,
        f"SELECT {_INVITE_COLUMNS} FROM invites WHERE workspace_id = ? AND id = ?{_lock(db, lock)}",
        (workspace_id, invite_id),
    )
    return Invite(*row) if row else None


def invite_by_token(db: Reader, token_hash: str, *, lock: bool = False) -> Invite | None:
    """The invitation whose link secret hashes to `token_hash`, in any workspace (the caller checks which)."""
    row = _one(db, f"SELECT {_INVITE_COLUMNS} FROM invites WHERE token_hash = ?{_lock(db, lock)}", (token_hash,))
    return Invite(*row) if row else None


def add_invite(tx: Transaction, invite: Invite, token_hash: str) -> None:
    tx.execute(
        "INSERT INTO invites (workspace_id, id, email, role_id, token_hash, invited_by, created_us, expires_us) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (invite.workspace_id, invite.id, invite.email, invite.role_id, token_hash, invite.invited_by,
         invite.created_us, invite.expires_us),
    )  # fmt: skip


def set_invite_role(tx: Transaction, workspace_id: str, invite_id: str, role_id: str | None) -> None:
    tx.execute("UPDATE invites SET role_id = ? WHERE workspace_id = ? AND id = ?", (role_id, workspace_id, invite_id))


def revoke_invite(tx: Transaction, workspace_id: str, invite_id: str, at_us: int) -> None:
    tx.execute("UPDATE invites SET revoked_us = ? WHERE workspace_id = ? AND id = ?", (at_us, workspace_id, invite_id))


def accept_invite(tx: Transaction, workspace_id: str, invite_id: str, at_us: int) -> None:
    tx.execute("UPDATE invites SET accepted_us = ? WHERE workspace_id = ? AND id = ?", (at_us, workspace_id, invite_id))
