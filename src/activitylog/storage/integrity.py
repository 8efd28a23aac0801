"""The SQL of tamper evidence: `IntegrityRepository` answers `integrity.reader.ChainStore` over a store.

Invariants:
- chain rows come back exactly as the database gives them, in `canonical.STORED_FIELDS` order, a whole page per
  query: verification's hot loop takes them as they are (the repository adds no work per row);
- reads go through `Store.read` (one statement, the store's read connections) and the one write, a checkpoint,
  through a transaction of its workspace; the statements are the same on both backends (`?` placeholders,
  which the PostgreSQL store rewrites).
"""

from __future__ import annotations

from typing import Any

from activitylog.integrity import canonical
from activitylog.integrity.checkpoints import Checkpoint
from activitylog.storage.base import Store

#: `canonical.STORED_FIELDS` as a select list (the purge's tombstones are made from the same rows).
STORED_COLUMNS = ", ".join(canonical.STORED_FIELDS)
CHECKPOINT_COLUMNS = "workspace_id, position, chain_hash, last_entry_id, created_us, key_id, signature"

_CHAIN_ROWS = f"SELECT {STORED_COLUMNS} FROM activities WHERE workspace_id = ? AND chain_seq > ?"
_ORDER = " ORDER BY chain_seq"


def checkpoint_from_row(row: tuple[Any, ...]) -> Checkpoint:
    """A checkpoint from a row in CHECKPOINT_COLUMNS order."""
    return Checkpoint(row[0], int(row[1]), bytes(row[2]), row[3], int(row[4]), row[5], bytes(row[6]))


class IntegrityRepository:
    """What verification, proofs and checkpoints read of `store`, and the checkpoints they write."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def head(self, workspace_id: str) -> tuple[int, bytes] | None:
        rows = self.store.read(
            "SELECT position, chain_hash FROM integrity_heads WHERE workspace_id = ?", (workspace_id,)
        )
        return (int(rows[0][0]), bytes(rows[0][1])) if rows else None

    def anchor(self, workspace_id: str) -> tuple[int, bytes] | None:
        rows = self.store.read(
            "SELECT position, chain_hash FROM integrity_anchors WHERE workspace_id = ?", (workspace_id,)
        )
        return (int(rows[0][0]), bytes(rows[0][1])) if rows else None

    def chain_rows(
        self, workspace_id: str, after: int, until: int | None = None, limit: int | None = None
    ) -> list[tuple[Any, ...]]:
        sql = _CHAIN_ROWS
        params: list[Any] = [workspace_id, after]
        if until is not None:
            sql += " AND chain_seq <= ?"
            params.append(until)
        sql += _ORDER
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self.store.read(sql, params)

    def tombstones(self, workspace_id: str, after: int, until: int | None = None) -> dict[int, bytes]:
        sql = "SELECT position, link FROM integrity_tombstones WHERE workspace_id = ? AND position > ?"
        params: list[Any] = [workspace_id, after]
        if until is not None:
            sql += " AND position <= ?"
            params.append(until)
        return {int(position): bytes(link) for position, link in self.store.read(sql + " ORDER BY position", params)}

    def position_of(self, workspace_id: str, entry_id: str) -> int | None:
        # No id holds NUL, and PostgreSQL refuses to even compare one: such an id is simply not in the chain.
        if "\x00" in entry_id:
            return None
        rows = self.store.read(
            "SELECT chain_seq FROM activities WHERE workspace_id = ? AND id = ?", (workspace_id, entry_id)
        )
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    def unchained(self, workspace_id: str) -> list[str]:
        rows = self.store.read(
            "SELECT id FROM activities WHERE workspace_id = ? AND chain_seq IS NULL ORDER BY id", (workspace_id,)
        )
        return [entry_id for (entry_id,) in rows]

    def checkpoints(
        self, workspace_id: str, *, after: int = -1, before: int | None = None, limit: int | None = None
    ) -> list[Checkpoint]:
        sql = f"SELECT {CHECKPOINT_COLUMNS} FROM integrity_checkpoints WHERE workspace_id = ? AND position > ?"
        params: list[Any] = [workspace_id, after]
        if before is not None:
            sql += " AND position < ? ORDER BY position DESC"
            params.append(before)
        else:
            sql += " ORDER BY position"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [checkpoint_from_row(row) for row in self.store.read(sql, params)]

    def latest_checkpoint(self, workspace_id: str) -> Checkpoint | None:
        rows = self.store.read(
            f"SELECT {CHECKPOINT_COLUMNS} FROM integrity_checkpoints WHERE workspace_id = ? "
            "ORDER BY position DESC LIMIT 1",
            (workspace_id,),
        )
        return checkpoint_from_row(rows[0]) if rows else None

    def retention_days(self, workspace_id: str) -> int | None:
        workspace = self.store.get_workspace(workspace_id)
        return workspace.retention_days if workspace is not None else None

    def workspace_ids(self) -> list[str]:
        return [workspace.id for workspace in self.store.list_workspaces()]

    def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        with self.store.transaction(checkpoint.workspace_id) as unit:
            unit.execute(
                f"INSERT INTO integrity_checkpoints ({CHECKPOINT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (workspace_id, position) DO NOTHING",
                (
                    checkpoint.workspace_id,
                    checkpoint.position,
                    checkpoint.chain_hash,
                    checkpoint.last_entry_id,
                    checkpoint.created_us,
                    checkpoint.key_id,
                    checkpoint.signature,
                ),
            )
