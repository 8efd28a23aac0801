"""A stored row's positions are named once: what a store selects, what the CSV export and the pages read."""

from __future__ import annotations

from activitylog.domain import stored
from activitylog.domain.entry import Actor, Entry
from activitylog.storage.sql import ENTRY_COLUMNS


def test_the_store_selects_the_columns_in_the_named_order() -> None:
    assert [c.strip() for c in ENTRY_COLUMNS.split(",")] == list(stored.READ_FIELDS)
    named = {name: getattr(stored, name.upper()) for name in stored.READ_FIELDS}
    assert list(named.values()) == list(range(len(stored.READ_FIELDS)))


def test_an_entry_and_its_row_are_the_same_entry() -> None:
    entry = Entry(
        "e1", "ws", "admin_logout", Actor("teammate", "tm1", "Ann", "ann@acme.test"), 10, 11, "1.2.3.4", "UA",
        {"a": 1}, "req", "key",
    )  # fmt: skip
    row = stored.row_of(entry, '{"a":1}')
    assert row[stored.ID] == "e1"
    assert row[stored.ACTOR_EMAIL] == "ann@acme.test"
    again = stored.entry_of("ws", row)
    assert again.as_dict() == entry.as_dict()
