"""Retention: apply every workspace's period once (`run_once`), or once a day in the server (`RetentionScheduler`).

Invariants:
- entries past a workspace's period are never returned, purged or not (the service clamps every read); a
  purge only reclaims their space;
- each run logs, per workspace, the cut-off and how many entries it removed (logger `activitylog.retention`),
  and the store records the run in `retention_runs`;
- a failing run is logged and retried at the next interval: it never stops the scheduler or the server.
"""

from __future__ import annotations

import logging
import threading

from activitylog.service import ActivityLog
from activitylog.storage.base import PurgeResult
from activitylog.timeutil import iso

DAY_S = 86_400.0
FIRST_RUN_AFTER_S = 60.0  # let the server finish starting before the first run

log = logging.getLogger("activitylog.retention")


def run_once(activity_log: ActivityLog, workspace_id: str | None = None) -> list[PurgeResult]:
    """Purge the expired entries of every workspace (or one), logging what each removed."""
    results = activity_log.purge_expired(workspace_id)
    for result in results:
        log.info(
            "retention: workspace %s: removed %d entries older than %s",
            result.workspace_id,
            result.removed,
            iso(result.cutoff_us),
        )
    return results


class RetentionScheduler:
    """A daemon thread that runs `run_once` shortly after `start()` and then every `interval_s` seconds."""

    def __init__(
        self, activity_log: ActivityLog, *, interval_s: float = DAY_S, first_run_after_s: float = FIRST_RUN_AFTER_S
    ) -> None:
        self.activity_log = activity_log
        self.interval_s = interval_s
        self.first_run_after_s = first_run_after_s
        self.runs = 0  # completed runs, failed or not (for health checks and tests)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the retention scheduler is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="activitylog-retention", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the thread to stop and wait for it (a run in progress finishes its current workspace first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        delay = self.first_run_after_s
        while not self._stop.wait(delay):
            try:
                run_once(self.activity_log)
            except Exception:
                log.exception("retention run failed; retrying in %.0f seconds", self.interval_s)
            self.runs += 1
            delay = self.interval_s
