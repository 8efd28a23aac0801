"""The fast path is a shortcut, never a second opinion: whatever it prepares, the general path (EventIn, then
`validation.prepare`) prepares identically; whatever it declines, the general path decides. And it does take
the common events, or it would be a shortcut nobody uses."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activitylog.catalog import REGISTRY
from activitylog.domain.prepared import Prepared
from activitylog.errors import InvalidInput
from activitylog.ingest.batch import prepare_batch
from activitylog.ingest.fast import prepare_plain
from activitylog.ingest.intake import Intake
from activitylog.ingest.validation import parse_event, prepare
from activitylog.storage.base import Teammate
from activitylog.timeutil import now_us
from tests.support.factories import event
from tests.support.strategies import events as fuzzed_events
from tests.support.strategies import json_values, near_miss_texts

NOW = now_us()
RETENTION = 365


def ids() -> Callable[[int], str]:
    counter = itertools.count()
    return lambda occurred_us: f"id-{occurred_us}-{next(counter)}"


def fast(item: Any) -> Prepared | None:
    [result] = prepare_plain([item], Intake("ws", RETENTION, NOW, ids()))
    return result


def general(item: Any) -> Prepared | list[Any]:
    parsed = parse_event(item, 0)
    if isinstance(parsed, list):
        return parsed
    return prepare(parsed, Intake("ws", RETENTION, NOW, ids()), 0)


def assert_same_as_general(item: Any) -> None:
    quick = fast(item)
    if quick is None:
        return  # declined: the general path decides, whatever it decides
    slow = general(item)
    assert isinstance(slow, Prepared), (item, slow)
    assert quick.row == slow.row
    assert quick.metadata == slow.metadata
    assert [type(value) for value in quick.row] == [type(value) for value in slow.row]


# Texts at the edges of what EventIn changes or refuses: whitespace it strips (and characters it does not),
# unpaired surrogates, NUL, lengths at the limits.
edge_texts = st.sampled_from(
    [
        "tm1",
        " tm1",
        "tm1 ",
        "\u00a0tm1",
        "tm1\x1c",
        "tm1\u200b",
        "\ud800",
        "tm\x00",
        "",
        "x" * 100,
        "x" * 101,
        "x" * 200,
        "x" * 201,
        "x" * 320,
        "x" * 321,
        "Mateo García",
        "名前",
    ]
)
times = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2027, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=14))]),
    ),
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1)),  # naive
    st.datetimes(min_value=datetime(2025, 6, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)).map(
        lambda moment: moment.isoformat()
    ),
    st.sampled_from(
        [
            "2026-11-25T10:00:00Z",
            "2026-11-25T10:00:00.5Z",
            "2026-11-25T10:00:00.123456+05:30",
            "2026-11-25T10:00:00-00:00",
            "2026-11-25T10:00:00+24:00",
            "2026-11-25T10:00:60Z",
            "2026-11-25T24:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-11-25t10:00:00z",
            "2026-11-25 10:00:00Z",
            "2026-11-25T10:00:00",
            "２０２６-11-25T10:00:00Z",
            "2026-11-25T10:00Z",
        ]
    ),
    st.integers(min_value=1_700_000_000, max_value=1_800_000_000),
)


@st.composite
def near_valid_events(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event, then its actor, time and text fields set to edge values."""
    code = draw(st.sampled_from(REGISTRY.codes()))
    item = event(code, key=draw(st.none() | edge_texts))
    actor = item["actor"]
    actor["type"] = draw(st.sampled_from(["teammate", "api_token", "system", "robot", None]))
    for name in draw(st.lists(st.sampled_from(["id", "name", "email", "type"]), max_size=4, unique=True)):
        if draw(st.booleans()):
            actor[name] = draw(edge_texts | st.none() | st.integers())
        else:
            del actor[name]
    item["occurred_at"] = draw(times)
    for name in draw(st.lists(st.sampled_from(["ip", "user_agent", "request_id"]), max_size=3, unique=True)):
        item[name] = draw(edge_texts | near_miss_texts | st.none())
    if draw(st.booleans()):
        item["metadata"] = draw(st.dictionaries(st.text(max_size=6) | st.integers(), json_values, max_size=3))
    return item


FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(near_valid_events())
def test_what_the_fast_path_prepares_the_general_path_prepares_identically(item: dict[str, Any]) -> None:
    assert_same_as_general(item)


@FUZZ
@given(fuzzed_events() | json_values)
def test_the_fast_path_agrees_on_arbitrary_input(item: Any) -> None:
    assert_same_as_general(item)


@pytest.mark.parametrize("code", REGISTRY.codes())
def test_the_fast_path_takes_a_plain_event_of_every_type(code: str) -> None:
    moment = datetime.fromtimestamp(NOW / 1e6, UTC).isoformat().replace("+00:00", "Z")  # a text, as JSON sends it
    item = event(code, occurred_at=moment, key=f"key-{code}", request_id="req-1")
    assert fast(item) is not None
    assert_same_as_general(item)


@pytest.mark.parametrize(
    "actor",
    [
        {"type": "api_token", "id": "tok_1", "name": "Zapier"},
        {"type": "api_token", "id": "tok_1"},
        {"type": "system"},
        {"type": "system", "name": "Retention"},
        {"id": "tm1", "name": "Beth-Ann Sher", "email": "beth@acme.test"},  # type defaults to teammate
    ],
)
def test_the_fast_path_takes_token_system_and_default_actors(actor: dict[str, Any]) -> None:
    item = event("app_name_change", ip="2001:db8::1")
    item["actor"] = actor
    assert fast(item) is not None
    assert_same_as_general(item)


@pytest.mark.parametrize(
    "change",
    [
        {"actor": {"type": "teammate", "id": "tm1"}},  # name and email to look up
        {"actor": {"type": "teammate", "id": " tm1", "name": "B", "email": "b@x.test"}},  # whitespace to strip
        {"actor": {"type": "teammate", "id": 7, "name": "B", "email": "b@x.test"}},  # a number to coerce
        {"occurred_at": 1_764_000_000},
        {"metadata": {1: "x"}},
        {"extra": "field"},
    ],
)
def test_the_fast_path_leaves_what_pydantic_would_change_to_the_general_path(change: dict[str, Any]) -> None:
    item = event("app_name_change") | change
    assert fast(item) is None


def test_a_batch_mixing_both_paths_keeps_every_item_in_its_place() -> None:
    items = [
        event("app_name_change", key="a"),
        event("admin_login_success", name=None, email=None, key="b"),  # looked up: the general path
        event("admin_logout", key="c") | {"occurred_at": datetime.fromtimestamp(NOW / 1e6, UTC)},
    ]
    looked_up: list[list[str]] = []

    def directory(wanted: Any) -> dict[str, Teammate]:
        looked_up.append(list(wanted))
        return {i: Teammate("ws", i, "Beth-Ann Sher", "beth@acme.test") for i in wanted}

    prepared = prepare_batch(items, Intake("ws", RETENTION, NOW), directory=directory)
    assert looked_up == [[items[1]["actor"]["id"]]]
    assert [p.idempotency_key for p in prepared] == ["a", "b", "c"]
    assert prepared[1].actor.name == "Beth-Ann Sher"


def test_errors_of_a_mixed_batch_keep_their_indexes() -> None:
    items = [event("app_name_change"), event("app_name_change", ip="nope"), event("made_up")]
    with pytest.raises(InvalidInput) as raised:
        prepare_batch(items, Intake("ws", RETENTION, NOW))
    assert {(e.index, e.field) for e in raised.value.errors} == {(1, "ip"), (2, "type")}
