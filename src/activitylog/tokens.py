"""API tokens: issue, list, revoke and authenticate; issuing and revoking are themselves logged.

Invariants:
- a token's secret (`al_` + 256 random bits) is shown once, when issued; only its SHA-256 is stored, so a
  leaked database does not leak usable tokens (the secret's entropy makes a slow password hash unnecessary);
- a token belongs to one workspace and carries scopes out of {read, write}; it reaches nothing else;
- issuing and revoking record `api_token_creation` / `api_token_revocation` entries in the token's workspace,
  in the same transaction as the change, with the actor the caller names (the CLI is the system; a teammate
  when the console does it).
The rules live here; the SQL of `api_tokens` in `storage.tokens`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from activitylog import ids
from activitylog.domain import channel as channels
from activitylog.domain.channel import Channel, TokenName, TokenNames
from activitylog.domain.entry import SYSTEM, Actor, Entry
from activitylog.errors import InvalidInput, NotFound
from activitylog.service import ActivityLog
from activitylog.storage import tokens as stored
from activitylog.storage.base import ApiToken, Workspace

SCOPES = ("read", "write")
PREFIX = "al_"
DEMO_TOKEN_NAME = "Demo token"  # noqa: S105 - a display name, not a secret


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just issued: the stored record and the secret, which exists nowhere else."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(scopes: str | Iterable[str]) -> tuple[str, ...]:
    """`"read,write"` or `["read"]` as a tuple in canonical order; InvalidInput naming `scopes` otherwise."""
    given = [s.strip() for s in (scopes.split(",") if isinstance(scopes, str) else scopes) if s.strip()]
    unknown = sorted(set(given) - set(SCOPES))
    if unknown:
        raise InvalidInput.single("scopes", f"unknown scope {unknown[0]!r}: use read, write or both")
    if not given:
        raise InvalidInput.single("scopes", "at least one scope is required: read, write or both")
    return tuple(s for s in SCOPES if s in given)


def _actor_event(actor: Actor) -> dict[str, Any]:
    return {"type": actor.type, "id": actor.id, "name": actor.name, "email": actor.email}


def _event(type_: str, actor: Actor, metadata: dict[str, Any], ip: str | None, user_agent: str | None,
           request_id: str | None) -> dict[str, Any]:  # fmt: skip
    event: dict[str, Any] = {"type": type_, "actor": _actor_event(actor), "metadata": metadata}
    for name, value in (("ip", ip), ("user_agent", user_agent), ("request_id", request_id)):
        if value is not None:
            event[name] = value
    return event


def create_token(
    log: ActivityLog,
    workspace_id: str,
    *,
    name: str,
    scopes: str | Iterable[str],
    actor: Actor = SYSTEM,
    channel: Channel = channels.SYSTEM,
    ip: str | None = None,
    user_agent: str | None = None,
    request_id: str | None = None,
) -> IssuedToken:
    """Issue a token for the workspace with its `api_token_creation` entry, in one transaction."""
    workspace = log.workspace(workspace_id)
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput.single("name", "must be 1 to 200 characters")
    chosen = parse_scopes(scopes)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(workspace.id, ids.prefixed_id("tok"), name, hash_secret(secret), chosen, log.clock())
    metadata = {"token": {"id": token.id, "name": token.name}, "scopes": list(chosen)}
    event = _event("api_token_creation", actor, metadata, ip, user_agent, request_id)
    with log.transaction(workspace) as tx:
        stored.insert_token(tx, token)
        log.record(workspace, [event], via=tx, channel=channel)
    return IssuedToken(token, secret)


def list_tokens(log: ActivityLog, workspace_id: str | Workspace) -> list[ApiToken]:
    return stored.list_tokens(log.reader, log.workspace(workspace_id).id)


def token_names(log: ActivityLog, workspace_id: str | Workspace) -> dict[str, TokenName]:
    """The workspace's tokens by id, as entries' channels name them (current name, revoked or not)."""
    return stored.token_names(log.reader, log.workspace(workspace_id).id)


def token_names_for(log: ActivityLog, workspace_id: str | Workspace, entries: Iterable[Entry]) -> TokenNames:
    """`token_names` when any of `entries` came through a token, else nothing: most pages of a console-heavy
    log then cost no read of the tokens at all."""
    if any(entry.via is not None and ":" in entry.via for entry in entries):
        return token_names(log, workspace_id)
    return {}


def revoke_token(
    log: ActivityLog,
    workspace_id: str,
    token_id: str,
    *,
    actor: Actor = SYSTEM,
    channel: Channel = channels.SYSTEM,
    ip: str | None = None,
    user_agent: str | None = None,
    request_id: str | None = None,
) -> ApiToken:
    """Revoke an active token of the workspace with its `api_token_revocation` entry, in one transaction;
    NotFound when the workspace has no such active token."""
    workspace = log.workspace(workspace_id)
    found = next((t for t in stored.list_tokens(log.reader, workspace.id) if t.id == token_id and t.active), None)
    if found is None:
        raise NotFound(f"no active token {token_id!r} in this workspace", field="token")
    metadata = {"token": {"id": found.id, "name": found.name}}
    event = _event("api_token_revocation", actor, metadata, ip, user_agent, request_id)
    with log.transaction(workspace) as tx:
        if not stored.revoke_token(tx, workspace.id, token_id, log.clock()):
            raise NotFound(f"no active token {token_id!r} in this workspace", field="token")
        log.record(workspace, [event], via=tx, channel=channel)
    return found


def authenticate(log: ActivityLog, secret: str) -> ApiToken | None:
    """The active token whose secret this is, or None (unknown, malformed or revoked)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = stored.find_token(log.reader, hash_secret(secret))
    if token is None or not token.active:
        return None
    # The lookup was by hash; compare again in constant time so the answer does not hinge on a DB collation.
    return token if secrets.compare_digest(token.secret_hash, hash_secret(secret)) else None


def ensure_demo_token(log: ActivityLog, workspace_id: str | None = None) -> str:
    """A fresh read-and-write token for the demo workspace (the given one, else the first), as its secret.

    Secrets are never stored, so an earlier demo token cannot be shown again: each call issues a new one and
    revokes the demo tokens before it (each revocation logged), so `make run` after `make run` leaves one active
    "Demo token", the one just printed, instead of a pile of them nobody can see the secrets of.
    """
    if workspace_id is None:
        workspaces = log.workspaces()
        if not workspaces:
            raise NotFound("the database has no workspace yet: create the demo workspace first", field="workspace")
        workspace_id = workspaces[0].id
    earlier = [t for t in list_tokens(log, workspace_id) if t.active and t.name == DEMO_TOKEN_NAME]
    # The demo's own doing, by the system: its entries come through the system channel.
    issued = create_token(log, workspace_id, name=DEMO_TOKEN_NAME, scopes=SCOPES, channel=channels.SYSTEM).secret
    for token in earlier:
        revoke_token(log, workspace_id, token.id, channel=channels.SYSTEM)
    return issued
