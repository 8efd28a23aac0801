"""What tamper evidence needs of the database, named: verification, proofs and checkpoints read through
`ChainReader`, and the service signs through `ChainStore`; `storage.integrity.IntegrityRepository` is the
implementation over a store (all the SQL is there).

Invariants the implementation keeps:
- chain rows are tuples in `canonical.STORED_FIELDS` order (position, chain hash, the hashed fields, metadata as
  JSON text, the IP key), in position order: verification hashes them as they come, so a page is read in one
  query and handed over as is, with no per-row conversion;
- a position, an anchor or a head is an `int`; a chain hash or a link is `bytes`;
- every method but `workspace_ids` answers for one workspace; every one only reads but `save_checkpoint`, which
  keeps the first checkpoint written at a position (servers may race) and never replaces it.
"""

from __future__ import annotations

from typing import Any, Protocol

from activitylog.integrity.checkpoints import Checkpoint


class ChainReader(Protocol):
    def head(self, workspace_id: str) -> tuple[int, bytes] | None:
        """The chain head's (position, chain hash); None before the workspace's first entry."""
        ...

    def anchor(self, workspace_id: str) -> tuple[int, bytes] | None:
        """The retention anchor's (position, chain hash); None when nothing was ever purged."""
        ...

    def chain_rows(
        self, workspace_id: str, after: int, until: int | None = None, limit: int | None = None
    ) -> list[tuple[Any, ...]]:
        """Rows with `after` < position (<= `until`), in position order, at most `limit` of them."""
        ...

    def tombstones(self, workspace_id: str, after: int, until: int | None = None) -> dict[int, bytes]:
        """The links purged entries left, by position, for `after` < position (<= `until`), in position order."""
        ...

    def position_of(self, workspace_id: str, entry_id: str) -> int | None:
        """The entry's position; None when there is no such entry, or it has no position."""
        ...

    def unchained(self, workspace_id: str) -> list[str]:
        """The ids of the entries that have no position, in id order."""
        ...

    def checkpoints(
        self, workspace_id: str, *, after: int = -1, before: int | None = None, limit: int | None = None
    ) -> list[Checkpoint]:
        """The checkpoints with `after` < position (< `before`), in position order (newest first with `before`,
        for paging backwards)."""
        ...

    def latest_checkpoint(self, workspace_id: str) -> Checkpoint | None: ...

    def retention_days(self, workspace_id: str) -> int | None:
        """The workspace's retention period; None when there is no such workspace."""
        ...

    def workspace_ids(self) -> list[str]: ...


class ChainStore(ChainReader, Protocol):
    def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Keep `checkpoint`, unless one is already kept at its position (then that one stays)."""
        ...
