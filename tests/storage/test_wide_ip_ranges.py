"""An IP range holding thousands of entries pages as correctly as a narrow one (SQLite plans it differently)."""

from __future__ import annotations

from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from tests.support.factories import ago, event


def test_a_wide_range_pages_newest_first_without_gaps(log: ActivityLog, ws: Workspace) -> None:
    batch = [
        event("admin_logout", metadata={}, ip=f"203.0.113.{i % 250}", occurred_at=ago(seconds=i)) for i in range(5200)
    ]
    batch += [
        event("admin_logout", metadata={}, ip="198.51.100.1", occurred_at=ago(seconds=i + 0.5)) for i in range(50)
    ]
    for start in range(0, len(batch), 1000):
        log.record(ws.id, batch[start : start + 1000])
    wide = ActivityFilter.parse(ip="203.0.113.0/24")
    everything = list(log.iter_entries(ws.id, ActivityFilter()))
    expected = [e.id for e in everything if e.ip and e.ip.startswith("203.0.113.")]
    assert [e.id for e in log.query(ws.id, wide, limit=50).entries] == expected[:50]
    assert [e.id for e in log.iter_entries(ws.id, wide)] == expected
    narrow = ActivityFilter.parse(ip="198.51.100.0/24")
    assert [e.id for e in log.query(ws.id, narrow, limit=500).entries] == [
        e.id for e in everything if e.ip == "198.51.100.1"
    ]
