"""The workspace keeps someone who can manage teammates even when two admins demote each other at once.

The race is made, not hoped for: the first change stops right after its check, still uncommitted, and the
second starts. Unserialised, the second passes its own check too (each sees the other still in place) and both
commit, leaving nobody. Serialised, the second waits (a lock wait PostgreSQL reports in `pg_locks`; on SQLite,
its store's write lock, instrumented here) until the first commits, then sees it and is refused.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from activitylog.accounts.team import Team
from activitylog.domain import permissions
from activitylog.errors import Conflict
from tests.accounts.conftest import ORIGIN, World

DEADLINE_S = 60.0


class WatchedLock:
    """A lock that tells when someone had to wait for it (SQLite's store serialises its writes with one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.waited = threading.Event()

    def __enter__(self) -> WatchedLock:
        if not self._lock.acquire(blocking=False):
            self.waited.set()
            self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_two_admins_demoting_each_other_at_once_leave_a_manager(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    admin, manager = world.viewer("tm_admin"), world.viewer("tm_manager")  # both can manage teammates
    first_checked, first_may_commit, second_checked = threading.Event(), threading.Event(), threading.Event()
    check = Team._keep_a_manager

    def paused_check(team: Team, change: Any) -> None:
        check(team, change)
        if threading.current_thread().name == "first":
            first_checked.set()
            assert first_may_commit.wait(DEADLINE_S)
        else:
            second_checked.set()

    monkeypatch.setattr(Team, "_keep_a_manager", paused_check)
    watched = WatchedLock()
    if world.store.url.startswith("sqlite:"):
        monkeypatch.setattr(world.store, "_write_lock", watched)

    def second_is_waiting() -> bool:
        if world.store.url.startswith("sqlite:"):
            return watched.waited.is_set()
        [(waiting,)] = world.store.read(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE NOT l.granted AND a.datname = current_database()"
        )
        return bool(waiting)

    outcomes: dict[str, BaseException | None] = {}

    def demote(name: str, viewer: Any, target: str) -> None:
        try:
            world.team.set_access(viewer, target, "role_support", [], ORIGIN)
            outcomes[name] = None
        except BaseException as problem:  # the outcome is what the test checks
            outcomes[name] = problem

    first = threading.Thread(target=demote, args=("first", admin, "tm_manager"), name="first")
    second = threading.Thread(target=demote, args=("second", manager, "tm_admin"), name="second")
    first.start()
    _wait_for(lambda: first_checked.is_set() or "first" in outcomes, "the first change's check")
    second.start()
    # The second either runs its check beside the uncommitted first (the hole) or waits for it (the fix).
    _wait_for(lambda: second_checked.is_set() or second_is_waiting() or "second" in outcomes, "the second change")
    first_may_commit.set()
    first.join(DEADLINE_S)
    second.join(DEADLINE_S)

    assert outcomes["first"] is None
    assert isinstance(outcomes["second"], Conflict), outcomes["second"]
    assert "nobody who can manage teammates" in str(outcomes["second"])
    roles = world.console.roles(world.org.id)
    managers = [
        m.id for m in world.console.members(world.org.id) if m.active and permissions.TEAMMATES in m.permissions(roles)
    ]
    assert managers == ["tm_admin"]
    assert world.types() == ["admin_permission_change"]
