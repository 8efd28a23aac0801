"""The one filter model: parsing user input with clear errors, cursors, IP ranges."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pytest
from starlette.datastructures import QueryParams

from activitylog.api.filters import API
from activitylog.domain.cursor import Cursor
from activitylog.domain.filters import LIBRARY, ActivityFilter, FieldNames
from activitylog.domain.ipaddr import IPRange, normalise
from activitylog.errors import BadRequest, InvalidInput
from activitylog.web.activity_filters import PageFilter


def test_values_accept_repeats_and_commas() -> None:
    parsed = ActivityFilter.parse(types=["app_name_change,role_creation", "app_name_change"], teammates="a, b")
    assert parsed.types == ("app_name_change", "role_creation")
    assert parsed.teammates == ("a", "b")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"types": ["nope"]}, "types"),
        ({"since": "last tuesday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"since": "2026-01-01T00:00:00"}, "since"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
        ({"ip": "300.0.0.0/8"}, "ip"),
        ({"ip": "10.0.0.0/40"}, "ip"),
        ({"teammates": [str(i) for i in range(201)]}, "teammates"),
    ],
)
def test_bad_filters_name_the_field(kwargs, field) -> None:
    with pytest.raises(InvalidInput) as raised:
        ActivityFilter.parse(**kwargs)
    assert raised.value.errors[0].field == field


def test_times_in_every_accepted_form() -> None:
    a = ActivityFilter.parse(since="2026-01-01").since_us
    b = ActivityFilter.parse(since="2026-01-01T00:00:00Z").since_us
    c = ActivityFilter.parse(since="2026-01-01T01:00:00+01:00").since_us
    d = ActivityFilter.parse(since="1767225600").since_us
    assert a == b == c == d == 1_767_225_600_000_000


def test_clamp_never_reaches_before_retention() -> None:
    assert ActivityFilter().clamp(100).since_us == 100
    assert ActivityFilter(since_us=50).clamp(100).since_us == 100
    assert ActivityFilter(since_us=150).clamp(100).since_us == 150


def test_describe() -> None:
    assert ActivityFilter().describe() == "all activity"
    text = ActivityFilter.parse(types=["app_name_change"], ip="203.0.113.0/24").describe()
    assert text == "activity: Workspace name change; IP 203.0.113.0/24"


def test_cursor_round_trip_and_refusal() -> None:
    cursor = Cursor(1_767_225_600_123_456, "01JABCDEF")
    assert Cursor.decode(cursor.encode()) == cursor
    for bad in ["", "!!!", "MTIz", "YWJjOmRlZg"]:  # "", junk, "123", "abc:def"
        with pytest.raises(BadRequest):
            Cursor.decode(bad)


def test_ip_ranges_cover_both_families() -> None:
    v4 = IPRange.parse("203.0.113.0/24")
    assert v4.low <= normalise("203.0.113.77")[1] <= v4.high
    assert not v4.low <= normalise("203.0.114.1")[1] <= v4.high
    v6 = IPRange.parse("2001:db8::/32")
    assert v6.low <= normalise("2001:db8:ffff::1")[1] <= v6.high
    assert not v6.low <= normalise("203.0.113.77")[1] <= v6.high
    assert IPRange.parse("203.0.113.7").text == "203.0.113.7"


@pytest.mark.parametrize(
    ("library", "page"),
    [
        ({"types": ["nope"]}, "type=nope"),
        ({"types": [f"x{n}" for n in range(201)]}, "&".join(f"type=x{n}" for n in range(201))),
        ({"teammates": [f"t{n}" for n in range(201)]}, "&".join(f"teammate=t{n}" for n in range(201))),
        ({"teammates": ["a\tb"]}, "teammate=a%09b"),
        ({"teammates": ["x" * 201]}, "teammate=" + "x" * 201),
        ({"ip": "300.1.1.1"}, "ip=300.1.1.1"),
    ],
)
def test_one_mistake_has_one_message_on_every_surface(library: dict[str, Any], page: str) -> None:
    """The page's parser and the one for instants (API, Intercom, CLI) share their checks: only names differ."""
    messages = set()
    for names in (LIBRARY, API):
        with pytest.raises(InvalidInput) as raised:
            ActivityFilter.parse(**library, names=names)
        messages.add(tuple(e.message for e in raised.value.errors))
    with pytest.raises(InvalidInput) as raised:
        PageFilter.parse(QueryParams(parse_qsl(page, keep_blank_values=True)))
    messages.add(tuple(e.message for e in raised.value.errors))
    assert len(messages) == 1, messages


def test_each_surface_names_the_fields_as_its_clients_do() -> None:
    intercom = FieldNames(types="event_types", since="created_at_after", until="created_at_before")
    with pytest.raises(InvalidInput) as raised:
        ActivityFilter.parse(types=["nope"], since="2026-01-02", until="2026-01-01", names=intercom)
    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("event_types", "unknown activity type 'nope'"),
        ("created_at_before", "must be later than created_at_after"),
    ]
    with pytest.raises(InvalidInput) as raised:
        ActivityFilter.parse(teammates=["a\x00b"], ip="x", names=API)
    assert [e.field for e in raised.value.errors] == ["teammate", "ip"]
