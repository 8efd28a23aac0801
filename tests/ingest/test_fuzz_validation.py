"""Hypothesis over the validators: any input is accepted or refused with InvalidInput naming a field (never
another exception), a batch with any bad item writes nothing, and any accepted filter can be queried and shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from activitylog.api.events import _filename
from activitylog.api.filters import parse_filter
from activitylog.api.intercom import _filter, _paging
from activitylog.domain.cursor import MAX_US, Cursor
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.prepared import Prepared
from activitylog.errors import BadRequest, InvalidInput
from activitylog.ingest.batch import prepare_batch
from activitylog.ingest.intake import Intake
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Workspace
from activitylog.timeutil import now_us
from tests.support import factories
from tests.support.factories import event
from tests.support.opaque import cursor_tokens
from tests.support.strategies import codes, events, json_values, near_miss_texts

NOW = now_us()
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_named(problem: InvalidInput, batch_size: int | None = None) -> None:
    assert problem.errors, problem
    for error in problem.errors:
        assert error.field, error
        assert error.message, error
        if batch_size is not None:
            assert error.index is not None, error
            assert 0 <= error.index < batch_size, error


@FAST
@given(st.lists(events() | json_values, min_size=1, max_size=6))
def test_any_batch_is_prepared_whole_or_refused_naming_fields(items: list[Any]) -> None:
    try:
        prepared = prepare_batch(items, Intake("ws", 365, NOW))
    except InvalidInput as problem:
        assert_named(problem, len(items))
        return
    assert len(prepared) == len(items)
    for entry in prepared:
        assert isinstance(entry, Prepared)
        json.loads(entry.metadata_json)  # stored metadata is always JSON


@FAST
@given(
    types=st.none() | near_miss_texts | st.lists(near_miss_texts | codes, max_size=4),
    teammates=st.none() | near_miss_texts | st.lists(near_miss_texts, max_size=4),
    since=st.none() | near_miss_texts,
    until=st.none() | near_miss_texts,
    ip=st.none() | near_miss_texts,
    timezone=st.sampled_from(sorted(available_timezones())),
)
def test_any_filter_is_parsed_or_refused_and_an_accepted_one_can_be_shown(
    types: Any, teammates: Any, since: str | None, until: str | None, ip: str | None, timezone: str
) -> None:
    try:
        where = parse_filter(types=types, teammates=teammates, since=since, until=until, ip=ip)
    except InvalidInput as problem:
        assert_named(problem)
        assert {e.field for e in problem.errors} <= {"type", "teammate", "since", "until", "ip"}
        return
    where.describe()
    ActivityFilter.from_dict(where.as_dict())
    _filename("Acme", where, ZoneInfo(timezone), NOW)  # the CSV file name shows the range in the workspace's zone


@FAST
@given(
    after=json_values | near_miss_texts,
    before=json_values | near_miss_texts,
    event_types=json_values,
    page=json_values | near_miss_texts,
    per_page=json_values | near_miss_texts,
    starting_after=st.none() | near_miss_texts,
)
def test_intercom_parameters_are_parsed_or_refused(
    after: Any, before: Any, event_types: Any, page: Any, per_page: Any, starting_after: Any
) -> None:
    try:
        _filter(after, before, event_types)
        _paging(page, per_page, starting_after)
    except InvalidInput as problem:
        assert_named(problem)


@FAST
@given(
    st.text(max_size=80) | st.binary(max_size=60).map(lambda raw: Cursor(1, "x").encode() + raw.hex()) | cursor_tokens
)
def test_any_cursor_decodes_or_is_a_400_naming_it(text: str) -> None:
    try:
        cursor = Cursor.decode(text)
    except BadRequest as problem:
        assert problem.field == "cursor"
        return
    # What a database column, a date and the next cursor can all hold.
    assert 0 <= cursor.occurred_us <= MAX_US < 2**63
    assert Cursor.decode(cursor.encode()) == cursor


# --- Against the stores: nothing partial, and accepted filters query ---------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_log(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActivityLog]:
    if request.param == "sqlite":
        store = open_store(f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'fuzz.db'}")
    else:
        store = open_store(request.getfixturevalue("postgres_url"), migrate=False)
    yield ActivityLog(store)
    store.close()


@pytest.fixture(scope="module")
def module_ws(module_log: ActivityLog) -> Workspace:
    workspace = factories.workspace(module_log.store)
    module_log.store.upsert_teammates([factories.teammate(workspace.id, 1)])
    return workspace


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(events(), min_size=1, max_size=8), st.data())
def test_a_batch_with_any_bad_item_writes_nothing(
    module_log: ActivityLog, module_ws: Workspace, items: list[dict[str, Any]], data: st.DataObject
) -> None:
    bad = data.draw(st.sampled_from([{"type": "no_such_type"}, {"ip": "999.1.1.1"}, 7, {"actor": {}}]))
    at = data.draw(st.integers(0, len(items)))
    batch: list[Any] = [*items[:at], bad if not isinstance(bad, dict) else {**event(), **bad}, *items[at:]]
    before = module_log.count(module_ws, ActivityFilter())
    with pytest.raises(InvalidInput) as raised:
        module_log.record(module_ws, batch)
    assert at in {e.index for e in raised.value.errors}
    assert module_log.count(module_ws, ActivityFilter()) == before


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(events(), min_size=1, max_size=8))
def test_a_batch_is_stored_whole_or_not_at_all(
    module_log: ActivityLog, module_ws: Workspace, items: list[dict[str, Any]]
) -> None:
    before = module_log.count(module_ws, ActivityFilter())
    try:
        result = module_log.record(module_ws, items)
    except InvalidInput as problem:
        assert_named(problem, len(items))
        assert module_log.count(module_ws, ActivityFilter()) == before
        return
    stored = len(result.inserted)
    assert stored + len(result.result.duplicates) == len(items)
    assert module_log.count(module_ws, ActivityFilter()) == before + stored


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    types=st.lists(codes, max_size=3),
    teammates=st.lists(near_miss_texts, max_size=3),
    since=st.none() | near_miss_texts,
    until=st.none() | near_miss_texts,
    ip=st.none() | near_miss_texts,
)
def test_an_accepted_filter_always_queries(
    module_log: ActivityLog, module_ws: Workspace, types: list[str], teammates: list[str], **times: str | None
) -> None:
    try:
        where = ActivityFilter.parse(types=types, teammates=teammates, **times)
    except InvalidInput:
        return
    assume("\x00" not in "".join(teammates))  # PostgreSQL refuses NUL in text; the API refuses it before (below)
    module_log.query(module_ws, where, limit=5)
    module_log.count(module_ws, where)


def test_nul_in_a_filter_is_refused_before_the_database() -> None:
    """PostgreSQL cannot hold NUL in text: a filter value with one is refused by name, never a 500."""
    for kwargs in ({"teammates": ["a\x00b"]}, {"types": ["app_name_change\x00"]}):
        with pytest.raises(InvalidInput) as raised:
            ActivityFilter.parse(**kwargs)  # type: ignore[arg-type]
        assert raised.value.errors[0].field in {"teammates", "types"}


def test_far_times_round_trip_in_every_form() -> None:
    for text in ("253402300799", "-62135596800", "9999-12-31T23:59:59-14:00", "²"):
        with pytest.raises(InvalidInput):
            ActivityFilter.parse(since=text)
    assert ActivityFilter.parse(since=datetime(9999, 1, 1, tzinfo=UTC)).since_us is not None
