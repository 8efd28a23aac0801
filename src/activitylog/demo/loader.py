"""Create the demo workspace in a store, recording through the same validating path as every recorder.

Invariants:
- the workspace id is always "ws_acme", so scripts can rely on it; creating it twice is a Conflict;
- entries go in oldest first, in batches of `BATCH` through `ActivityLog.record`, with ids from a
  generator seeded by the demo's seed, so the same seed and size give the same ids;
- the events are generated before anything is written, so a bad size writes nothing. A failure while
  recording (the disk is full) leaves a partial demo: start again on a fresh database;
- the workspace's security settings and sign-in methods are those the story's last change of each left, so
  Settings > Security shows what the log says.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from time import perf_counter
from typing import Any

from activitylog.accounts.team import INVITE_DAYS
from activitylog.catalog.security import REQUIRE_TWO_FACTOR, SESSION_TIMEOUT
from activitylog.demo.access import seed_roles
from activitylog.demo.generator import DEFAULT_EVENTS, TIMEZONE, generate
from activitylog.demo.people import ADMIN, CAST, Machine, role_id, teammates
from activitylog.demo.scene import Draft
from activitylog.domain.accounts import SIGN_IN_METHODS, Invite, Security
from activitylog.domain.channel import CONSOLE, SYSTEM, Channel
from activitylog.domain.filters import ActivityFilter
from activitylog.errors import Conflict
from activitylog.ids import entry_id, prefixed_id
from activitylog.service import ActivityLog
from activitylog.storage import accounts
from activitylog.storage import tokens as stored_tokens
from activitylog.storage.base import DEFAULT_RETENTION_DAYS, ApiToken, Store, Teammate, Workspace
from activitylog.timeutil import DAY_US, iso

WORKSPACE_ID = "ws_acme"
WORKSPACE_NAME = "Acme"
DEFAULT_SEED = 7
BATCH = 1000


@dataclass(frozen=True, slots=True)
class DemoResult:
    workspace: Workspace
    teammates: list[Teammate]
    entries: int
    types: int | None  # activity types present; None when not counted
    first_us: int | None
    last_us: int | None
    created: bool = True
    generate_seconds: float = 0.0
    record_seconds: float = 0.0
    analyze_seconds: float = 0.0

    def as_dict(self, database_url: str) -> dict[str, Any]:
        return {
            "created": self.created,
            "workspace_id": self.workspace.id,
            "workspace_name": self.workspace.name,
            "timezone": self.workspace.timezone,
            "database_url": database_url,
            "entries": self.entries,
            "activity_types": self.types,
            "first_entry_at": iso(self.first_us) if self.first_us is not None else None,
            "last_entry_at": iso(self.last_us) if self.last_us is not None else None,
            "teammates": [
                {"id": t.id, "name": t.name, "email": t.email, "role": t.role, "status": t.status}
                for t in self.teammates
            ],
            "admin": {"id": ADMIN.id, "name": ADMIN.name, "email": ADMIN.email},
            "seconds": {
                "generate": round(self.generate_seconds, 3),
                "record": round(self.record_seconds, 3),
                "analyze": round(self.analyze_seconds, 3),
            },
        }


def channel_of(actor: dict[str, Any]) -> Channel:
    """How the demo's entry by `actor` arrives: a teammate's through the console, a token's through the API
    (as that token), the product's own as the system."""
    if actor.get("type") == "api_token":
        return Channel.api(str(actor["id"]))
    if actor.get("type") == "system":
        return SYSTEM
    return CONSOLE


