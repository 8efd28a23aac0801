"""CSV cells are safe in a spreadsheet, times carry the workspace's offset, and rows stream."""

from __future__ import annotations

import csv
import io

from activitylog.domain.entry import Actor, Entry
from activitylog.export.csv import COLUMNS, safe, stream


def entry(**changes) -> Entry:
    base = {
        "id": "01JTEST",
        "workspace_id": "ws",
        "type": "app_name_change",
        "actor": Actor("teammate", "1", "Beth-Ann Sher", "beth@acme.test"),
        "occurred_us": 1_767_225_600_000_000,  # 2026-01-01T00:00:00Z
        "recorded_us": 1_767_225_600_000_000,
        "ip": "203.0.113.7",
        "metadata_raw": {"before": "Acme", "after": "Acme Inc."},
    }
    return Entry(**{**base, **changes})


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_formula_like_cells_are_quoted() -> None:
    for dangerous in ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]:
        assert safe(dangerous) == "'" + dangerous
    assert safe("Acme") == "Acme"
    assert safe(None) == ""


def test_event_values_cannot_become_formulas() -> None:
    evil = entry(
        actor=Actor("teammate", "1", '=HYPERLINK("http://evil")', "@evil.test"),
        metadata_raw={"before": "=1+1", "after": "x"},
        user_agent="-cmd",
    )
    header, row = parse("".join(stream([evil])))
    assert header == list(COLUMNS)
    cells = dict(zip(header, row, strict=True))
    assert cells["Teammate name"].startswith("'=")
    assert cells["Teammate email"] == "'@evil.test"
    assert cells["Activity"].startswith("'=")
    assert cells["User agent"] == "'-cmd"
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@"))


def test_times_have_the_workspace_offset() -> None:
    _, row = parse("".join(stream([entry()], "America/New_York")))
    assert row[1] == "2025-12-31T19:00:00-05:00"
    _, row = parse("".join(stream([entry()])))
    assert row[1] == "2026-01-01T00:00:00+00:00"


def test_streams_in_chunks() -> None:
    chunks = list(stream((entry(id=f"id{i}") for i in range(1200)), chunk_rows=500))
    assert len(chunks) == 4  # header, then 500, 500, 200
    assert len(parse("".join(chunks))) == 1201


def test_local_times_are_exact_across_daylight_saving_transitions() -> None:
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from activitylog.export.csv import LocalTime

    for zone in ("Europe/Dublin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"):
        clock = LocalTime(zone)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for minutes in range(0, 366 * 24 * 60, 37):
            moment = start + timedelta(minutes=minutes, seconds=minutes % 60)
            expected = moment.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")
            assert clock.iso(int(moment.timestamp()) * 1_000_000) == expected


def test_no_rows_gives_the_header_alone() -> None:
    assert "".join(stream([])) == ",".join(COLUMNS) + "\r\n"
