"""The server's periodic checkpoints: a daemon thread, like the retention scheduler.

Invariants: a run signs a checkpoint for every workspace with new entries; a workspace that does not verify
is logged (logger `activitylog.integrity`) and left unsigned; a failing run never stops the thread or the
server, and is retried at the next interval.
"""

from __future__ import annotations

import logging
import threading

from activitylog.integrity.service import Integrity, IntegrityFailure

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


class CheckpointScheduler:
    def __init__(self, integrity: Integrity, *, interval_s: float, first_run_after_s: float = 5.0) -> None:
        self.integrity = integrity
        self.interval_s = interval_s
        self.first_run_after_s = first_run_after_s
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the checkpoint scheduler is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="activitylog-checkpoints", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        delay = self.first_run_after_s
        while not self._stop.wait(delay):
            try:
                run_once(self.integrity)
            except Exception:
                log.exception("checkpoint run failed; retrying in %.0f seconds", self.interval_s)
            self.runs += 1
            delay = self.interval_s
