"""The SQL of signing in: sessions, and the throttling counts of failed attempts and of refusals while locked.

Reads take a `Reader`, writes the caller's `Transaction` (so each sign-in step commits with its log entry).
Portable SQL (`?` placeholders); every statement names the workspace or a session's secret hash (only the hash
of a cookie's secret is stored). A failure row is one attempt's place in a count, keyed (kind, key, at_us).
"""

from __future__ import annotations

from typing import NamedTuple

from activitylog.domain.accounts import Session
from activitylog.storage.base import Reader, Transaction

_SESSION_COLUMNS = "token_hash, workspace_id, teammate_id, csrf_token, stage, created_us, last_seen_us, ended_us"


class Refusals(NamedTuple):
    """Attempts refused while a key (an account's email or an IP) was locked, counted since `since_us`."""

    kind: str  # "account" or "ip"
    key: str
    since_us: int
    refused: int


# Sessions --------------------------------------------------------------------------------------------


def session(db: Reader, token_hash: str) -> Session | None:
    rows = db.fetchall(f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE token_hash = ?", (token_hash,))
    return Session(*rows[0]) if rows else None


def open_session(tx: Transaction, session: Session, *, ip: str | None, user_agent: str) -> None:
    """Store a new session with the address and browser it was opened from."""
    tx.execute(
        "INSERT INTO sessions (token_hash, workspace_id, teammate_id, csrf_token, stage, ip, user_agent, "
        "created_us, last_seen_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (session.token_hash, session.workspace_id, session.teammate_id, session.csrf_token, session.stage, ip,
         user_agent, session.created_us, session.last_seen_us),
    )  # fmt: skip


def touch_session(tx: Transaction, token_hash: str, now_us: int) -> None:
    tx.execute("UPDATE sessions SET last_seen_us = ? WHERE token_hash = ?", (now_us, token_hash))


def complete_session(tx: Transaction, token_hash: str, now_us: int) -> bool:
    """Move a session waiting for its second factor to complete; False when it was not waiting (any more)."""
    return bool(
        tx.execute(
            "UPDATE sessions SET stage = 'complete', last_seen_us = ? WHERE token_hash = ? AND stage = 'two_factor'",
            (now_us, token_hash),
        )
    )


def end_session(tx: Transaction, token_hash: str, now_us: int) -> bool:
    """End a session; False when it had ended already."""
    return bool(
        tx.execute("UPDATE sessions SET ended_us = ? WHERE token_hash = ? AND ended_us IS NULL", (now_us, token_hash))
    )


def end_sessions_of(tx: Transaction, workspace_id: str, teammate_id: str, now_us: int) -> None:
    tx.execute(
        "UPDATE sessions SET ended_us = ? WHERE workspace_id = ? AND teammate_id = ? AND ended_us IS NULL",
        (now_us, workspace_id, teammate_id),
    )


# Failed attempts -------------------------------------------------------------------------------------


def failures_since(db: Reader, workspace_id: str, kind: str, key: str, since_us: int) -> int:
    rows = db.fetchall(
        "SELECT count(*) FROM sign_in_failures WHERE workspace_id = ? AND kind = ? AND key = ? AND at_us >= ?",
        (workspace_id, kind, key, since_us),
    )
    return int(rows[0][0]) if rows else 0


def latest_failure(db: Reader, workspace_id: str, kind: str, key: str) -> int:
    """The time of the newest counted attempt of this key (0 when there is none)."""
    rows = db.fetchall(
        "SELECT max(at_us) FROM sign_in_failures WHERE workspace_id = ? AND kind = ? AND key = ?",
        (workspace_id, kind, key),
    )
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def add_failure(tx: Transaction, workspace_id: str, kind: str, key: str, at_us: int) -> None:
    tx.execute(
        "INSERT INTO sign_in_failures (workspace_id, kind, key, at_us) VALUES (?, ?, ?, ?)",
        (workspace_id, kind, key, at_us),
    )


def remove_failure(tx: Transaction, workspace_id: str, kind: str, key: str, at_us: int) -> None:
    tx.execute(
        "DELETE FROM sign_in_failures WHERE workspace_id = ? AND kind = ? AND key = ? AND at_us = ?",
        (workspace_id, kind, key, at_us),
    )


def forget_failures_before(tx: Transaction, workspace_id: str, before_us: int) -> None:
    tx.execute("DELETE FROM sign_in_failures WHERE workspace_id = ? AND at_us < ?", (workspace_id, before_us))


# Refusals while locked -------------------------------------------------------------------------------


def count_refusal(tx: Transaction, workspace_id: str, kind: str, key: str) -> bool:
    """Count one more refusal into the key's open window; False when it has none open."""
    return bool(
        tx.execute(
            "UPDATE sign_in_refusals SET refused = refused + 1 WHERE workspace_id = ? AND kind = ? AND key = ?",
            (workspace_id, kind, key),
        )
    )


def open_refusals(tx: Transaction, workspace_id: str, kind: str, key: str, since_us: int) -> None:
    """Open the key's window at its first refusal (which is logged by itself, so the count starts at 0)."""
    tx.execute(
        "INSERT INTO sign_in_refusals (workspace_id, kind, key, since_us, refused) VALUES (?, ?, ?, ?, 0)",
        (workspace_id, kind, key, since_us),
    )


def refusals_opened_by(db: Reader, workspace_id: str, until_us: int) -> list[Refusals]:
    """The windows opened at or before `until_us`, oldest first."""
    rows = db.fetchall(
        "SELECT kind, key, since_us, refused FROM sign_in_refusals WHERE workspace_id = ? AND since_us <= ? "
        "ORDER BY since_us, kind, key",
        (workspace_id, until_us),
    )
    return [Refusals(*row) for row in rows]


def close_refusals(tx: Transaction, workspace_id: str, kind: str, key: str) -> None:
    tx.execute(
        "DELETE FROM sign_in_refusals WHERE workspace_id = ? AND kind = ? AND key = ?", (workspace_id, kind, key)
    )
