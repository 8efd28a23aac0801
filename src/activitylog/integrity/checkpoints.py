"""Signed checkpoints: "the chain of workspace W at position N has hash H", signed with the server's key.

Invariants:
- the signed message is the checkpoint's canonical JSON (`statement`): workspace, position, chain hash, the
  entry at that position, time and key id, keys sorted; nothing else about the checkpoint is trusted;
- a checkpoint is written only after the entries since the previous trusted checkpoint (or the retention
  anchor, or the start) have been walked and found to match (`integrity.verify.walk`), so the server never
  signs a chain someone has changed behind its back; one per position (several servers may race: the first
  wins, the others find it there);
- checkpoints are kept until retention moves the anchor past them (the anchor's own is kept).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from activitylog.integrity.keys import Signer, Verifier
from activitylog.storage.base import Store

KIND = "activitylog-checkpoint-v1"
COLUMNS = "workspace_id, position, chain_hash, last_entry_id, created_us, key_id, signature"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    workspace_id: str
    position: int
    chain_hash: bytes
    last_entry_id: str | None
    created_us: int
    key_id: str
    signature: bytes

    @staticmethod
    def message(
        workspace_id: str, position: int, chain_hash: bytes, last_entry_id: str | None, created_us: int, key_id: str
    ) -> bytes:
        body = {
            "kind": KIND,
            "workspace_id": workspace_id,
            "position": position,
            "chain_hash": chain_hash.hex(),
            "last_entry_id": last_entry_id,
            "created_us": created_us,
            "key_id": key_id,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    @property
    def statement(self) -> bytes:
        return self.message(
            self.workspace_id, self.position, self.chain_hash, self.last_entry_id, self.created_us, self.key_id
        )

    @classmethod
    def signed(
        cls, signer: Signer, workspace_id: str, position: int, chain_hash: bytes, last_entry_id: str | None, now: int
    ) -> Checkpoint:
        message = cls.message(workspace_id, position, chain_hash, last_entry_id, now, signer.key_id)
        return cls(workspace_id, position, chain_hash, last_entry_id, now, signer.key_id, signer.sign(message))

    def problem(self, verifier: Verifier) -> str | None:
        """Why this checkpoint cannot be trusted with `verifier`'s key, or None when it can."""
        if self.key_id != verifier.key_id:
            return f"is signed by key {self.key_id}, not by this server's key {verifier.key_id}"
        if not verifier.valid(self.signature, self.statement):
            return "has a signature that does not match its content (forged or changed)"
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "workspace_id": self.workspace_id,
            "position": self.position,
            "chain_hash": self.chain_hash.hex(),
            "last_entry_id": self.last_entry_id,
            "created_us": self.created_us,
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode(),
            "statement": self.statement.decode(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        return cls(
            str(data["workspace_id"]),
            int(data["position"]),
            bytes.fromhex(data["chain_hash"]),
            data.get("last_entry_id"),
            int(data["created_us"]),
            str(data["key_id"]),
            base64.b64decode(data["signature"]),
        )

    @classmethod
    def from_row(cls, row: Any) -> Checkpoint:
        return cls(row[0], int(row[1]), bytes(row[2]), row[3], int(row[4]), row[5], bytes(row[6]))


def listing(
    store: Store, workspace_id: str, *, after: int = -1, before: int | None = None, limit: int | None = None
) -> list[Checkpoint]:
    """The workspace's checkpoints with `after` < position (< `before`), in position order (newest first with
    `before`, for paging backwards)."""
    if before is not None:
        sql = f"SELECT {COLUMNS} FROM integrity_checkpoints WHERE workspace_id = ? AND position > ? AND position < ? "
        sql += "ORDER BY position DESC"
        params: list[Any] = [workspace_id, after, before]
    else:
        sql = f"SELECT {COLUMNS} FROM integrity_checkpoints WHERE workspace_id = ? AND position > ? ORDER BY position"
        params = [workspace_id, after]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [Checkpoint.from_row(row) for row in store.read(sql, params)]


def latest(store: Store, workspace_id: str) -> Checkpoint | None:
    rows = store.read(
        f"SELECT {COLUMNS} FROM integrity_checkpoints WHERE workspace_id = ? ORDER BY position DESC LIMIT 1",
        (workspace_id,),
    )
    return Checkpoint.from_row(rows[0]) if rows else None


def save(store: Store, checkpoint: Checkpoint) -> None:
    with store.transaction(checkpoint.workspace_id) as unit:
        unit.execute(
            f"INSERT INTO integrity_checkpoints ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
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
