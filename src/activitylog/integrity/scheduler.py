"""The server's periodic checkpoints: a daemon thread, like the retention scheduler.

Invariants: a run signs a checkpoint for every workspace with new entries; a workspace that does not verify
is logged (logger `activitylog.integrity`) and left unsigned; a failing run never stops the thread or the
server, and is retried at the next interval.
"""

from __future__ import annotations

import logging

from activitylog.integrity.service import Integrity, IntegrityFailure
from activitylog.periodic import Periodic

log = logging.getLogger("activitylog.integrity")


def run_once(integrity: Integrity) -> int:
    """Checkpoint every workspace; answers how many checkpoints were signed."""
    signed = 0
    for workspace_id, result in integrity.checkpoint_all().items():
        if isinstance(result, IntegrityFailure):
            log.error("integrity: workspace %s does not verify, not signed: %s", workspace_id, result.message)
        elif result is not None:
            signed += 1
            log.info("integrity: workspace %s checkpoint at position %d", workspace_id, result.position)
    return signed


class CheckpointScheduler(Periodic):
    name = "activitylog-checkpoints"
    logger = log

    def __init__(self, integrity: Integrity, *, interval_s: float, first_run_after_s: float = 5.0) -> None:
        super().__init__(interval_s=interval_s, first_run_after_s=first_run_after_s)
        self.integrity = integrity

    def run(self) -> int:
        return run_once(self.integrity)
