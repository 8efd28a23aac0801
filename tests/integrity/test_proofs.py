"""Proofs: a customer checks exported entries with nothing but the server's public key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from activitylog.domain.filters import ActivityFilter
from activitylog.errors import NotFound
from activitylog.integrity.keys import Verifier, load_or_create
from activitylog.integrity.proofs import verify_export
from activitylog.integrity.service import Integrity
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from tests.integrity.test_chain import days_ago, record
from tests.support.factories import event


def exported(log: ActivityLog, ws: Workspace) -> list[dict[str, Any]]:
    """Entries as GET /v1/events serves them (through JSON, as a customer receives them)."""
    return json.loads(json.dumps([e.as_dict() for e in log.iter_entries(ws.id, ActivityFilter())]))


def test_an_export_verifies_against_its_proof(log: ActivityLog, ws: Workspace, integrity: Integrity) -> None:
    record(log, ws, 20)
    log.record_one(ws.id, event("app_name_change", metadata={"before": "A", "after": "B", "n": 1e16, "z": -0.0}))
    with pytest.raises(NotFound, match="no checkpoint"):
        integrity.proof(ws.id)
    integrity.checkpoint(ws.id)
    proof = json.loads(json.dumps(integrity.proof(ws.id)))
    entries = exported(log, ws)
    check = verify_export(entries, [proof], integrity.signer)
    assert check.ok, check.problems
    assert check.proven == 21
    # A filtered export is proven by the same proof: the links of the entries left out are in it.
    assert verify_export(entries[:3], [proof], integrity.signer).ok


def test_a_changed_or_added_entry_in_an_export_is_named(log: ActivityLog, ws: Workspace, integrity: Integrity) -> None:
    record(log, ws, 5)
    integrity.checkpoint(ws.id)
    proof = integrity.proof(ws.id)
    entries = exported(log, ws)
    entries[1]["actor"]["name"] = "Mallory"
    entries[2]["occurred_at"] = days_ago(3)
    entries.append({**entries[0], "id": "forged"})
    check = verify_export(entries, [proof], integrity.signer)
    assert not check.ok
    assert check.problems == [
        f"entry {entries[1]['id']}: its content differs from what was recorded and signed",
        f"entry {entries[2]['id']}: its content differs from what was recorded and signed",
        "entry forged: not covered by the proofs given",
    ]


def test_a_proof_is_only_as_good_as_the_key(
    log: ActivityLog, ws: Workspace, integrity: Integrity, tmp_path: Path
) -> None:
    record(log, ws, 5)
    integrity.checkpoint(ws.id)
    proof = integrity.proof(ws.id)
    entries = exported(log, ws)
    stranger = Verifier(load_or_create(tmp_path / "stranger.key").public)
    problems = verify_export(entries, [proof], stranger).problems
    assert problems
    assert "not by this server's key" in problems[0]
    # A server lying about a link cannot make the chain meet its own signed checkpoint.
    forged = json.loads(json.dumps(proof))
    forged["links"][2]["link"] = "00" * 40
    assert any("do not chain up" in p for p in verify_export(entries, [forged], integrity.signer).problems)


def test_a_proof_of_one_entry_and_after_a_purge(log: ActivityLog, ws: Workspace, integrity: Integrity) -> None:
    record(log, ws, 4, occurred_at=days_ago(200))
    integrity.checkpoint(ws.id)
    ids = record(log, ws, 3)
    record(log, ws, 1, occurred_at=days_ago(150))
    integrity.checkpoint(ws.id)
    log.set_retention(ws.id, 120)
    log.purge_expired(ws.id)
    integrity.checkpoint(ws.id)
    proof = integrity.proof(ws.id)
    assert proof["start"]["position"] == 4
    assert proof["start"]["checkpoint"] is not None
    assert [link["entry_id"] is None for link in proof["links"]] == [False, False, False, True, False]
    assert verify_export(exported(log, ws), [proof], integrity.signer).ok
    one = integrity.proof(ws.id, entry_id=ids[1])
    [entry] = [e for e in exported(log, ws) if e["id"] == ids[1]]
    assert verify_export([entry], [one], integrity.signer).ok
    with pytest.raises(NotFound):
        integrity.proof(ws.id, entry_id="nope")
