"""CSV cells are safe in a spreadsheet whatever its separator, times carry the workspace's offset, rows stream.

LibreOffice itself opening an export: tests/spreadsheet/test_libreoffice.py.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activitylog.domain.entry import Actor, Entry
from activitylog.export.csv import COLUMNS, cell, safe, stream
from tests.support.formulas import formula_starts


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


GUARDED = [
    # A formula character where the value starts, after any spaces and double quotes: a quote in front.
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1", "'+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    (" =1+1", "' =1+1"),
    ('"=1+1"', '\'"=1+1"'),
    ("\u00a0=1+1", "'\u00a0=1+1"),
    # A tab or line break first: a quote in front (OWASP), and one before any formula character it leads to.
    ("\tTab", "'\tTab"),
    ("\t=1", "'\t'=1"),
    ("\r=1", "'\r'=1"),
    ("\n=1", "'\n'=1"),
    # A formula character after a separator or line break, then any spaces and double quotes: a spreadsheet
    # splitting there would start a cell with it, so a quote goes right before it.
    ("Sam;=1+2", "Sam;'=1+2"),
    ("Mozilla/5.0;=2+3", "Mozilla/5.0;'=2+3"),
    ("a,=1+1", "a,'=1+1"),
    ("a; -1", "a; '-1"),
    ('x;"=4+4";y', 'x;"\'=4+4";y'),
    ("a\tb\t@SUM(1)", "a\tb\t'@SUM(1)"),
    ("line\r\n+1", "line\r\n'+1"),
    ("=1;=2,=3", "'=1;'=2,'=3"),
    ('{"ids":[1,-2]}', '{"ids":[1,\'-2]}'),  # the one way guarded JSON stops being JSON
]
UNCHANGED = [
    "Acme",
    "Beth-Ann Sher",
    "x+y@acme.test",
    "2001:db8::7",
    "203.0.113.7",
    "2026-01-01T00:00:00-05:00",
    "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    "a, b; c",
    "'=1+1",  # a single quote first is text already
    "1+1=2",
    '{"before":"Acme","after":"-Acme","n":-3}',  # JSON's own commas are followed by a double quote and a key
    '["a","b"]',
]


@pytest.mark.parametrize(("value", "guarded"), GUARDED)
def test_a_formula_anywhere_a_cell_can_begin_gets_a_quote(value: str, guarded: str) -> None:
    assert safe(value) == guarded
    assert cell(value) == '"' + guarded.replace('"', '""') + '"'  # a guarded cell is always quoted
    assert formula_starts(cell(value)) == []


@pytest.mark.parametrize("value", UNCHANGED)
def test_plain_values_are_left_alone(value: str) -> None:
    assert safe(value) == value
    assert parse(cell(value)) == [[value]]


def test_nothing_is_empty() -> None:
    assert safe(None) == safe("") == cell(None) == cell("") == ""


# Text rich in what matters here (formula characters, separators, spaces, quotes, line breaks), and any other.
hazardous_text = st.text(
    st.sampled_from(list("=+-@,;\t\r\n \u00a0\"'a1.")) | st.characters(blacklist_categories=["Cs"]),
    max_size=40,
)


@given(hazardous_text)
@settings(max_examples=500, deadline=None)
def test_any_value_guarded_reads_back_as_itself_with_quotes_added(value: str) -> None:
    guarded = safe(value)
    assert guarded.replace("'", "") == value.replace("'", "")  # the guard only ever adds single quotes
    assert parse(f"x,{cell(value)},y\r\n") == [["x", guarded, "y"]]
    assert formula_starts(cell(value)) == []
    if not any(mark in value for mark in "=+-@") and not value.startswith(("\t", "\r", "\n")):
        assert guarded == value


@given(st.lists(hazardous_text, min_size=6, max_size=6))
@settings(max_examples=300, deadline=None)
def test_no_cell_of_an_export_can_begin_a_formula_whatever_the_separator(values: list[str]) -> None:
    name, email, ip, agent, before, request_id = values
    hostile = entry(
        actor=Actor("teammate", "1", name, email),
        ip=ip,
        user_agent=agent,
        metadata_raw={"before": before, "after": [before, -1]},
        request_id=request_id,
    )
    text = "".join(stream([hostile], "America/New_York"))
    assert formula_starts(text) == []
    header, row = parse(text)
    assert header == list(COLUMNS)
    cells = dict(zip(header, row, strict=True))
    for column, value in [
        ("Teammate email", email),
        ("IP address", ip),
        ("User agent", agent),
        ("Request ID", request_id),
    ]:
        assert cells[column] == safe(value), column


def test_event_values_cannot_become_formulas() -> None:
    evil = entry(
        actor=Actor("teammate", "1", '=HYPERLINK("http://evil")', "@evil.test"),
        metadata_raw={"before": "=1+1", "after": "x;=2+2"},
        user_agent="Mozilla/5.0;=2+3",
        request_id=" =1+1",
    )
    text = "".join(stream([evil]))
    header, row = parse(text)
    assert header == list(COLUMNS)
    cells = dict(zip(header, row, strict=True))
    assert cells["Teammate name"] == '\'=HYPERLINK("http://evil")'
    assert cells["Teammate email"] == "'@evil.test"
    assert cells["Activity"] == "'=HYPERLINK(\"http://evil\") changed the workspace name from =1+1 to x;'=2+2."
    assert cells["Details"] == '{"before":"=1+1","after":"x;\'=2+2"}'
    assert cells["User agent"] == "Mozilla/5.0;'=2+3"
    assert cells["Request ID"] == "' =1+1"
    assert cells["Date and time"] == "2026-01-01T00:00:00+00:00"
    assert formula_starts(text) == []


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