def create_demo(
    log: ActivityLog,
    *,
    events: int = DEFAULT_EVENTS,
    seed: int = DEFAULT_SEED,
    now_us: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Create the workspace "Acme" with its teammates and `events` entries; `progress` hears entries written."""
    store = log.store
    if store.get_workspace(WORKSPACE_ID) is not None:
        raise Conflict(f"the demo workspace {WORKSPACE_ID!r} already exists", field="workspace")
    now = log.clock() if now_us is None else now_us
    # Acme has used the product for a while; its log only keeps the last year.
    workspace = Workspace(WORKSPACE_ID, WORKSPACE_NAME, TIMEZONE, DEFAULT_RETENTION_DAYS, now - 2 * 365 * DAY_US)

    started = perf_counter()
    # One day short of the retention period, so no entry is at its edge when the recording clock moves on.
    drafts = generate(events=events, seed=seed, now_us=now, window_days=workspace.retention_days - 1)
    generated = perf_counter()

    store.create_workspace(workspace)
    # Someone invited who has not joined is an invitation, as the console makes one, not a teammate yet.
    directory = [t for t in teammates(WORKSPACE_ID) if t.status != "invited"]
    seed_roles(store, WORKSPACE_ID, workspace.created_us)
    store.upsert_teammates(directory)
    _pending_invitations(store, drafts)
    _tokens(store, drafts, workspace.created_us)
    _security(store, drafts)
    ids = random.Random(f"activitylog-demo-ids:{seed}")  # noqa: S311 - reproducible ids are the point

    def id_for(occurred_us: int) -> str:
        return entry_id(occurred_us, ids)

    for start in range(0, len(drafts), BATCH):
        batch = [draft.event() for draft in drafts[start : start + BATCH]]
        # Each entry arrives the way its actor would have sent it: one record per channel of the batch.
        by_channel: dict[Channel, list[dict[str, Any]]] = {}
        for event in batch:
            by_channel.setdefault(channel_of(event["actor"]), []).append(event)
        for channel, events_of_channel in by_channel.items():
            log.record(WORKSPACE_ID, events_of_channel, id_for=id_for, channel=channel)
        if progress is not None:
            progress(len(batch))
    recorded = perf_counter()

    # SQLite's planner picks indexes by statistics; a bulk load leaves them stale.
    analyze = getattr(store, "analyze", None)
    if callable(analyze):
        analyze()
    analyzed = perf_counter()

    return DemoResult(
        workspace=workspace,
        teammates=directory,
        entries=len(drafts),
        types=len({draft.code for draft in drafts}),
        first_us=drafts[0].us if drafts else None,
        last_us=drafts[-1].us if drafts else None,
        generate_seconds=generated - started,
        record_seconds=recorded - generated,
        analyze_seconds=analyzed - recorded,
    )


def _pending_invitations(store: Store, drafts: list[Draft]) -> None:
    """An invitation for each invited person of the cast, as the story's last `admin_invite_creation` for their
    email made it (by, when, which role): so Settings > Teammates can change or cancel it. Its link was never
    shown (only a hash of a random token is stored), as for any invitation whose link was lost."""
    for person in (p for p in CAST if p.status == "invited"):
        made = [
            d for d in drafts if d.code == "admin_invite_creation" and d.metadata["invitee"]["email"] == person.email
        ]
        if not made:
            continue
        last = made[-1]
        invite = Invite(
            WORKSPACE_ID, prefixed_id("inv"), person.email, role_id(person.role), last.actor.actor()["id"], last.us,
            last.us + INVITE_DAYS * DAY_US,
        )  # fmt: skip
        with store.transaction(WORKSPACE_ID) as tx:
            accounts.add_invite(tx, invite, hashlib.sha256(secrets.token_bytes(32)).hexdigest())


def _tokens(store: Store, drafts: list[Draft], since_us: int) -> None:
    """Settings > API tokens as the story left it: each token it creates or acts as, made when its
    `api_token_creation` says (or before the log's year, for one created earlier), revoked when its
    `api_token_revocation` says. So the console lists them, and their entries name them ("via API · SIEM
    export"). Their secrets were never shown: only the hash of a random one is stored, so none can be used."""
    made: dict[str, Draft] = {}
    revoked: dict[str, Draft] = {}
    for draft in drafts:
        if draft.code == "api_token_creation":
            made.setdefault(draft.metadata["token"]["id"], draft)
        elif draft.code == "api_token_revocation":
            revoked[draft.metadata["token"]["id"]] = draft
    machines = {
        d.actor.id: d.actor
        for d in drafts
        if isinstance(d.actor, Machine) and d.actor.kind == "api_token" and d.actor.id is not None
    }
    for token_id in sorted(set(made) | set(revoked) | set(machines)):
        creation, revocation, machine = made.get(token_id), revoked.get(token_id), machines.get(token_id)
        told = creation or revocation
        named = told.metadata["token"]["name"] if told is not None else None
        name = named or (machine.name if machine else None) or token_id
        scopes = tuple(creation.metadata.get("scopes") or ()) if creation else machine.scopes if machine else ()
        token = ApiToken(
            WORKSPACE_ID, token_id, name, hashlib.sha256(secrets.token_bytes(32)).hexdigest(), scopes or ("read",),
            creation.us if creation else since_us, revocation.us if revocation else None,
        )  # fmt: skip
        with store.transaction(WORKSPACE_ID) as tx:
            stored_tokens.insert_token(tx, token)


def _last_after(drafts: list[Draft], code: str) -> dict[str, Any] | None:
    """The `after` of the newest draft of this type, or None when the story tells none."""
    found = [d for d in drafts if d.code == code]
    return found[-1].metadata["after"] if found else None


def _security(store: Store, drafts: list[Draft]) -> None:
    """Settings > Security as the story's last `security_settings_change` and `app_authentication_method_change`
    left it: the demo's history ends in exactly the state the console shows (issue 17, bug 5)."""
    settings = _last_after(drafts, "security_settings_change")
    methods = _last_after(drafts, "app_authentication_method_change")
    with store.transaction(WORKSPACE_ID) as tx:
        current = accounts.security(tx, WORKSPACE_ID, lock=True) or Security()
        if settings is not None:
            current = replace(
                current,
                session_timeout_minutes=settings[SESSION_TIMEOUT],
                require_two_factor=bool(settings[REQUIRE_TWO_FACTOR]),
            )
        if methods is not None:
            allowed = frozenset(method for method in SIGN_IN_METHODS if methods.get(method))
            current = replace(current, sign_in_methods=allowed)
        accounts.set_security(tx, WORKSPACE_ID, current)


def existing_demo(log: ActivityLog) -> DemoResult | None:
    """The demo workspace as it stands, or None when the database has none."""
    workspace = log.find_workspace(WORKSPACE_ID)
    if workspace is None:
        return None
    page = log.query(WORKSPACE_ID, ActivityFilter(), limit=1)
    return DemoResult(
        workspace=workspace,
        teammates=log.teammates(WORKSPACE_ID),
        entries=log.count(WORKSPACE_ID, ActivityFilter()),
        types=None,
        first_us=None,
        last_us=page.entries[0].occurred_us if page.entries else None,
        created=False,
    )
