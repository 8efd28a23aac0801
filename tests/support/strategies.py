"""Hypothesis strategies for input a client controls: JSON values of every kind, texts that nearly look like
what a field wants, and events of any type with some fields replaced by anything."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from hypothesis import strategies as st

from activitylog.catalog import REGISTRY
from tests.support.factories import event

FIELDS = ["type", "actor", "occurred_at", "ip", "user_agent", "metadata", "request_id", "idempotency_key"]

# JSON values of every kind, nested a little: what a client can put anywhere in a body.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
# Texts that look almost like what a field wants: times, addresses, codes, digits of every script.
near_miss_texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "²",
            "٣",
            "1" * 30,
            "-" + "9" * 13,
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00+14:00",
            "2026-02-30",
            "2026-01-01T00:00:00",
            "::ffff:10.0.0.1",
            "fe80::1%eth0",
            "10.0.0.0/33",
            "0.0.0.0/0",
            "::/0",
            "app_name_change,",
            "\x00",
            "𝟙𝟚𝟛",
        ]
    ),
    st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat()),
    st.integers().map(str),
)
codes = st.sampled_from(REGISTRY.codes())


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event of any type, then zero or more of its fields replaced by something arbitrary."""
    item = event(draw(codes), occurred_at=None, key=draw(st.none() | st.text(min_size=1, max_size=20)))
    for name in draw(st.lists(st.sampled_from([*FIELDS, "extra"]), max_size=3, unique=True)):
        item[name] = draw(json_values | near_miss_texts)
    if draw(st.booleans()):
        metadata = item.get("metadata")
        if isinstance(metadata, dict):
            metadata[draw(st.text(max_size=8))] = draw(json_values)
    return item
