"""The tamper-evidence operations the CLI, the API and the server's scheduler use.

Invariants: a checkpoint is signed only when the entries since the previous trusted one verify
(`IntegrityFailure` otherwise, and nothing is signed); every operation is scoped to one workspace. The database
is reached only through a `ChainStore` (`storage.integrity.IntegrityRepository`), so this module holds no SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from activitylog.errors import ActivityLogError
from activitylog.integrity import canonical, proofs
from activitylog.integrity.checkpoints import Checkpoint
from activitylog.integrity.keys import Signer
from activitylog.integrity.reader import ChainStore
from activitylog.integrity.verify import Failure, Report, verify, walk
from activitylog.timeutil import DAY_US, now_us


class IntegrityFailure(ActivityLogError):
    """The chain does not verify: the server refuses to sign it."""

    def __init__(self, report: Report) -> None:
        first = report.failures[0] if report.failures else None
        super().__init__(
            f"workspace {report.workspace_id}: {report.failure_count} integrity failure(s)"
            + (f"; first: {first}" if first else "")
        )
        self.report = report


class Integrity:
    def __init__(self, chain: ChainStore, signer: Signer, *, clock: Callable[[], int] = now_us) -> None:
        self.chain = chain
        self.signer = signer
        self.clock = clock

    def verify(self, workspace_id: str) -> Report:
        return verify(self.chain, self.signer, workspace_id, now_us=self.clock())

    def checkpoint(self, workspace_id: str) -> Checkpoint | None:
        """Sign the workspace's chain at its head, after checking the entries since the last trusted checkpoint;
        None when there is nothing new to sign."""
        head = self.chain.head(workspace_id)
        position = head[0] if head else 0
        start = self._trusted_start(workspace_id)
        if position <= start[0]:
            return None
        retention_days = self.chain.retention_days(workspace_id)
        if retention_days is None:  # as verification judges a workspace that is gone
            retention_days = 365
        report = Report(workspace_id)
        walk(
            self.chain,
            workspace_id,
            report,
            start=start,
            until=position,
            checkpoints={},
            expired_before_us=self.clock() - retention_days * DAY_US,
        )
        if report.head != position and report.ok:
            report.fail(Failure("missing", "entries up to the chain head are missing", report.head + 1))
        if not report.ok:
            raise IntegrityFailure(report)
        signed = Checkpoint.signed(
            self.signer, workspace_id, position, report.chain_hash, report.last_entry_id, self.clock()
        )
        self.chain.save_checkpoint(signed)
        return signed

    def _trusted_start(self, workspace_id: str) -> tuple[int, bytes]:
        """Where new entries are checked from: the newest checkpoint signed by this key, else the anchor, else
        the start."""
        anchor = self.chain.anchor(workspace_id)
        floor = anchor[0] if anchor else 0
        for checkpoint in reversed(self.chain.checkpoints(workspace_id, after=floor - 1)):
            if checkpoint.problem(self.signer) is None:
                return checkpoint.position, checkpoint.chain_hash
        return anchor or (0, canonical.genesis(workspace_id))

    def checkpoint_all(self) -> dict[str, Checkpoint | IntegrityFailure | None]:
        """A checkpoint of every workspace; a workspace that does not verify answers its failure."""
        results: dict[str, Checkpoint | IntegrityFailure | None] = {}
        for workspace_id in self.chain.workspace_ids():
            try:
                results[workspace_id] = self.checkpoint(workspace_id)
            except IntegrityFailure as failure:
                results[workspace_id] = failure
        return results

    def checkpoints(self, workspace_id: str, *, limit: int = 100, before: int | None = None) -> list[Checkpoint]:
        """The workspace's checkpoints, newest first."""
        if before is None:
            found = self.chain.checkpoints(workspace_id)
            return list(reversed(found))[:limit]
        return self.chain.checkpoints(workspace_id, before=before, limit=limit)

    def proof(
        self, workspace_id: str, *, first: int | None = None, last: int | None = None, entry_id: str | None = None
    ) -> dict[str, Any]:
        found = proofs.build(self.chain, workspace_id, first=first, last=last, entry_id=entry_id)
        found["key_id"] = self.signer.key_id
        found["public_key"] = self.signer.pem
        return found
