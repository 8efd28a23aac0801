"""Bad events are refused with the field and the reason; good ones are normalised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from activitylog.domain.metadata import MASK
from activitylog.domain.prepared import Prepared
from activitylog.errors import InvalidInput
from activitylog.ingest.batch import prepare_batch
from activitylog.ingest.intake import Intake
from activitylog.timeutil import now_us, to_us
from tests.support.factories import event

NOW = now_us()


def problems(*items) -> set[tuple[int | None, str]]:
    with pytest.raises(InvalidInput) as raised:
        prepare_batch(list(items), Intake("ws", 365, NOW))
    return {(e.index, e.field) for e in raised.value.errors}


def prepared(item) -> Prepared:
    return prepare_batch([item], Intake("ws", 365, NOW))[0]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"type": "made_up"}, "type", "unknown activity type"),
        ({"type": 7}, "type", "valid string"),
        ({"ip": "10.0.0.256"}, "ip", "not an IPv4 or IPv6 address"),
        ({"ip": "fe80::1::2"}, "ip", "not an IPv4 or IPv6 address"),
        ({"metadata": {"before": "a", "after": "b", "blob": "x" * 33_000}}, "metadata", "the limit is 32 KiB"),
        (
            {"metadata": {"before": ["a"], "after": "b"}},
            "metadata.before",
            "must be string of at most 200 characters or null",
        ),
        ({"metadata": {"after": "b"}}, "metadata.before", "is required"),
        ({"metadata": {"before": "a", "after": "b" * 201}}, "metadata.after", "at most 200 characters"),
        ({"metadata": "not an object"}, "metadata", "valid dictionary"),
        ({"occurred_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, "occurred_at", "future"),
        ({"occurred_at": (datetime.now(UTC) - timedelta(days=400)).isoformat()}, "occurred_at", "retention"),
        ({"occurred_at": "2026-01-01T10:00:00"}, "occurred_at", "timezone"),
        ({"occurred_at": "yesterday"}, "occurred_at", "datetime"),
        ({"actor": None}, "actor", "valid dictionary"),
        ({"actor": {"type": "teammate"}}, "actor", "needs an id"),
        ({"actor": {"type": "robot", "id": "1"}}, "actor.type", "Input should be"),
        ({"actor": {"type": "teammate", "id": "1", "nickname": "x"}}, "actor.nickname", "not a known field"),
        ({"idempotency_key": ""}, "idempotency_key", "at least 1"),
        ({"idempotency_key": "k" * 201}, "idempotency_key", "at most 200"),
        ({"user_agent": "u" * 1001}, "user_agent", "at most 1000"),
        ({"colour": "red"}, "colour", "not a known field"),
    ],
)
def test_each_bad_field_is_named_with_its_reason(change, field, reason) -> None:
    item = {**event(), **change}
    with pytest.raises(InvalidInput) as raised:
        prepare_batch([item], Intake("ws", 365, NOW))
    errors = raised.value.errors
    assert [e.field for e in errors] == [field], errors
    assert reason.lower() in errors[0].message.lower(), errors[0].message
    assert errors[0].index == 0


def test_missing_actor_and_type() -> None:
    assert problems({"metadata": {}}) == {(0, "type"), (0, "actor")}


def test_not_an_object() -> None:
    assert problems(event(), "string", 5) == {(1, "event"), (2, "event")}


def test_every_bad_item_is_reported_by_index() -> None:
    assert problems(event(), event(ip="nope"), event(), event(type="x", ip="y")) == {
        (1, "ip"),
        (3, "type"),
        (3, "ip"),
    }


def test_ips_are_normalised() -> None:
    assert prepared(event(ip=" 2001:0DB8:0000::0001 ")).entry.ip == "2001:db8::1"
    assert prepared(event(ip="::ffff:192.0.2.1")).entry.ip == "192.0.2.1"
    assert prepared(event(ip="192.0.2.1")).ip_key == prepared(event(ip="::ffff:192.0.2.1")).ip_key


def test_times_become_utc_microseconds() -> None:
    moment = datetime.now(UTC) - timedelta(days=3, microseconds=123)
    paris = moment.astimezone(datetime.now().astimezone().tzinfo)
    assert prepared(event(occurred_at=paris.isoformat())).entry.occurred_us == to_us(moment)
    assert prepared(event()).entry.occurred_us == NOW  # defaults to now


def test_integer_actor_ids_are_kept_as_strings() -> None:
    item = {**event(), "actor": {"id": 42, "name": "Ciaran Lee"}}
    assert prepared(item).entry.actor.id == "42"


def test_nan_is_refused() -> None:
    assert problems(event(metadata={"before": "a", "after": "b", "x": float("nan")})) == {(0, "metadata")}


def test_masking_applies_in_before_and_after() -> None:
    from activitylog.catalog import REGISTRY

    masked = next(t for t in REGISTRY if t.masked)
    key = masked.masked[0]
    metadata = {**masked.example, key: "secret", "before": {key: "old"}, "after": {key: "new"}}
    entry = prepared(event(masked.code, metadata=metadata)).entry
    assert entry.metadata[key] == entry.metadata["before"][key] == entry.metadata["after"][key] == MASK
    # The caller's own metadata, nested objects included, is left as it was.
    assert metadata[key] == "secret"
    assert metadata["before"] == {key: "old"}
    assert metadata["after"] == {key: "new"}


def test_unpaired_surrogates_in_metadata_are_refused_naming_metadata() -> None:
    """JSON's "\\ud800" decodes to a lone surrogate, which no database can store as UTF-8 (it was a 500)."""
    with pytest.raises(InvalidInput) as raised:
        prepare_batch([event(metadata={"before": "a\ud800", "after": "b"})], Intake("ws", 365, NOW))
    [error] = raised.value.errors
    assert (error.field, error.index) == ("metadata", 0)
    assert "surrogate" in error.message


def test_metadata_values_json_cannot_write_are_refused() -> None:
    """A Python caller's set or datetime in metadata is an InvalidInput naming metadata, not a crash."""
    with pytest.raises(InvalidInput) as raised:
        prepare_batch([event(metadata={"before": "a", "after": "b", "when": {1, 2}})], Intake("ws", 365, NOW))
    [error] = raised.value.errors
    assert error.field == "metadata"
    assert "JSON values" in error.message


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["type", "actor", "ip", "occurred_at", "metadata", "idempotency_key", "user_agent", "x"]),
        st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats(), st.lists(st.integers(), max_size=3)),
    )
)
def test_arbitrary_input_is_refused_cleanly_or_accepted(item) -> None:
    """No input makes validation crash: it answers Prepared or InvalidInput naming fields."""
    try:
        prepare_batch([item], Intake("ws", 365, NOW))
    except InvalidInput as problem:
        assert problem.errors
        assert all(e.field and e.message for e in problem.errors)
