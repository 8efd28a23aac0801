"""Where a prepared batch is written, all of it or none: the pipeline's one storing step.

Three kinds satisfy `Sink`: a Store (the batch in its own transaction), a store Transaction (the batch with the
other writes of a unit of work, such as the console's change and its entry), and the group-commit writer
(`storage.writer`, many requests to one commit). The event loop awaits the writer through `AsyncSink`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from activitylog.domain.prepared import Prepared
from activitylog.storage.base import RecordResult


class Sink(Protocol):
    def record(self, workspace_id: str, batch: Sequence[Prepared]) -> RecordResult: ...


class AsyncSink(Protocol):
    async def record_async(self, workspace_id: str, batch: Sequence[Prepared]) -> RecordResult: ...
