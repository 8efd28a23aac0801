"""The SQL of API tokens (`api_tokens`): the one way a token is written, revoked, listed and found.

Invariants: only a secret's hash is ever stored (`ApiToken.secret_hash`); scopes are stored comma-separated.
Writes take the caller's `Transaction`, so a token and its log entry commit together; reads take a `Reader`
(the same statements on both backends: `?` placeholders, which the PostgreSQL store rewrites).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from activitylog.domain.channel import TokenName
from activitylog.storage.base import ApiToken, Reader, Transaction

_COLUMNS = "workspace_id, id, name, secret_hash, scopes, created_us, revoked_us, last_used_us"


def _token(row: Sequence[Any]) -> ApiToken:
    return ApiToken(row[0], row[1], row[2], row[3], tuple(row[4].split(",")), row[5], row[6], row[7])


def insert_token(tx: Transaction, token: ApiToken) -> None:
    tx.execute(
        f"INSERT INTO api_tokens ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            token.workspace_id,
            token.id,
            token.name,
            token.secret_hash,
            ",".join(token.scopes),
            token.created_us,
            token.revoked_us,
            token.last_used_us,
        ),
    )


def revoke_token(tx: Transaction, workspace_id: str, token_id: str, revoked_us: int) -> bool:
    """Revoke the workspace's token if it is still active; False when there is no such active token."""
    return bool(
        tx.execute(
            "UPDATE api_tokens SET revoked_us = ? WHERE workspace_id = ? AND id = ? AND revoked_us IS NULL",
            (revoked_us, workspace_id, token_id),
        )
    )


def list_tokens(db: Reader, workspace_id: str) -> list[ApiToken]:
    """The workspace's tokens, revoked ones included, oldest first."""
    rows = db.fetchall(
        f"SELECT {_COLUMNS} FROM api_tokens WHERE workspace_id = ? ORDER BY created_us, id", (workspace_id,)
    )
    return [_token(row) for row in rows]


def find_token(db: Reader, secret_hash: str) -> ApiToken | None:
    """The token with this secret hash, in any workspace, revoked or not."""
    rows = db.fetchall(f"SELECT {_COLUMNS} FROM api_tokens WHERE secret_hash = ?", (secret_hash,))
    return _token(rows[0]) if rows else None


def token_names(db: Reader, workspace_id: str) -> dict[str, TokenName]:
    """Every token of the workspace by id, its current name and whether it is revoked: what entries' channels
    are shown with (a workspace has a handful of tokens, so a page or an export reads them all once)."""
    rows = db.fetchall("SELECT id, name, revoked_us FROM api_tokens WHERE workspace_id = ?", (workspace_id,))
    return {str(row[0]): TokenName(str(row[1]), row[2] is not None) for row in rows}
