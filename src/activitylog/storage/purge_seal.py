"""What a purge leaves behind so that the rest of a workspace's chain still verifies (storage: it is SQL over a
recording transaction; the pure chain arithmetic stays in `integrity.canonical`).

Retention removes entries by time, and a chain is in recording order: the expired entries are mostly a prefix
of the chain, but not only (an entry recorded late with an old occurred-at sits further on). Before a purge
removes anything, `seal_expired`, in one transaction:
- moves the workspace's anchor to the last signed checkpoint at or before the first entry that stays (all
  entries up to it are expired): verification starts there, from a chain hash the server signed;
- keeps a tombstone for each expired entry after the anchor: its position and link (occurred-at and content
  hash, no content), so the chain can be recomputed through it, and verification checks that its time was
  indeed past the retention period;
- forgets the tombstones and checkpoints before the new anchor.

Invariants: tombstones are written before any entry is deleted (a crash between leaves an entry and its
tombstone side by side, which verification accepts when they agree); the anchor only moves forward; new
entries cannot be expired (validation refuses an occurred-at past the retention period), so the expired set
does not change while a purge runs.
"""

from __future__ import annotations

from typing import Any

from activitylog.integrity import canonical
from activitylog.storage.base import Transaction
from activitylog.storage.integrity import STORED_COLUMNS
from activitylog.timeutil import now_us

WALK_PAGE = 5000


def seal_expired(unit: Transaction, workspace_id: str, cutoff_us: int) -> tuple[int, int]:
    """Keep what the chain needs of `workspace_id`'s entries older than `cutoff_us`; answers the anchor's
    position and how many tombstones were added."""
    anchor = unit.fetchone("SELECT position FROM integrity_anchors WHERE workspace_id = ?", (workspace_id,))
    anchor_position = int(anchor[0]) if anchor else 0
    boundary = _last_expired_prefix(unit, workspace_id, cutoff_us, anchor_position)
    found = unit.fetchone(
        "SELECT position, chain_hash FROM integrity_checkpoints WHERE workspace_id = ? AND position > ? "
        "AND position <= ? ORDER BY position DESC LIMIT 1",
        (workspace_id, anchor_position, boundary),
    )
    if found is not None:
        anchor_position = int(found[0])
        unit.execute(
            "INSERT INTO integrity_anchors (workspace_id, position, chain_hash, cutoff_us, created_us) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace_id) DO UPDATE SET position = excluded.position, "
            "chain_hash = excluded.chain_hash, cutoff_us = excluded.cutoff_us, created_us = excluded.created_us",
            (workspace_id, anchor_position, bytes(found[1]), cutoff_us, now_us()),
        )
        unit.execute(
            "DELETE FROM integrity_tombstones WHERE workspace_id = ? AND position <= ?", (workspace_id, anchor_position)
        )
        unit.execute(
            "DELETE FROM integrity_checkpoints WHERE workspace_id = ? AND position < ?", (workspace_id, anchor_position)
        )
    added = 0
    rows = unit.fetchall(
        f"SELECT {STORED_COLUMNS} FROM activities WHERE workspace_id = ? AND occurred_us < ? AND chain_seq > ?",
        (workspace_id, cutoff_us, anchor_position),
    )
    for row in rows:
        added += unit.execute(
            "INSERT INTO integrity_tombstones (workspace_id, position, link) VALUES (?, ?, ?) "
            "ON CONFLICT (workspace_id, position) DO NOTHING",
            (workspace_id, row[0], canonical.stored_link(workspace_id, row)),
        )
    return anchor_position, added


def _last_expired_prefix(unit: Transaction, workspace_id: str, cutoff_us: int, after: int) -> int:
    """The last position before the first entry (after `after`) that is not expired: every entry up to it is
    expired (or already purged). The head's position when every entry is expired."""
    while True:
        rows: list[Any] = unit.fetchall(
            "SELECT chain_seq, occurred_us FROM activities WHERE workspace_id = ? AND chain_seq > ? "
            "ORDER BY chain_seq LIMIT ?",
            (workspace_id, after, WALK_PAGE),
        )
        for position, occurred_us in rows:
            if occurred_us >= cutoff_us:
                return int(position) - 1
        if len(rows) < WALK_PAGE:
            head = unit.fetchone("SELECT position FROM integrity_heads WHERE workspace_id = ?", (workspace_id,))
            return int(head[0]) if head else 0
        after = int(rows[-1][0])
