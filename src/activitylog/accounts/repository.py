"""The console's SQL: reads through the store's reader, writes inside a `storage.base.Transaction`.

Portable SQL (`?` placeholders) that both backends run. Every statement names the workspace: nothing here
reads or writes another workspace's rows. Booleans are stored as 0/1. Members are the rows of `teammates`
whose `kind` is 'member': an actor known only from recorded events is never read as one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from activitylog.accounts import permissions
from activitylog.accounts.model import Invite, Member, Role, Security, Session

MEMBER_COLUMNS = (
    "workspace_id, id, name, email, role, status, permissions, password_hash, totp_secret, recovery_codes, away, "
    "totp_last_step"
)
ROLE_COLUMNS = "workspace_id, id, name, permissions, created_us"
INVITE_COLUMNS = "workspace_id, id, email, role_id, invited_by, created_us, expires_us, accepted_us, revoked_us"
SESSION_COLUMNS = "token_hash, workspace_id, teammate_id, csrf_token, stage, created_us, last_seen_us, ended_us"


class Reader(Protocol):
    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


class StoreReader:
    """A store's reads in the shape of a transaction's, so every query below serves both."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self._store.read(sql, params)
        return rows


def _one(reader: Reader, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    rows = reader.fetchall(sql, params)
    return rows[0] if rows else None


def member_from_row(row: Sequence[Any]) -> Member:
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


def member(reader: Reader, workspace_id: str, teammate_id: str, *, lock: str = "") -> Member | None:
    """The console member with this id, deleted ones included; an actor known only from events is none."""
    row = _one(
        reader,
        f"SELECT {MEMBER_COLUMNS} FROM teammates WHERE workspace_id = ? AND id = ? AND kind = 'member'{lock}",
        (workspace_id, teammate_id),
    )
    return member_from_row(row) if row else None


def member_by_email(reader: Reader, workspace_id: str, email: str) -> Member | None:
    """The active member with this email (case-insensitive); None for unknown, invited or deleted. An actor
    known from events with the same email is no candidate: sign-in and invitations only ever see members."""
    row = _one(
        reader,
        f"SELECT {MEMBER_COLUMNS} FROM teammates WHERE workspace_id = ? AND kind = 'member' AND lower(email) = ? "
        "AND status = 'active' ORDER BY id LIMIT 1",
        (workspace_id, email.strip().lower()),
    )
    return member_from_row(row) if row else None


def members(reader: Reader, workspace_id: str) -> list[Member]:
    rows = reader.fetchall(
        f"SELECT {MEMBER_COLUMNS} FROM teammates WHERE workspace_id = ? AND kind = 'member' "
        "ORDER BY status = 'deleted', lower(name), id",
        (workspace_id,),
    )
    return [member_from_row(row) for row in rows]


def role_from_row(row: Sequence[Any]) -> Role:
    return Role(row[0], row[1], row[2], permissions.parse(row[3]), row[4])


def roles(reader: Reader, workspace_id: str) -> dict[str, Role]:
    rows = reader.fetchall(
        f"SELECT {ROLE_COLUMNS} FROM roles WHERE workspace_id = ? ORDER BY lower(name), id", (workspace_id,)
    )
    return {row[1]: role_from_row(row) for row in rows}


def invite_from_row(row: Sequence[Any]) -> Invite:
    return Invite(*row)


def invites(reader: Reader, workspace_id: str) -> list[Invite]:
    rows = reader.fetchall(
        f"SELECT {INVITE_COLUMNS} FROM invites WHERE workspace_id = ? AND accepted_us IS NULL AND revoked_us IS NULL "
        "ORDER BY created_us DESC, id",
        (workspace_id,),
    )
    return [invite_from_row(row) for row in rows]


def invite(reader: Reader, workspace_id: str, invite_id: str, *, lock: str = "") -> Invite | None:
    row = _one(
        reader,
        f"SELECT {INVITE_COLUMNS} FROM invites WHERE workspace_id = ? AND id = ?{lock}",
        (workspace_id, invite_id),
    )
    return invite_from_row(row) if row else None


def invite_by_token(reader: Reader, token_hash: str, *, lock: str = "") -> Invite | None:
    row = _one(reader, f"SELECT {INVITE_COLUMNS} FROM invites WHERE token_hash = ?{lock}", (token_hash,))
    return invite_from_row(row) if row else None


def session(reader: Reader, token_hash: str) -> Session | None:
    row = _one(reader, f"SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = ?", (token_hash,))
    return Session(*row) if row else None


def security(reader: Reader, workspace_id: str, *, lock: str = "") -> Security | None:
    row = _one(
        reader,
        f"SELECT session_timeout_minutes, require_two_factor, sign_in_methods FROM workspaces WHERE id = ?{lock}",
        (workspace_id,),
    )
    if row is None:
        return None
    return Security(row[0], bool(row[1]), frozenset(m for m in row[2].split(",") if m))


def failures_since(reader: Reader, workspace_id: str, kind: str, key: str, since_us: int) -> int:
    row = _one(
        reader,
        "SELECT count(*) FROM sign_in_failures WHERE workspace_id = ? AND kind = ? AND key = ? AND at_us >= ?",
        (workspace_id, kind, key, since_us),
    )
    return int(row[0]) if row else 0


def latest_failure(reader: Reader, workspace_id: str, kind: str, key: str) -> int:
    """The time of the newest counted attempt of this key (0 when there is none)."""
    row = _one(
        reader,
        "SELECT max(at_us) FROM sign_in_failures WHERE workspace_id = ? AND kind = ? AND key = ?",
        (workspace_id, kind, key),
    )
    return int(row[0]) if row and row[0] is not None else 0
