"""Group commit: one writer thread stores every request's batch, several requests to a transaction.

Why: a web server's requests each committing their own small transaction spend most of their time on the
commit and on handing the GIL between threads. Here requests queue their (already validated) batches; the
writer takes whatever has queued up while it was busy, up to `max_entries`, and commits it at once. Nothing
waits on purpose: under light load a batch commits alone, under heavy load many share one commit.

Invariants:
- a request's future resolves only after its batch is committed (an acknowledged entry survives a crash);
- each request stays all-or-nothing: if a shared transaction fails, its batches are retried one transaction
  each, so one bad batch fails alone and the others are stored; but when the database itself is unavailable
  (locked, full, unreachable), every request of the group is refused at once (503, retry), none waits twice;
- idempotency holds across the requests of one transaction (the store sees earlier batches' keys);
- a request cancelled before the writer took it (the client went away) is not written.

Stores with a `record_batches` method (SQLite) get the shared transactions; others have each batch recorded
in turn by the writer thread, which keeps the same interface.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from activitylog.domain.prepared import Prepared
from activitylog.errors import Unavailable
from activitylog.storage.base import RecordResult, Store

logger = logging.getLogger("activitylog.writer")
RecordBatches = Callable[[Sequence[tuple[str, Sequence[Prepared]]]], list[RecordResult]]
Outcome = tuple[RecordResult | None, Exception | None]


@dataclass(frozen=True, slots=True)
class _Job:
    workspace_id: str
    batch: Sequence[Prepared]
    future: Future[RecordResult] | None = None  # for threads
    waiter: asyncio.Future[RecordResult] | None = None  # for the event loop

    def claim(self) -> bool:
        """False when a thread's request was cancelled before the writer took it: it is not written."""
        return self.future is None or self.future.set_running_or_notify_cancel()


def _settle(outcomes: list[tuple[asyncio.Future[RecordResult], Outcome]]) -> None:
    for waiter, (result, problem) in outcomes:
        if waiter.cancelled():
            continue  # the client went away; its entries are stored and a retry will find them
        if problem is not None:
            waiter.set_exception(problem)
        elif result is not None:
            waiter.set_result(result)


def _copy(problem: Unavailable) -> Unavailable:
    """One exception per waiting request: each raises it in its own task (and gets its own traceback)."""
    return Unavailable(problem.message, retry_after=problem.retry_after)


class GroupCommitWriter:
    def __init__(self, store: Store, *, max_entries: int = 2000) -> None:
        self._store = store
        self._record_batches: RecordBatches | None = getattr(store, "record_batches", None)
        self.max_entries = max_entries
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="activitylog-writer", daemon=True)
        self._thread.start()

    def submit(self, workspace_id: str, batch: Sequence[Prepared]) -> Future[RecordResult]:
        """Queue a validated batch; the future answers what `Store.record` would have, once committed."""
        future: Future[RecordResult] = Future()
        self._queue.put(_Job(workspace_id, batch, future=future))
        return future

    def record(self, workspace_id: str, batch: Sequence[Prepared]) -> RecordResult:
        """`submit`, waiting for the commit: for threads (an export's entry logged from the worker thread)."""
        return self.submit(workspace_id, batch).result()

    async def record_async(self, workspace_id: str, batch: Sequence[Prepared]) -> RecordResult:
        """`submit` for the event loop: the writer wakes the loop once per transaction, not once per request."""
        waiter: asyncio.Future[RecordResult] = asyncio.get_running_loop().create_future()
        self._queue.put(_Job(workspace_id, batch, waiter=waiter))
        return await waiter

    def close(self) -> None:
        """Store what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            jobs, size, stop = [job], len(job.batch), False
            while size < self.max_entries:
                try:
                    following = self._queue.get_nowait()
                except queue.Empty:
                    break
                if following is None:
                    stop = True
                    break
                jobs.append(following)
                size += len(following.batch)
            claimed = [j for j in jobs if j.claim()]
            self._answer(claimed, self._commit(claimed))
            if stop:
                return

    def _commit(self, jobs: list[_Job]) -> list[Outcome]:
        if len(jobs) > 1 and self._record_batches is not None:
            try:
                return [(result, None) for result in self._record_batches([(j.workspace_id, j.batch) for j in jobs])]
            except Unavailable as problem:
                # The database (locked, full, unreachable), not a batch: trying each alone would make every
                # request of the group wait out the same failure in turn. All answer 503 now; clients retry.
                logger.warning("the database is unavailable; %d batches refused: %s", len(jobs), problem)
                return [(None, _copy(problem)) for _ in jobs]
            except Exception:  # one transaction per batch below, so a bad batch fails alone
                logger.warning("a shared transaction of %d batches failed; retrying them one by one", len(jobs))
        outcomes: list[Outcome] = []
        unavailable: Unavailable | None = None
        for job in jobs:
            if unavailable is not None:  # as above: the rest of the group need not wait for it again
                outcomes.append((None, _copy(unavailable)))
                continue
            try:
                outcomes.append((self._store.record(job.workspace_id, job.batch), None))
            except Unavailable as problem:
                unavailable = problem
                outcomes.append((None, problem))
            except Exception as problem:  # the request that sent it answers with the error
                outcomes.append((None, problem))
        return outcomes

    @staticmethod
    def _answer(jobs: list[_Job], outcomes: list[Outcome]) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[RecordResult], Outcome]]] = defaultdict(list)
        for job, (result, problem) in zip(jobs, outcomes, strict=True):
            if job.waiter is not None:
                by_loop[job.waiter.get_loop()].append((job.waiter, (result, problem)))
            elif job.future is not None and problem is not None:
                job.future.set_exception(problem)
            elif job.future is not None and result is not None:
                job.future.set_result(result)
        for loop, outcomes_of_loop in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting any more
                loop.call_soon_threadsafe(_settle, outcomes_of_loop)
