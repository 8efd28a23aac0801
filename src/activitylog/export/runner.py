"""Run a CSV export of a workspace's entries: sequentially, or for a large export on two processes.

Why two processes: exporting is bound by Python's per-row work (reading a row, formatting its cells), while
the database and the disk wait. For an export of `PARALLEL_FROM` rows or more, on a machine with a second
core, a worker process renders the older rows into a temporary file while this process renders and streams
the newer ones; then the file is streamed. Wall time drops by about 40%.

Invariants:
- the output is byte for byte what the sequential export writes (same rows, same order, same cells), and
  starts with the UTF-8 byte-order mark (`export.csv.BOM`): it is a file for a spreadsheet;
- the first bytes go out at once (this process starts on the newest rows), and memory stays constant (the
  worker writes to disk, never to a pipe someone must drain);
- whatever happens (the consumer stops reading, the worker fails), the worker is stopped, its file removed,
  and a failed worker's half is rendered here instead, so the export is complete or it raises.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from activitylog.domain.channel import TokenNames
from activitylog.domain.cursor import Cursor
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.stored import ID, OCCURRED_US
from activitylog.export.csv import stream_rows
from activitylog.service import ActivityLog
from activitylog.storage.base import Store, Workspace
from activitylog.tokens import token_names

PARALLEL_FROM = 200_000  # below this a worker's start-up (an interpreter and imports) costs more than it saves
# This process takes a little more than half: the worker spends its first few tenths of a second starting.
HEAD_SHARE = 0.55
READ_CHUNK = 1 << 20

logger = logging.getLogger(__name__)
Progress = Callable[[int], None]


def export_csv(
    log: ActivityLog,
    workspace: Workspace,
    where: ActivityFilter,
    *,
    progress: Progress | None = None,
    total: int | None = None,
    parallel_from: int = PARALLEL_FROM,
) -> Iterator[str]:
    """The CSV text of every entry matching `where` in `workspace`, newest first, as chunks of text: the
    byte-order mark first, then the header and the rows.

    `progress`, when given, is called with the number of rows written so far; `total` is the number of
    matching rows when the caller has counted them already.
    """
    clamped = where.clamp(log.earliest_us(workspace))
    store = log.store
    names = token_names(log, workspace)  # read once: the Channel column names tokens as they are now
    if (os.cpu_count() or 1) < 2:
        total = 0
    elif total is None:
        total = store.count(workspace.id, clamped)
    split = _position(store, workspace.id, clamped, int(total * HEAD_SHARE)) if total >= parallel_from else None
    if split is None:  # small (or the log shrank under us, by retention): one process
        pages = _reported(store.iter_rows(workspace.id, clamped), progress)
        yield from stream_rows(pages, workspace.timezone, bom=True, token_names=names)
        return
    yield from _parallel(store, workspace, clamped, split, progress, names)


Pages = Iterator[list[tuple[Any, ...]]]


def _reported(pages: Pages, progress: Progress | None, start: int = 0) -> Pages:
    written = start
    for page in pages:
        written += len(page)
        if progress is not None:
            progress(written)
        yield page


def _position(store: Store, workspace_id: str, where: ActivityFilter, index: int) -> Cursor | None:
    """The keyset cursor of the `index`-th newest matching entry (0-based), read from the indexes alone."""
    remaining = index
    for page in store.iter_rows(workspace_id, where, batch_size=50_000, keys_only=True):
        if remaining < len(page):
            entry_id, occurred_us = page[remaining]
            return Cursor(occurred_us, entry_id)
        remaining -= len(page)
    return None


def _until(pages: Pages, last: Cursor) -> Pages:
    """Pages of rows down to and including the row at `last`, then stop."""
    bound = (last.occurred_us, last.id)
    for page in pages:
        if (page[-1][OCCURRED_US], page[-1][ID]) >= bound:
            yield page
            if (page[-1][OCCURRED_US], page[-1][ID]) == bound:
                return
            continue
        yield [row for row in page if (row[OCCURRED_US], row[ID]) >= bound]
        return


def _parallel(
    store: Store,
    workspace: Workspace,
    where: ActivityFilter,
    split: Cursor,
    progress: Progress | None,
    names: TokenNames,
) -> Iterator[str]:
    handle, path = tempfile.mkstemp(prefix="activitylog-export-", suffix=".csv")
    os.close(handle)
    job = {
        "url": store.url,
        "workspace_id": workspace.id,
        "where": where.as_dict(),
        "after": [split.occurred_us, split.id],
        "timezone": workspace.timezone,
        "token_names": {token_id: list(name) for token_id, name in names.items()},
        "path": path,
    }
    # A fresh interpreter running the worker module: nothing of this process (threads, locks, its __main__)
    # is copied or re-run.
    worker = subprocess.Popen(
        [sys.executable, "-m", "activitylog.export.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdin is not None
        assert worker.stdout is not None
        try:
            worker.stdin.write(json.dumps(job))
            worker.stdin.close()
        except BrokenPipeError:
            pass  # the worker died at once: its exit code, read below, hands its half to this process
        head = 0

        def count_head(rows: int) -> None:
            nonlocal head
            head = rows
            if progress is not None:
                progress(rows)

        newer = _until(store.iter_rows(workspace.id, where), split)
        yield from stream_rows(_reported(newer, count_head), workspace.timezone, bom=True, token_names=names)
        for line in worker.stdout:  # the worker's running count of rows written, until it is done
            if progress is not None and line.strip().isdigit():
                progress(head + int(line))
        if worker.wait() == 0:
            with open(path, encoding="utf-8", newline="") as rendered:
                while chunk := rendered.read(READ_CHUNK):
                    yield chunk
        else:
            logger.warning("export worker failed (exit code %s); rendering its half here", worker.returncode)
            older = store.iter_rows(workspace.id, where, after=split)
            chunks = stream_rows(_reported(older, progress, head), workspace.timezone, token_names=names)
            next(chunks)  # the header is already out
            yield from chunks
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(5)
        if worker.stdout is not None:
            worker.stdout.close()
        os.unlink(path)
