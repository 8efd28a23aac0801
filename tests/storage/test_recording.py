"""Recording on every backend: all or nothing, idempotent, append-only, actors kept as they were."""

from __future__ import annotations

import pytest

from activitylog.domain.filters import ActivityFilter
from activitylog.errors import InvalidInput
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Workspace
from activitylog.storage.sqlite.store import SQLiteStore
from tests.support import factories
from tests.support.factories import event, teammate


def all_entries(log: ActivityLog, ws: Workspace):
    return list(log.iter_entries(ws.id, ActivityFilter()))


def test_record_one_and_read_it_back(log: ActivityLog, ws: Workspace) -> None:
    entry_id = log.record_one(ws.id, event(ip="2001:DB8:0:0::1", request_id="req-1"))
    entry = log.get_entry(ws.id, entry_id)
    assert entry.type == "app_name_change"
    assert entry.actor.name == "Beth-Ann Sher"
    assert entry.ip == "2001:db8::1"  # normalised
    assert entry.request_id == "req-1"
    assert entry.metadata == {"before": "Acme", "after": "Acme Inc."}
    assert entry.sentence() == "Beth-Ann Sher changed the workspace name from Acme to Acme Inc."
    assert entry.recorded_us >= entry.occurred_us


def test_batch_with_one_bad_item_writes_nothing_and_names_every_problem(log: ActivityLog, ws: Workspace) -> None:
    batch = [
        event(),
        event(type="no_such_type"),
        event(ip="999.1.1.1"),
        event(metadata={"before": 42, "after": "x"}),
        {"type": "app_name_change", "metadata": {}},
    ]
    with pytest.raises(InvalidInput) as raised:
        log.record(ws.id, batch)
    found = {(e.index, e.field) for e in raised.value.errors}
    assert found == {(1, "type"), (2, "ip"), (3, "metadata.before"), (4, "actor")}
    assert all_entries(log, ws) == []


def test_idempotency_key_is_used_once_per_workspace(log: ActivityLog, store, ws: Workspace) -> None:
    first = log.record(ws.id, [event(key="k1"), event(key="k2")])
    again = log.record(ws.id, [event(key="k2"), event(key="k3"), event(key="k3")])
    assert len(first.inserted) == 2
    assert len(again.inserted) == 1
    assert [(d.index, d.idempotency_key) for d in again.result.duplicates] == [(0, "k2"), (2, "k3")]
    assert again.result.duplicates[0].entry_id == first.inserted[1]  # answers as the first call did
    assert again.result.duplicates[1].entry_id == again.inserted[0]
    assert len(all_entries(log, ws)) == 3
    # The same key in another workspace is another entry.
    other = store.create_workspace(Workspace("ws_other_" + ws.id, "Other"))
    assert len(log.record(other.id, [event(key="k1")]).inserted) == 1


def test_keys_repeated_across_the_batches_of_one_transaction_are_stored_once(sqlite_url: str) -> None:
    """SQLite's group commit (storage/writer.py) puts several requests' batches in one transaction: a key used
    earlier, in an earlier batch of the same transaction, or twice in one batch is stored once, and the chain
    has no gap where a duplicate was skipped."""
    store = open_store(sqlite_url)
    assert isinstance(store, SQLiteStore)
    try:
        log = ActivityLog(store)
        ws = factories.workspace(store)
        store.record(ws.id, log.prepare(ws, [event(key="z")]))
        batches = [
            (ws.id, log.prepare(ws, [event(key="a"), event(key="b")])),
            (ws.id, log.prepare(ws, [event(key="b"), event(key="c"), event(key="c")])),
            (ws.id, log.prepare(ws, [event(key="z"), event()])),
        ]
        first, second, third = store.record_batches(batches)
        assert [len(r.inserted) for r in (first, second, third)] == [2, 1, 1]
        assert [(d.index, d.entry_id) for d in second.duplicates] == [(0, first.inserted[1]), (2, second.inserted[0])]
        assert [d.index for d in third.duplicates] == [0]
        positions = store.read("SELECT chain_seq FROM activities WHERE workspace_id = ? ORDER BY chain_seq", (ws.id,))
        assert [row[0] for row in positions] == list(range(1, 6))
    finally:
        store.close()


