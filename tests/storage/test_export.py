"""The CSV export on every backend: raw-row export equals the export of entries, and stays safe."""

from __future__ import annotations

import csv
import io
import json

from activitylog.domain.filters import ActivityFilter
from activitylog.export.csv import COLUMNS, stream, stream_rows
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from tests.factories import event

TRICKY = [
    event(ip="2001:db8::7", email='=HYPERLINK("http://evil.test")', request_id="@req"),
    event(name='Eve "the" Admin, Jr.', user_agent="-cmd|' /C calc'!A0", metadata={"before": "a,b", "after": 'q"q'}),
    event(name="+33 Teammate", email=None, ip=None, user_agent="Line one\nline two\r\nthree"),
    {**event(), "actor": {"type": "api_token", "id": "tok_1", "name": "=SIEM"}},
    {**event(), "actor": {"type": "system"}},
    event(metadata={"before": "\tTab", "after": "日本語 ✓"}),
]


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_raw_rows_export_like_entries(log: ActivityLog, store, ws: Workspace) -> None:
    log.record_many(ws.id, TRICKY)
    where = ActivityFilter()
    from_database = parsed("".join(stream_rows(log.export_rows(ws.id, where), "Europe/Dublin")))
    from_python = parsed("".join(stream(log.iter_entries(ws.id, where), "Europe/Dublin")))
    assert len(from_database) == len(TRICKY)
    for db_row, py_row in zip(from_database, from_python, strict=True):
        assert list(db_row) == list(COLUMNS)
        details_db, details_py = db_row.pop("Details"), py_row.pop("Details")
        assert json.loads(details_db) == json.loads(details_py)  # PostgreSQL's JSONB spaces its text
        assert db_row == py_row


def test_no_cell_can_become_a_formula(log: ActivityLog, ws: Workspace) -> None:
    log.record_many(ws.id, TRICKY)
    rows = parsed("".join(stream_rows(log.export_rows(ws.id, ActivityFilter()))))
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)
    names = {row["Teammate name"] for row in rows}
    assert {"'+33 Teammate", "API token =SIEM", "The system", 'Eve "the" Admin, Jr.'} <= names
    assert any(row["User agent"] == "Line one\nline two\r\nthree" for row in rows)


def test_export_pages_through_everything_in_order(log: ActivityLog, ws: Workspace) -> None:
    written = []
    for _ in range(3):
        written += log.record_many(ws.id, [event() for _ in range(700)]).inserted
    pages = list(log.store.iter_rows(ws.id, ActivityFilter(), batch_size=500))
    assert [len(p) for p in pages] == [500, 500, 500, 500, 100]
    ids = [row["Entry ID"] for row in parsed("".join(stream_rows(pages)))]
    assert sorted(ids) == sorted(written)
    assert len(set(ids)) == 2100
