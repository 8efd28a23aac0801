"""Tamper evidence on every backend: the chain verifies, and each kind of change made behind the service's back
is found and named."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from activitylog.domain.filters import ActivityFilter
from activitylog.integrity import canonical
from activitylog.integrity.keys import Signer
from activitylog.integrity.service import Integrity, IntegrityFailure
from activitylog.integrity.verify import Report
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Store, Workspace
from activitylog.storage.integrity import STORED_COLUMNS, IntegrityRepository
from tests.integrity.conftest import Tamper
from tests.support.factories import event


def days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def record(log: ActivityLog, ws: Workspace, count: int, **extra: object) -> list[str]:
    return log.record(ws.id, [event(**extra) for _ in range(count)]).inserted  # type: ignore[arg-type]


def position_of(store: Store, ws: Workspace, entry_id: str) -> int:
    [(position,)] = store.read("SELECT chain_seq FROM activities WHERE workspace_id = ? AND id = ?", (ws.id, entry_id))
    return int(position)


def kinds(report: Report) -> list[tuple[str, str | None]]:
    return [(f.kind, f.entry_id) for f in report.failures]


def test_an_untouched_chain_verifies_and_is_signed(log: ActivityLog, ws: Workspace, integrity: Integrity) -> None:
    ids = [*record(log, ws, 30), log.record_one(ws.id, event("admin_logout"))]
    report = integrity.verify(ws.id)
    assert report.ok, report.failures
    assert (report.entries, report.head, report.checkpoints) == (31, 31, 0)
    signed = integrity.checkpoint(ws.id)
    assert signed is not None
    assert (signed.position, signed.last_entry_id) == (31, ids[-1])
    assert integrity.checkpoint(ws.id) is None  # nothing new
    record(log, ws, 5)
    assert integrity.verify(ws.id).checkpoints == 1
    assert integrity.checkpoint(ws.id).position == 36  # type: ignore[union-attr]
    assert integrity.verify(ws.id).ok


def test_positions_have_no_gap_when_items_are_duplicates(log: ActivityLog, ws: Workspace, integrity: Integrity) -> None:
    first = log.record(ws.id, [event(key="k1"), event(key="k2")])
    again = log.record(ws.id, [event(key="k1"), event(key="k3"), event(key="k3"), event()])
    assert len(again.inserted) == 2
    assert len(again.result.duplicates) == 2
    positions = [position_of(log.store, ws, i) for i in first.inserted + again.inserted]
    assert positions == [1, 2, 3, 4]
    assert integrity.verify(ws.id).ok


def test_a_retention_change_and_every_recording_path_are_chained(
    log: ActivityLog, ws: Workspace, integrity: Integrity
) -> None:
    record(log, ws, 3)
    log.set_retention(ws.id, 90)
    with log.store.transaction(ws.id) as unit:
        log.record(ws, [event("admin_logout")], via=unit)
    report = integrity.verify(ws.id)
    assert report.ok
    assert report.head == 5


def test_a_hand_edited_row_is_named(log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper) -> None:
    ids = record(log, ws, 10)
    integrity.checkpoint(ws.id)
    tamper("UPDATE activities SET actor_name = 'Mallory' WHERE workspace_id = ? AND id = ?", (ws.id, ids[4]))
    report = integrity.verify(ws.id)
    assert kinds(report) == [("changed", ids[4])]
    assert report.failures[0].position == 5
    # The server will not sign a chain whose entries since its last checkpoint no longer verify.
    newer = record(log, ws, 2)
    tamper("UPDATE activities SET ip = '198.51.100.9' WHERE workspace_id = ? AND id = ?", (ws.id, newer[0]))
    with pytest.raises(IntegrityFailure, match=newer[0]):
        integrity.checkpoint(ws.id)


@pytest.mark.parametrize(
    "change",
    [
        'metadata = \'{"before": "Acme", "after": "Evil"}\'',
        "occurred_us = occurred_us - 1",
        "recorded_us = recorded_us + 1",
        "ip = '198.51.100.1'",
        "user_agent = 'curl/8'",
        "idempotency_key = 'other'",
        "request_id = 'req-x'",
        "type = 'admin_logout'",
        "actor_type = 'system'",
        "actor_id = 'tm9'",
        "actor_email = NULL",
        "id = 'another-id'",
    ],
)
def test_every_stored_field_is_covered(
    log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper, change: str
) -> None:
    ids = record(log, ws, 3)
    tamper(f"UPDATE activities SET {change} WHERE workspace_id = ? AND id = ?", (ws.id, ids[1]))
    report = integrity.verify(ws.id)
    assert [(f.kind, f.position) for f in report.failures] == [("changed", 2)]


def test_an_entry_moved_to_another_workspace_is_missing(
    log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper
) -> None:
    ids = record(log, ws, 3)
    tamper("UPDATE activities SET workspace_id = ? WHERE workspace_id = ? AND id = ?", (ws.id + "x", ws.id, ids[1]))
    assert [(f.kind, f.position) for f in integrity.verify(ws.id).failures] == [("missing", 3)]


def test_a_deleted_row_is_found(log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper) -> None:
    ids = record(log, ws, 10)
    tamper("DELETE FROM activities WHERE workspace_id = ? AND id = ?", (ws.id, ids[3]))
    report = integrity.verify(ws.id)
    assert [(f.kind, f.position) for f in report.failures] == [("missing", 5)]
    assert "position 4" in report.failures[0].message
    assert ids[2] in report.failures[0].message


def test_deleting_the_newest_rows_is_found(
    log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper
) -> None:
    ids = record(log, ws, 10)
    tamper("DELETE FROM activities WHERE workspace_id = ? AND id = ?", (ws.id, ids[-1]))
    assert [(f.kind, f.position) for f in integrity.verify(ws.id).failures] == [("missing", 10)]


def test_an_inserted_row_is_found(log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper) -> None:
    ids = record(log, ws, 5)
    # A row added with a SQL client: no place in the chain.
    tamper(
        "INSERT INTO activities (workspace_id, id, type, actor_type, occurred_us, recorded_us, metadata) "
        "VALUES (?, 'forged-1', 'admin_logout', 'system', ?, ?, '{}')",
        (ws.id, log.clock(), log.clock()),
    )
    assert kinds(integrity.verify(ws.id)) == [("unchained", "forged-1")]
    # One that copies a genuine row's place in the chain.
    [(seq, chain_hash)] = tamper(
        "SELECT chain_seq, chain_hash FROM activities WHERE workspace_id = ? AND id = ?", (ws.id, ids[2])
    )
    if hasattr(log.store, "path"):
        tamper("DROP INDEX activities_by_chain")  # SQLite's own unique index would refuse it first
    tamper(
        "INSERT INTO activities (workspace_id, id, type, actor_type, occurred_us, recorded_us, metadata, chain_seq, "
        "chain_hash) VALUES (?, 'forged-2', 'admin_logout', 'system', ?, ?, '{}', ?, ?)",
        (ws.id, log.clock(), log.clock(), seq, chain_hash),
    )
    assert kinds(integrity.verify(ws.id)) == [("inserted", "forged-2"), ("unchained", "forged-1")]


def test_reordered_rows_are_found(log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper) -> None:
    ids = record(log, ws, 10)
    if hasattr(log.store, "path"):
        tamper("DROP INDEX activities_by_chain")
    swap = "UPDATE activities SET chain_seq = ? WHERE workspace_id = ? AND id = ?"
    tamper(swap, (7, ws.id, ids[2]))
    tamper(swap, (3, ws.id, ids[6]))
    report = integrity.verify(ws.id)
    named = {f.entry_id for f in report.failures}
    assert {ids[2], ids[6]} <= named
    assert {f.kind for f in report.failures} == {"changed"}


def test_a_recomputed_chain_still_fails_at_the_signed_checkpoint(
    log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper
) -> None:
    """An attacker who edits a row and recomputes every stored hash after it (no secret is needed for that)
    cannot match the signed checkpoint."""
    ids = record(log, ws, 8)
    integrity.checkpoint(ws.id)
    tamper("UPDATE activities SET actor_name = 'Mallory' WHERE workspace_id = ? AND id = ?", (ws.id, ids[3]))
    rows = log.store.read(
        f"SELECT {STORED_COLUMNS} FROM activities WHERE workspace_id = ? ORDER BY chain_seq", (ws.id,)
    )
    chain_hash = canonical.genesis(ws.id)
    for row in rows:
        chain_hash = canonical.step(chain_hash, canonical.stored_link(ws.id, row))
        tamper(
            "UPDATE activities SET chain_hash = ? WHERE workspace_id = ? AND id = ?",
            (chain_hash, ws.id, row[canonical.ID]),
        )
    tamper("UPDATE integrity_heads SET chain_hash = ? WHERE workspace_id = ?", (chain_hash, ws.id))
    report = integrity.verify(ws.id)
    assert [(f.kind, f.position) for f in report.failures] == [("checkpoint", 8)]


def test_a_bad_signature_is_found(
    log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper, tmp_path
) -> None:
    record(log, ws, 4)
    integrity.checkpoint(ws.id)
    tamper("UPDATE integrity_checkpoints SET created_us = created_us + 1 WHERE workspace_id = ?", (ws.id,))
    report = integrity.verify(ws.id)
    assert [f.kind for f in report.failures] == ["signature"]
    assert "does not match" in report.failures[0].message
    # A checkpoint signed with another key (say, an attacker's) is not trusted either.
    from activitylog.integrity.keys import load_or_create

    other = Integrity(IntegrityRepository(log.store), load_or_create(tmp_path / "other.key"))
    record(log, ws, 1)
    other.checkpoint(ws.id)
    failures = integrity.verify(ws.id).failures
    assert [f.kind for f in failures] == ["signature", "signature"]
    assert "not by this server's key" in failures[1].message


def test_purge_keeps_the_rest_verifiable(log: ActivityLog, ws: Workspace, integrity: Integrity, store: Store) -> None:
    old = record(log, ws, 6, occurred_at=days_ago(200))
    integrity.checkpoint(ws.id)  # at 6
    middle = record(log, ws, 3, occurred_at=days_ago(100))
    integrity.checkpoint(ws.id)  # at 9
    kept = record(log, ws, 3)
    late = record(log, ws, 2, occurred_at=days_ago(150))  # recorded late with an old time: after the anchor
    integrity.checkpoint(ws.id)  # at 14
    log.set_retention(ws.id, 120)  # its entry is 15
    [result] = log.purge_expired(ws.id)
    assert result.removed == 8  # the 6 old ones and the 2 late ones
    report = integrity.verify(ws.id)
    assert report.ok, report.failures
    # From the checkpoint before the first entry kept; the late ones left tombstones.
    assert (report.anchor, report.tombstones, report.entries) == (6, 2, 7)
    assert store.count(ws.id, ActivityFilter()) == len(middle + kept) + 1
    assert not set(old + late) & {e.id for e in log.iter_entries(ws.id, ActivityFilter())}
    log.set_retention(ws.id, 30)  # 16
    log.purge_expired(ws.id)
    report = integrity.verify(ws.id)
    assert report.ok, report.failures
    assert (report.anchor, report.tombstones, report.entries) == (9, 2, 5)
    assert integrity.checkpoint(ws.id) is not None
    assert integrity.verify(ws.id).ok


def test_a_deleted_entry_disguised_as_purged_is_found(
    log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper
) -> None:
    ids = record(log, ws, 5)
    [row] = log.store.read(
        f"SELECT {STORED_COLUMNS} FROM activities WHERE workspace_id = ? AND id = ?", (ws.id, ids[2])
    )
    tamper("DELETE FROM activities WHERE workspace_id = ? AND id = ?", (ws.id, ids[2]))
    tamper(
        "INSERT INTO integrity_tombstones (workspace_id, position, link) VALUES (?, ?, ?)",
        (ws.id, 3, canonical.stored_link(ws.id, row)),
    )
    assert [(f.kind, f.position) for f in integrity.verify(ws.id).failures] == [("tombstone", 3)]


def test_a_forged_anchor_is_found(log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper) -> None:
    ids = record(log, ws, 6)
    [(chain_hash,)] = tamper("SELECT chain_hash FROM activities WHERE workspace_id = ? AND id = ?", (ws.id, ids[2]))
    tamper("DELETE FROM activities WHERE workspace_id = ? AND chain_seq <= 3", (ws.id,))
    tamper(
        "INSERT INTO integrity_anchors (workspace_id, position, chain_hash, cutoff_us, created_us) "
        "VALUES (?, 3, ?, 0, 0)",
        (ws.id, chain_hash),
    )
    assert [f.kind for f in integrity.verify(ws.id).failures] == ["anchor"]


def test_tricky_metadata_hashes_the_same_after_the_round_trip(
    log: ActivityLog, ws: Workspace, integrity: Integrity
) -> None:
    """PostgreSQL's JSONB reorders keys and rewrites numbers; the canonical form agrees with it."""
    metadata = {
        "before": "Acme",
        "after": 'Acme\u00e9 "quoted"\n\t\u2028',
        "zz": 1e16,
        "z": -0.0,
        "small": 1e-7,
        "float": 1.5,
        "whole": 2.0,
        "big": 2**70,
        "huge": 1.2345678901234568e17,
        "nested": {"b": [1, None, True, {"y": 1e300, "x": -1e-300}], "aa": "\u0001"},
    }
    entry_id = log.record_one(ws.id, event("app_name_change", metadata=metadata))
    assert integrity.verify(ws.id).ok
    entry = log.get_entry(ws.id, entry_id).as_dict()
    [row] = log.store.read(
        f"SELECT {STORED_COLUMNS} FROM activities WHERE workspace_id = ? AND id = ?", (ws.id, entry_id)
    )
    assert canonical.entry_link(ws.id, entry) == canonical.stored_link(ws.id, row)