def test_a_used_key_in_a_console_transaction_is_a_duplicate(log: ActivityLog, store, ws: Workspace) -> None:
    """A transaction that holds other writes cannot be retried whole: its used keys are looked up first."""
    stored = log.record_one(ws.id, event(key="k"))
    with store.transaction(ws.id) as tx:
        result = log.record(ws, [event(key="k"), event(key="new")], via=tx).result
    assert [d.entry_id for d in result.duplicates] == [stored]
    assert len(result.inserted) == 1
    assert len(all_entries(log, ws)) == 2


def test_a_transaction_refuses_another_workspaces_entries_and_writes_nothing(
    log: ActivityLog, store, ws: Workspace
) -> None:
    """A unit of work is one tenant's: handing it another workspace's rows is a bug, caught before any write."""
    other = factories.workspace(store)
    with pytest.raises(ValueError, match="its own workspace"), store.transaction(ws.id) as tx:
        tx.record(other.id, log.prepare(other, [event()]))
    assert all_entries(log, other) == []
    assert all_entries(log, ws) == []


def test_single_record_retry_answers_the_first_id(log: ActivityLog, ws: Workspace) -> None:
    assert log.record_one(ws.id, event(key="retry")) == log.record_one(ws.id, event(key="retry"))


def test_teammate_actor_name_comes_from_the_directory_when_missing(log: ActivityLog, store, ws: Workspace) -> None:
    store.upsert_teammates([teammate(ws.id, 7)])
    entry_id = log.record_one(ws.id, event(actor_id="tm7", name=None, email=None))
    entry = log.get_entry(ws.id, entry_id)
    assert (entry.actor.name, entry.actor.email) == ("Teammate 7", "tm7@acme.test")
    with pytest.raises(InvalidInput) as raised:
        log.record_one(ws.id, event(actor_id="nobody", name=None))
    assert raised.value.errors[0].field == "actor.name"


def test_deleted_teammate_keeps_their_name_on_old_entries(log: ActivityLog, store, ws: Workspace) -> None:
    store.upsert_teammates([teammate(ws.id, 3)])
    entry_id = log.record_one(ws.id, event(actor_id="tm3", name="Teammate 3"))
    store.upsert_teammates([teammate(ws.id, 3, status="deleted")])
    assert log.get_entry(ws.id, entry_id).actor.name == "Teammate 3"
    listed = {t.id: t for t in log.teammates(ws.id)}
    assert listed["tm3"].deleted


def test_events_introduce_unknown_teammates_to_the_teammate_list(log: ActivityLog, ws: Workspace) -> None:
    log.record_one(ws.id, event(actor_id="tm9", name="Nia Okafor", email="nia@acme.test"))
    assert [(t.id, t.name) for t in log.teammates(ws.id)] == [("tm9", "Nia Okafor")]


def test_api_token_and_system_actors(log: ActivityLog, ws: Workspace) -> None:
    token_entry = log.record_one(ws.id, {**event(), "actor": {"type": "api_token", "id": "tok_1", "name": "CI"}})
    system_entry = log.record_one(ws.id, {**event(), "actor": {"type": "system"}})
    assert log.get_entry(ws.id, token_entry).sentence().startswith("API token CI changed")
    assert log.get_entry(ws.id, system_entry).sentence().startswith("The system changed")


def test_secrets_are_masked_before_they_are_stored(log: ActivityLog, ws: Workspace) -> None:
    from activitylog.catalog import REGISTRY

    masked_type = next((t for t in REGISTRY if t.masked), None)
    if masked_type is None:
        pytest.skip("no catalog type masks a value")
    metadata = dict(masked_type.example)
    for key in masked_type.masked:
        metadata[key] = "s3cr3t-value"
    entry = log.get_entry(ws.id, log.record_one(ws.id, event(type=masked_type.code, metadata=metadata)))
    assert "s3cr3t-value" not in str(entry.metadata)


def test_idempotency_keys_with_copy_special_characters(log: ActivityLog, ws: Workspace) -> None:
    keys = ["tab\there", "line\nbreak", "back\\slash", "cr\rhere", "\\N"]
    first = log.record(ws.id, [event(key=k) for k in keys]).inserted
    again = log.record(ws.id, [event(key=k) for k in keys])
    assert again.inserted == []
    assert [d.entry_id for d in again.result.duplicates] == first
    assert sorted(e.idempotency_key for e in all_entries(log, ws)) == sorted(keys)
