"""A daemon thread that runs a job shortly after start and then at a fixed interval (the server's schedulers).

Invariants: a failing run is logged and retried at the next interval, never stopping the thread or the
server; `runs` counts completed runs, failed or not (for health checks and tests); `stop` waits for a run in
progress to finish.
"""

from __future__ import annotations

import logging
import threading


class Periodic:
    name = "activitylog-periodic"  # the thread's name, and what the logs call the job
    logger = logging.getLogger("activitylog")

    def __init__(self, *, interval_s: float, first_run_after_s: float) -> None:
        self.interval_s = interval_s
        self.first_run_after_s = first_run_after_s
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run(self) -> object:
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.name} is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask the thread to stop and wait for it (a run in progress finishes first)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        delay = self.first_run_after_s
        while not self._stop.wait(delay):
            try:
                self.run()
            except Exception:
                self.logger.exception("%s run failed; retrying in %.0f seconds", self.name, self.interval_s)
            self.runs += 1
            delay = self.interval_s
