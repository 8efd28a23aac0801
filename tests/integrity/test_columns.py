"""Verification covers every stored column (issue 12, item 8): each column of the entries table, read from the
live schema of each backend, is changed alone in one entry behind the service's back, and `verify` must name that
entry. A column added to the schema without a check fails here; so would the IP key, which no hash covers, if
nothing recomputed it from the IP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from psycopg.types.json import Jsonb

from activitylog.domain.channel import Channel
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.ipaddr import IPRange, normalise
from activitylog.integrity.service import Integrity, IntegrityFailure
from activitylog.service import ActivityLog
from activitylog.storage.base import Store
from tests.integrity.conftest import Tamper
from tests.support import factories
from tests.support.factories import event

#: Columns deliberately outside the check, and why. Keep it tiny: whatever a page, filter, export or proof reads
#: must be checked instead.
OUTSIDE = {
    "seq": "SQLite's rowid, where the row sits in the file: pages, filters and exports go by time and id, "
    "verification and proofs by chain position, so nobody sees a changed seq",
}


def live_columns(store: Store, tamper: Tamper) -> list[str]:
    """The entries table's columns as the database has them (not as the code says they are)."""
    if hasattr(store, "path"):
        return [str(row[1]) for row in tamper("PRAGMA table_info(activities)")]
    return [
        str(name)
        for (name,) in tamper(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'activities' ORDER BY ordinal_position"
        )
    ]


def full_event(n: int) -> dict[str, Any]:
    """An event that fills every column (no NULL left to stay NULL), with values of its own."""
    return event(
        actor_id=f"tm{n}",
        name=f"Teammate {n}",
        email=f"tm{n}@acme.test",
        ip=f"203.0.113.{n}",
        key=factories.unique("key"),
        request_id=f"req-{n}",
    )


def changed(column: str, value: Any, other_workspace: str) -> Any:
    """Another value for `column`, of the kind someone with a SQL client would write."""
    if column == "workspace_id":
        return other_workspace  # moved into another workspace, out of its own admins' sight
    if column == "actor_type":  # a CHECK constraint allows three values
        return "system"
    if isinstance(value, int):
        return value + 1_000_000
    if isinstance(value, bytes | memoryview):  # the IP key: 203.0.113.2's becomes 203.0.113.3's
        data = bytes(value)
        return data[:-1] + bytes([data[-1] ^ 1])
    if isinstance(value, dict):  # PostgreSQL's JSONB
        return Jsonb({**value, "to": "Evil Corp"})
    if isinstance(value, str):
        if value.startswith("{"):  # SQLite's JSON text
            return json.dumps({**json.loads(value), "to": "Evil Corp"})
        return value + "~"
    raise AssertionError(f"no way to change column {column!r} holding {value!r}: teach `changed` one")


def test_every_stored_column_is_checked(store: Store, integrity: Integrity, tamper: Tamper) -> None:
    log = ActivityLog(store)
    columns = live_columns(store, tamper)
    assert {"workspace_id", "id", "ip", "ip_key", "chain_seq", "chain_hash"} <= set(columns), columns
    unnamed = []
    for column in columns:
        if column in OUTSIDE:
            continue
        home, other = factories.workspace(store), factories.workspace(store)
        # With a channel, so `via` holds a value to change too (an entry without one: tests/integrity/test_channel.py).
        ids = log.record(home.id, [full_event(n) for n in (1, 2, 3)], channel=Channel.api("tok_columns")).inserted
        log.record(other.id, [full_event(9)], channel=Channel.api("tok_columns"))
        [(value,)] = tamper(f"SELECT {column} FROM activities WHERE workspace_id = ? AND id = ?", (home.id, ids[1]))
        new = changed(column, value, other.id)
        tamper(f"UPDATE activities SET {column} = ? WHERE workspace_id = ? AND id = ?", (new, home.id, ids[1]))
        # As `activitylog verify --all` sees it: an entry moved to another workspace is named there.
        reports = [integrity.verify(home.id), integrity.verify(other.id)]
        named = {f.entry_id for report in reports for f in report.failures}
        if reports[0].ok or not named & {ids[1], new}:  # by its id, or by its new one if the id was changed
            unnamed.append(f"{column} ({value!r} -> {new!r}): {[str(f) for r in reports for f in r.failures]}")
    assert not unnamed, "verify did not name the entry whose column was changed:\n" + "\n".join(unnamed)


@pytest.mark.parametrize(
    ("ip", "new_key"),
    [
        ("203.0.113.7", normalise("198.51.100.1")[1]),  # another address's key: found by the wrong --ip filter
        ("203.0.113.7", None),  # no key: found by no --ip filter
        (None, normalise("198.51.100.1")[1]),  # an entry without an address shows up under one
    ],
    ids=["another address's key", "no key", "a key without an address"],
)
def test_a_changed_ip_key_is_named(
    log: ActivityLog, integrity: Integrity, tamper: Tamper, ip: str | None, new_key: bytes | None
) -> None:
    ws = factories.workspace(log.store)
    ids = log.record(ws.id, [event(ip="203.0.113.7"), event(ip=ip), event()]).inserted
    tamper("UPDATE activities SET ip_key = ? WHERE workspace_id = ? AND id = ?", (new_key, ws.id, ids[1]))
    if new_key is not None:  # what the change does: the entry moves into another address's results
        other = ActivityFilter(ip=IPRange.parse("198.51.100.1"))
        assert [entry.id for entry in log.store.query(ws.id, other, limit=10).entries] == [ids[1]]
    report = integrity.verify(ws.id)
    assert [(f.kind, f.entry_id, f.position) for f in report.failures] == [("changed", ids[1], 2)]
    assert "IP key" in report.failures[0].message
    with pytest.raises(IntegrityFailure, match=ids[1]):  # and the server will not sign it
        integrity.checkpoint(ws.id)
