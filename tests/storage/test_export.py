"""The CSV export on every backend: raw-row export equals the export of entries, and stays safe."""

from __future__ import annotations

import csv
import io
import json

from activitylog.domain.filters import ActivityFilter
from activitylog.export.csv import COLUMNS, stream, stream_rows
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from tests.support.factories import ago, event
from tests.support.formulas import formula_starts

TRICKY = [
    event(ip="2001:db8::7", email='=HYPERLINK("http://evil.test")', request_id="@req"),
    event(name='Eve "the" Admin, Jr.', user_agent="-cmd|' /C calc'!A0", metadata={"before": "a,b", "after": 'q"q'}),
    event(name="+33 Teammate", email=None, ip=None, user_agent="Line one\nline two\r\nthree"),
    {**event(), "actor": {"type": "api_token", "id": "tok_1", "name": "=SIEM"}},
    {**event(), "actor": {"type": "system"}},
    event(metadata={"before": "\tTab", "after": "日本語 ✓"}),
    event(name="Sam;=1+2", user_agent="Mozilla/5.0;=2+3", metadata={"before": " =1+1", "after": "a,=1+1"}),
]


def parsed(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_raw_rows_export_like_entries(log: ActivityLog, store, ws: Workspace) -> None:
    log.record(ws.id, TRICKY)
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
    log.record(ws.id, TRICKY)
    text = "".join(stream_rows(log.export_rows(ws.id, ActivityFilter())))
    assert formula_starts(text) == []
    rows = parsed(text)
    names = {row["Teammate name"] for row in rows}
    assert {"'+33 Teammate", "API token =SIEM", "The system", 'Eve "the" Admin, Jr.', "Sam;'=1+2"} <= names
    assert any(row["User agent"] == "Mozilla/5.0;'=2+3" for row in rows)
    assert any(row["User agent"] == "Line one\nline two\r\nthree" for row in rows)


def test_export_pages_through_everything_in_order(log: ActivityLog, ws: Workspace) -> None:
    written = []
    for _ in range(3):
        written += log.record(ws.id, [event() for _ in range(700)]).inserted
    pages = list(log.store.iter_rows(ws.id, ActivityFilter(), batch_size=500))
    assert [len(p) for p in pages] == [500, 500, 500, 500, 100]
    ids = [row["Entry ID"] for row in parsed("".join(stream_rows(pages)))]
    assert sorted(ids) == sorted(written)
    assert len(set(ids)) == 2100


def test_parallel_export_writes_exactly_what_the_sequential_one_does(log: ActivityLog, ws: Workspace) -> None:
    from activitylog.export.runner import export_csv

    for start in range(0, 2500, 1000):
        log.record(ws.id, [event(occurred_at=ago(seconds=i)) for i in range(start, min(start + 1000, 2500))])
    log.record(ws.id, TRICKY)
    where = ActivityFilter()
    sequential = "".join(export_csv(log, ws, where, parallel_from=10**9))
    seen: list[int] = []
    parallel = "".join(export_csv(log, ws, where, parallel_from=100, progress=seen.append))
    assert parallel == sequential
    assert len(parsed(parallel)) == 2500 + len(TRICKY)
    assert seen[-1] == 2500 + len(TRICKY)
    filtered = ActivityFilter.parse(types=["app_name_change"], since=ago(seconds=1200))
    assert "".join(export_csv(log, ws, filtered, parallel_from=100)) == "".join(
        export_csv(log, ws, filtered, parallel_from=10**9)
    )


def test_an_export_starts_with_the_byte_order_mark_and_a_stream_does_not(log: ActivityLog, ws: Workspace) -> None:
    from activitylog.export.runner import export_csv

    log.record(ws.id, [event(name="Tomás")])
    exported = "".join(export_csv(log, ws, ActivityFilter()))
    assert exported.startswith("\ufeff" + ",".join(COLUMNS) + "\r\n")
    assert exported.count("\ufeff") == 1
    assert parsed(exported.removeprefix("\ufeff"))[0]["Teammate name"] == "Tomás"
    assert "".join(stream(log.iter_entries(ws.id, ActivityFilter()))).startswith("Activity,")


def test_the_download_entry_names_the_filters_in_words(log: ActivityLog, ws: Workspace) -> None:
    from activitylog.export.logged import filters_in_words

    log.record(ws.id, [event(actor_id="tm_sam", name="Samuel Adeyemi")])
    assert filters_in_words(log, ws, ActivityFilter()) == "all time"
    where = ActivityFilter.parse(teammates=["tm_sam"], since="2026-01-01T00:00:00Z")
    assert filters_in_words(log, ws, where) == "teammate Samuel Adeyemi, since 1 Jan 2026"
    where = ActivityFilter.parse(
        types=["admin_login_failure"], teammates=["tm_sam", "tm_gone"], ip="203.0.113.0/24",
        since="2026-03-02T09:30:00Z", until="2026-04-01T00:00:00Z",
    )  # fmt: skip
    assert filters_in_words(log, ws, where) == (
        "teammate Samuel Adeyemi or tm_gone, action Teammate login failure, from IP 203.0.113.0/24, "
        "since 2 Mar 2026 09:30, before 1 Apr 2026"
    )


def test_a_reader_that_stops_early_leaves_no_worker_behind(log: ActivityLog, ws: Workspace, monkeypatch) -> None:
    import subprocess

    from activitylog.export.runner import export_csv

    log.record(ws.id, [event(occurred_at=ago(seconds=i)) for i in range(1000)])
    started: list[subprocess.Popen[str]] = []
    real_popen = subprocess.Popen

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        process = real_popen(*args, **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(subprocess, "Popen", spy)
    chunks = export_csv(log, ws, ActivityFilter(), parallel_from=100)
    next(chunks)
    chunks.close()
    assert len(started) == 1
    assert started[0].poll() is not None  # stopped, not left running


def test_a_failed_worker_is_replaced_by_this_process(log: ActivityLog, ws: Workspace, monkeypatch) -> None:
    import sys

    from activitylog.export.runner import export_csv

    log.record(ws.id, [event(occurred_at=ago(seconds=i)) for i in range(1000)])
    expected = "".join(export_csv(log, ws, ActivityFilter(), parallel_from=10**9))
    monkeypatch.setattr(sys, "executable", "/bin/false")  # the worker exits 1 at once
    assert "".join(export_csv(log, ws, ActivityFilter(), parallel_from=100)) == expected
