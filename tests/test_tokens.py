"""API tokens on every backend: shown once, stored as a hash, scoped to one workspace, logged when issued/revoked."""

from __future__ import annotations

import pytest

from activitylog import tokens
from activitylog.domain.entry import Actor
from activitylog.domain.filters import ActivityFilter
from activitylog.errors import InvalidInput, NotFound
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from tests.support import factories


def test_issue_authenticate_and_list_without_secrets(log: ActivityLog, ws: Workspace) -> None:
    issued = tokens.create_token(log, ws.id, name="SIEM export", scopes="write,read")
    assert issued.secret.startswith("al_")
    assert len(issued.secret) > 40
    assert issued.token.scopes == ("read", "write")
    found = tokens.authenticate(log, issued.secret)
    assert found is not None
    assert found.id == issued.token.id
    assert found.workspace_id == ws.id
    [listed] = tokens.list_tokens(log, ws.id)
    assert listed.secret_hash == tokens.hash_secret(issued.secret) != issued.secret
    assert issued.secret not in repr(listed)
    assert tokens.authenticate(log, issued.secret + "x") is None
    assert tokens.authenticate(log, "not-a-token") is None


def test_issuing_and_revoking_are_logged(log: ActivityLog, ws: Workspace) -> None:
    admin = Actor("teammate", "tm1", "Beth-Ann Sher", "beth@acme.test")
    issued = tokens.create_token(log, ws.id, name="CI", scopes=["read"], actor=admin, ip="203.0.113.7")
    tokens.revoke_token(log, ws.id, issued.token.id)
    revoked, created = list(log.iter_entries(ws.id, ActivityFilter()))
    assert created.type == "api_token_creation"
    assert created.sentence() == "Beth-Ann Sher created the API token CI with read access."
    assert created.metadata == {"token": {"id": issued.token.id, "name": "CI"}, "scopes": ["read"]}
    assert created.ip == "203.0.113.7"
    assert revoked.type == "api_token_revocation"
    assert revoked.actor.type == "system"
    assert revoked.sentence() == "The system revoked the API token CI."
    assert tokens.authenticate(log, issued.secret) is None


def test_revoking_an_unknown_or_revoked_or_foreign_token_is_not_found(log: ActivityLog, ws: Workspace) -> None:
    other = factories.workspace(log.store, name="Other")
    theirs = tokens.create_token(log, other.id, name="theirs", scopes="read")
    with pytest.raises(NotFound):
        tokens.revoke_token(log, ws.id, theirs.token.id)
    assert tokens.authenticate(log, theirs.secret) is not None
    mine = tokens.create_token(log, ws.id, name="mine", scopes="read")
    tokens.revoke_token(log, ws.id, mine.token.id)
    with pytest.raises(NotFound):
        tokens.revoke_token(log, ws.id, mine.token.id)
    with pytest.raises(NotFound):
        tokens.revoke_token(log, ws.id, "tok_nope")


@pytest.mark.parametrize(("scopes", "message"), [("admin", "unknown scope"), ("", "at least one"), (",", "at least")])
def test_scopes_are_read_and_write_only(log: ActivityLog, ws: Workspace, scopes: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        tokens.create_token(log, ws.id, name="x", scopes=scopes)
    assert raised.value.field == "scopes"
    assert message in raised.value.message
    assert tokens.list_tokens(log, ws.id) == []


def test_a_demo_token_reads_and_writes_and_replaces_the_one_before(log: ActivityLog, ws: Workspace) -> None:
    """Issue 17 #10: each `make run` printed a new demo token and left the old ones active, unseen."""
    first = tokens.ensure_demo_token(log, ws.id)
    second = tokens.ensure_demo_token(log, ws.id)
    third = tokens.ensure_demo_token(log, ws.id)
    assert len({first, second, third}) == 3
    found = tokens.authenticate(log, third)
    assert found is not None
    assert found.scopes == ("read", "write")
    assert found.workspace_id == ws.id
    assert tokens.authenticate(log, first) is None
    assert tokens.authenticate(log, second) is None
    demo = [t for t in tokens.list_tokens(log, ws.id) if t.name == tokens.DEMO_TOKEN_NAME]
    assert [t.id for t in demo if t.active] == [found.id]
    revoked = log.query(ws.id, ActivityFilter(types=("api_token_revocation",)), limit=10).entries
    assert len(revoked) == 2
