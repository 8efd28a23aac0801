"""The console's accounts on every backend: a workspace of `tests.support.people`, a clock the test moves, and viewers
signed in without spending a password hash on each (their sessions are written straight to the store)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from activitylog.accounts.console import Console, Origin
from activitylog.accounts.profile import Profile
from activitylog.accounts.signin import SignIn, Viewer, token_hash
from activitylog.accounts.team import Team
from activitylog.accounts.workspace_settings import WorkspaceSettings
from activitylog.domain.accounts import Member
from activitylog.domain.entry import Entry
from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage import accounts as repository
from activitylog.storage import open_store
from activitylog.storage.base import Store, Workspace
from activitylog.timeutil import now_us
from tests.support import people
from tests.support.postgres import BACKENDS

ORIGIN = Origin("203.0.113.9", "pytest-accounts/1.0", "req-accounts-1")
OTHER_ORIGIN = Origin("198.51.100.20", "pytest-accounts/2.0", "req-accounts-2")


class Clock:
    """Now, moving 1 ms at each reading (so entries and ids keep their order), and by `advance`."""

    def __init__(self) -> None:
        self.now = now_us()

    def __call__(self) -> int:
        self.now += 1000
        return self.now

    def advance(self, *, minutes: float = 0, seconds: float = 0) -> None:
        self.now += int((minutes * 60 + seconds) * 1_000_000)


@dataclass
class World:
    store: Store
    clock: Clock
    log: ActivityLog
    console: Console
    sign_in: SignIn
    team: Team
    settings: WorkspaceSettings
    profile: Profile
    org: people.Org

    @property
    def ws(self) -> Workspace:
        return self.console.workspace(self.org.id)

    def token(self, teammate_id: str, *, stage: str = "complete") -> str:
        """A session of this teammate, written as a sign-in would (without its entry)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.transaction(self.org.id) as tx:
            tx.execute(
                "INSERT INTO sessions (token_hash, workspace_id, teammate_id, csrf_token, stage, created_us, "
                "last_seen_us) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token_hash(token), self.org.id, teammate_id, secrets.token_urlsafe(16), stage, now, now),
            )
        return token

    def viewer(self, teammate_id: str) -> Viewer:
        found = self.sign_in.viewer(self.org.id, self.token(teammate_id), ORIGIN)
        assert found is not None
        return found

    def refreshed(self, viewer: Viewer) -> Viewer:
        """The viewer as the next request sees them (after a change of their own account)."""
        found = self.sign_in.viewer(self.org.id, self.token(viewer.member.id), ORIGIN)
        assert found is not None
        return found

    def member(self, teammate_id: str) -> Member:
        found = repository.member(self.console.reader, self.org.id, teammate_id)
        assert found is not None
        return found

    def entries(self, *types: str) -> list[Entry]:
        """The workspace's entries, oldest first (only of `types` when given)."""
        page = self.log.query(self.org.id, ActivityFilter(types=types), limit=500)
        return sorted(page.entries, key=lambda e: (e.occurred_us, e.id))

    def types(self) -> list[str]:
        return [e.type for e in self.entries()]

    def one(self, type_: str) -> Entry:
        """The only entry of the workspace, which must be of this type."""
        found = self.entries()
        assert [e.type for e in found] == [type_]
        return found[0]

    def row(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...]:
        rows = self.store.read(sql, params)
        assert len(rows) == 1, rows
        return rows[0]


@pytest.fixture(scope="session")
def accounts_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'accounts.db'}"
    open_store(url).close()
    return url


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, accounts_sqlite_url: str) -> Iterator[Store]:
    """The suite's `store`, but over one migrated SQLite file for the session, as PostgreSQL already is: every
    test works in a workspace of its own, and migrating a file per test would cost more than the tests."""
    url = accounts_sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    opened = open_store(url, migrate=False)
    yield opened
    opened.close()


@pytest.fixture
def world(store: Store) -> World:
    clock = Clock()
    log = ActivityLog(store, clock=clock)
    console = Console(log)
    return World(
        store, clock, log, console, SignIn(console), Team(console), WorkspaceSettings(console), Profile(console),
        people.org(store),
    )  # fmt: skip


def assert_origin(entry: Entry, actor_id: str, origin: Origin = ORIGIN) -> None:
    """The entry names who did it and where from, as the request that caused it said."""
    assert entry.actor.type == "teammate"
    assert entry.actor.id == actor_id
    assert (entry.ip, entry.user_agent, entry.request_id) == (origin.ip, origin.user_agent, origin.request_id)
