"""What a batch is prepared against: its workspace, its moment and how its ids are made.

One value for the whole batch, shared by the fast and the general path, so the two cannot be handed different
clocks or windows. `oldest_us`/`newest_us` bound `occurred_at`: the retention period behind, five minutes ahead.
`via` is the batch's channel as stored (`domain.channel`): the producer's, given to every entry of the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from activitylog import ids
from activitylog.timeutil import DAY_US, MAX_FUTURE_US


@dataclass(frozen=True, slots=True)
class Intake:
    workspace_id: str
    retention_days: int
    now_us: int
    #: An entry's id from its occurrence time (UUIDv7 by default; the demo loader gives its own).
    new_id: Callable[[int], str] = field(default=ids.entry_id)
    #: How the batch arrived (`Channel.stored`), from the producer; None only for callers that name none.
    via: str | None = None

    @property
    def oldest_us(self) -> int:
        return self.now_us - self.retention_days * DAY_US

    @property
    def newest_us(self) -> int:
        return self.now_us + MAX_FUTURE_US
