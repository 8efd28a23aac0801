"""The export's worker process: `python -m activitylog.export.worker`, a job as JSON on standard input.

It renders the rows older than the job's cursor into the job's file (CSV rows, no header), printing the running
count of rows written after each page, and exits 0 when the file is complete. See `export.runner`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

from activitylog.domain.channel import TokenName
from activitylog.domain.cursor import Cursor
from activitylog.domain.filters import ActivityFilter
from activitylog.export.csv import stream_rows
from activitylog.storage import open_store


def main() -> None:
    job = json.loads(sys.stdin.read())
    store = open_store(job["url"], migrate=False)
    try:
        where = ActivityFilter.from_dict(job["where"])
        occurred_us, entry_id = job["after"]
        written = 0

        def pages() -> Iterator[list[tuple[Any, ...]]]:
            nonlocal written
            for page in store.iter_rows(job["workspace_id"], where, after=Cursor(occurred_us, entry_id)):
                written += len(page)
                yield page

        names = {token_id: TokenName(name, revoked) for token_id, (name, revoked) in job["token_names"].items()}
        chunks = stream_rows(pages(), job["timezone"], token_names=names)
        next(chunks)  # the header: the parent writes it
        with open(job["path"], "w", encoding="utf-8", newline="") as out:
            for chunk in chunks:
                out.write(chunk)
                print(written, flush=True)
    finally:
        store.close()


if __name__ == "__main__":
    main()
