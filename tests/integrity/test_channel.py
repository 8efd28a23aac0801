"""The channel in the hash chain (issue 17), on both backends: an entry without one hashes exactly as the frozen
form "al1" hashed it (so entries recorded before channels keep their hashes and verify), an entry with one verifies
too, alone and in an exported proof, and a channel changed, added or erased behind the service's back is named."""

from __future__ import annotations

import json
from typing import Any

import pytest

from activitylog.domain.channel import CONSOLE, Channel
from activitylog.domain.filters import ActivityFilter
from activitylog.integrity import canonical
from activitylog.integrity.proofs import verify_export
from activitylog.integrity.service import Integrity
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from activitylog.storage.integrity import STORED_COLUMNS
from activitylog.storage.migrations.frozen import canonical_al1
from tests.integrity.conftest import Tamper
from tests.support.factories import event

API = Channel.api("tok_deploy")


def stored_rows(log: ActivityLog, ws: Workspace) -> list[Any]:
    return log.store.read(
        f"SELECT {STORED_COLUMNS} FROM activities WHERE workspace_id = ? ORDER BY chain_seq", (ws.id,)
    )


def test_an_entry_without_a_channel_keeps_the_hash_al1_gave_it(log: ActivityLog, ws: Workspace) -> None:
    """What an entry of before channels is: NULL in `via`. Its chain hash is al1's, bit for bit."""
    log.record(ws.id, [event(request_id="req-1", key="key-1"), event("admin_logout")])
    rows = stored_rows(log, ws)
    chain = canonical_al1.genesis(ws.id)
    for row in rows:
        assert row[canonical.VIA] is None
        # STORED_FIELDS order to fields_of's (workspace, id, type, actor..., times, ip, user agent, ids).
        fields = canonical_al1.fields_of(
            ws.id, row[9], row[2], row[3], row[4], row[5], row[6], row[10], row[11], row[7], row[8], row[12], row[13]
        )
        content = canonical_al1.content_hash(fields, canonical_al1.metadata_from_text(row[14]))
        chain = canonical_al1.step(chain, canonical_al1.link(row[canonical.OCCURRED], content))
        assert bytes(row[1]) == chain


def test_old_and_new_entries_verify_side_by_side(log: ActivityLog, ws: Workspace, integrity: Integrity) -> None:
    log.record(ws.id, [event(), event()])  # as before channels
    log.record(ws.id, [event()], channel=CONSOLE)
    log.record(ws.id, [event(), event("admin_logout")], channel=API)
    integrity.checkpoint(ws.id)
    log.record(ws.id, [event()])
    log.record(ws.id, [event()], channel=Channel.scim("tok_okta"))
    report = integrity.verify(ws.id)
    assert report.ok, [str(f) for f in report.failures]
    assert report.entries == 7
    assert [row[canonical.VIA] for row in stored_rows(log, ws)] == [
        None, None, "console", "api:tok_deploy", "api:tok_deploy", None, "scim:tok_okta",
    ]  # fmt: skip


def test_the_recording_hash_is_the_plain_definition(log: ActivityLog, ws: Workspace) -> None:
    """`chain.link_rows` writes the canonical text out from cached pieces; with a channel it must still be
    `content_text` with the channel as its 16th element."""
    log.record(ws.id, [event(), event(request_id="r")], channel=API)
    chain = canonical.genesis(ws.id)
    for row in stored_rows(log, ws):
        fields = (ws.id, *row[2:14])
        text = canonical.content_text(fields, canonical.metadata_from_text(row[14]), row[canonical.VIA])
        assert text.endswith(',"api:tok_deploy"]')
        chain = canonical.step(
            chain, canonical.link(row[canonical.OCCURRED], canonical._sha256(text.encode()).digest())
        )
        assert bytes(row[1]) == chain


@pytest.mark.parametrize(
    ("recorded", "forged"),
    [
        (API, "console"),  # an API-made entry passed off as the console's
        (API, None),  # the channel erased
        (None, "console"),  # a channel claimed for an entry of before channels
        (CONSOLE, "api:tok_other"),
    ],
    ids=["api to console", "erased", "added to an old entry", "console to another token"],
)
def test_a_changed_channel_is_named(
    log: ActivityLog, ws: Workspace, integrity: Integrity, tamper: Tamper, recorded: Channel | None, forged: str | None
) -> None:
    ids = [log.record_one(ws.id, event(), channel=recorded) for _ in range(3)]
    tamper("UPDATE activities SET via = ? WHERE workspace_id = ? AND id = ?", (forged, ws.id, ids[1]))
    report = integrity.verify(ws.id)
    assert [(f.kind, f.entry_id) for f in report.failures] == [("changed", ids[1])]


def test_an_export_with_channels_verifies_offline(log: ActivityLog, ws: Workspace, integrity: Integrity) -> None:
    log.record(ws.id, [event()])
    log.record(ws.id, [event()], channel=API)
    log.record(ws.id, [event()], channel=CONSOLE)
    integrity.checkpoint(ws.id)
    proof = json.loads(json.dumps(integrity.proof(ws.id)))
    entries = json.loads(json.dumps([e.as_dict() for e in log.iter_entries(ws.id, ActivityFilter())]))
    assert [e["via"] for e in entries] == [
        {"kind": "console", "token": None},
        {"kind": "api", "token": {"id": "tok_deploy", "name": None, "revoked": None}},
        None,
    ]
    check = verify_export(entries, [proof], integrity.signer)
    assert check.ok, check.problems
    entries[0]["via"] = {"kind": "api", "token": {"id": "tok_deploy"}}  # the console's entry claimed for a token
    check = verify_export(entries, [proof], integrity.signer)
    assert check.problems == [f"entry {entries[0]['id']}: its content differs from what was recorded and signed"]
