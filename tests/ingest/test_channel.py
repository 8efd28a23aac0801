"""The batch's channel reaches every row, on the fast path and the general one alike, and no event can set it
(issue 17): `via` (or `channel`) in an event is an unknown field, refused with the rest of the batch."""

from __future__ import annotations

from typing import Any

import pytest

from activitylog.domain.channel import CLI, Channel
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.prepared import ROW_FIELDS
from activitylog.errors import InvalidInput
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from tests.support.factories import event

VIA = ROW_FIELDS.index("via")


def test_every_row_of_a_batch_gets_its_channel_on_either_path(log: ActivityLog, ws: Workspace) -> None:
    plain = event()  # the fast path's shape
    unusual = {**event(), "actor": {"id": " tm1 ", "name": "Beth"}}  # stripped by the general path only
    for items in ([plain], [unusual], [plain, unusual]):
        rows = log.prepare(ws, items, channel=Channel.api("tok_1"))
        assert [row.row[VIA] for row in rows] == ["api:tok_1"] * len(items)
    assert [row.row[VIA] for row in log.prepare(ws, [plain, unusual])] == [None, None]


@pytest.mark.parametrize("field", ["via", "channel"])
@pytest.mark.parametrize("claim", ["console", {"kind": "console"}])
def test_an_event_cannot_name_its_channel(log: ActivityLog, ws: Workspace, field: str, claim: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        log.record(ws.id, [event(), {**event(), field: claim}], channel=CLI)
    assert [(e.index, e.field, e.message) for e in refused.value.errors] == [(1, field, "is not a known field")]
    assert log.count(ws.id, ActivityFilter()) == 0
