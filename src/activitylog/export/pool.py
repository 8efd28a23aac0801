"""The server's bounded pool of CSV exports: at most `workers` run at once, `queue` more wait, the rest get 503.

Why: an export is the heaviest request there is (a large one starts a worker interpreter of its own, see
`runner.py`), so twelve at once meant twelve interpreters. Each export holds a slot from before its
`data_export_run` entry is written until its stream ends, so a refused request writes nothing.

Invariants:
- at most `workers` exports (and so at most `workers` export worker processes) run at once, per server;
- at most `queue` requests wait for a slot, each at most `wait_s`; past either, `Unavailable` (503 with
  `Retry-After`), before anything is written;
- a slot goes back when its stream ends, fails, is closed, or is dropped unread (a client that left).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from activitylog.errors import Unavailable

WAIT_S = 30.0  # how long a queued export waits for a slot before it is refused
RETRY_AFTER_S = 10


class ExportPool:
    def __init__(self, workers: int, queue: int, *, wait_s: float = WAIT_S) -> None:
        self.workers, self.queue, self.wait_s = workers, queue, wait_s
        self._slots = threading.Semaphore(workers)
        self._lock = threading.Lock()
        self.running = 0
        self.waiting = 0

    def admit(self) -> Slot:
        """A slot for one export: at once, after waiting in the queue, or `Unavailable`."""
        with self._lock:
            if self._slots.acquire(blocking=False):
                self.running += 1
                return Slot(self)
            if self.waiting >= self.queue:
                raise self._busy()
            self.waiting += 1
        got = False
        try:
            got = self._slots.acquire(timeout=self.wait_s)
        finally:
            with self._lock:
                self.waiting -= 1
                self.running += got
        if not got:
            raise self._busy()
        return Slot(self)

    def _busy(self) -> Unavailable:
        return Unavailable(
            f"{self.running} exports are running and {self.waiting} waiting, the most this server takes: "
            f"retry in {RETRY_AFTER_S} seconds",
            retry_after=RETRY_AFTER_S,
        )

    def _release(self) -> None:
        with self._lock:
            self.running -= 1
        self._slots.release()


class Slot:
    """One export's place in the pool, given back once (`release`), whatever happens to its stream."""

    def __init__(self, pool: ExportPool) -> None:
        self._pool: ExportPool | None = pool

    def release(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool._release()

    def holding(self, chunks: Iterator[str]) -> HeldStream:
        return HeldStream(chunks, self)


class HeldStream:
    """An export's chunks that hold its slot until they end. A class, not a generator: a generator that was
    never started runs no `finally` when dropped, and a response whose client left may never start it."""

    def __init__(self, chunks: Iterator[str], slot: Slot) -> None:
        self._chunks, self._slot = chunks, slot

    def __iter__(self) -> HeldStream:
        return self

    def __next__(self) -> str:
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        try:
            if close is not None:
                close()
        finally:
            self._slot.release()

    def __del__(self) -> None:
        self.close()
