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

from activitylog.periodic import Periodic
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


class RetentionScheduler(Periodic):
    """Runs `run_once` shortly after `start()` and then every `interval_s` seconds."""

    name = "activitylog-retention"
    logger = log

    def __init__(
        self, activity_log: ActivityLog, *, interval_s: float = DAY_S, first_run_after_s: float = FIRST_RUN_AFTER_S
    ) -> None:
        super().__init__(interval_s=interval_s, first_run_after_s=first_run_after_s)
        self.activity_log = activity_log

    def run(self) -> list[PurgeResult]:
        return run_once(self.activity_log)