def test_concurrent_writers_keep_one_gapless_chain(store: Store, ws: Workspace, integrity: Integrity) -> None:
    """Several writers of one workspace (threads here; on PostgreSQL each store is its own pool, as separate
    processes would be) queue at the chain head: every position once, in commit order."""
    stores = [store] + ([open_store(store.url, migrate=False) for _ in range(2)] if not hasattr(store, "path") else [])
    problems: list[BaseException] = []

    def write(target: Store, seed: int) -> None:
        log = ActivityLog(target)
        try:
            for n in range(8):
                keys = [f"w{seed}-{n}-{i}" for i in range(5)]
                log.record(ws.id, [event(key=key) for key in keys] + [event(key=keys[0])])
        except BaseException as problem:
            problems.append(problem)

    threads = [threading.Thread(target=write, args=(stores[i % len(stores)], i)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for extra in stores[1:]:
        extra.close()
    assert not problems
    report = integrity.verify(ws.id)
    assert report.ok, report.failures[:3]
    assert report.entries == report.head == 6 * 8 * 5
    assert integrity.checkpoint(ws.id) is not None


def test_the_key_file_is_private_and_kept(tmp_path) -> None:
    from activitylog.integrity.keys import load_or_create

    path = tmp_path / "var" / "signing.key"
    first = load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create(path).key_id == first.key_id
    assert isinstance(first, Signer)
    assert first.valid(first.sign(b"x"), b"x")
    assert not first.valid(b"0" * 64, b"x")


def test_rows_sharing_a_position_across_pages_are_all_seen(
    log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper, monkeypatch: pytest.MonkeyPatch
) -> None:
    import activitylog.integrity.verify as verify_module

    monkeypatch.setattr(verify_module, "PAGE", 3)
    ids = record(log, ws, 7)
    if hasattr(log.store, "path"):
        tamper("DROP INDEX activities_by_chain")
    for n in (1, 2):  # two copies of position 3, the last of the first page
        tamper(
            "INSERT INTO activities (workspace_id, id, type, actor_type, occurred_us, recorded_us, metadata, "
            "chain_seq, chain_hash) SELECT workspace_id, ?, type, actor_type, occurred_us, recorded_us, metadata, "
            "chain_seq, chain_hash FROM activities WHERE workspace_id = ? AND id = ?",
            (f"copy-{n}", ws.id, ids[2]),
        )
    report = integrity.verify(ws.id)
    assert sorted(f.entry_id or "" for f in report.failures if f.kind == "inserted") == ["copy-1", "copy-2"]
    assert report.entries == 9
