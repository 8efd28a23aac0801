"""Signed checkpoints: "the chain of workspace W at position N has hash H", signed with the server's key.

Invariants:
- the signed message is the checkpoint's canonical JSON (`statement`): workspace, position, chain hash, the
  entry at that position, time and key id, keys sorted; nothing else about the checkpoint is trusted;
- a checkpoint is written only after the entries since the previous trusted checkpoint (or the retention
  anchor, or the start) have been walked and found to match (`integrity.verify.walk`), so the server never
  signs a chain someone has changed behind its back; one per position (several servers may race: the first
  wins, the others find it there);
- checkpoints are kept until retention moves the anchor past them (the anchor's own is kept).

Reading and keeping them is the store's (`integrity.reader`); this module is the statement and its signature.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from activitylog.integrity.keys import Signer, Verifier

KIND = "activitylog-checkpoint-v1"


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
