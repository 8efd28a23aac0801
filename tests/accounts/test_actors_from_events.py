"""Teammates known only from recorded events are actors, never console members (issue: a recorded event named
an admin's email, and the admin could no longer sign in).

An actor shows a name and email and joins the teammate filter; it never signs in, is never found by email,
is never invited over, holds no access, never counts as a manager, and recording never changes a member.
"""

from __future__ import annotations

import pytest

from activitylog.domain.permissions import TEAMMATES
from activitylog.errors import Conflict, NotFound
from activitylog.storage import accounts as repository
from tests.accounts.conftest import ORIGIN, World
from tests.support.people import PASSWORD, Org

NEWCOMER = "new.person@example.test"


def record_actor(world: World, actor_id: str, name: str, email: str) -> None:
    actor = {"type": "teammate", "id": actor_id, "name": name, "email": email}
    world.log.record_one(world.org.id, {"type": "admin_logout", "actor": actor})


def test_an_actor_with_a_member_s_email_does_not_take_their_sign_in(world: World) -> None:
    # "a_ghost" sorts before "tm_admin": the lookup by email used to answer the first id.
    record_actor(world, "a_ghost", "Ghost", Org.email("tm_admin").upper())

    assert world.sign_in.with_password(world.org.id, Org.email("tm_admin"), PASSWORD, ORIGIN).ok
    found = repository.member_by_email(world.console.reader, world.org.id, Org.email("tm_admin"))
    assert found is not None
    assert found.id == "tm_admin"


def test_an_actor_is_no_sign_in_candidate_nor_member(world: World) -> None:
    record_actor(world, "a_ghost", "Ghost", NEWCOMER)

    outcome = world.sign_in.with_password(world.org.id, NEWCOMER, "", ORIGIN)
    assert not outcome.ok
    assert world.entries("admin_login_failure")[-1].metadata["reason"] == "unknown email"
    assert "a_ghost" not in {m.id for m in world.console.members(world.org.id)}
    assert repository.member(world.console.reader, world.org.id, "a_ghost") is None
    # It stays in the directory the teammate filter reads, marked.
    [ghost] = [t for t in world.log.teammates(world.org.id) if t.id == "a_ghost"]
    assert (ghost.kind, ghost.from_events, ghost.name, ghost.email) == ("actor", True, "Ghost", NEWCOMER)
    assert {t.kind for t in world.log.teammates(world.org.id) if t.id != "a_ghost"} == {"member"}


def test_an_actor_s_email_can_be_invited_and_join(world: World) -> None:
    record_actor(world, "a_ghost", "Ghost", NEWCOMER)

    issued = world.team.invite(world.viewer("tm_admin"), NEWCOMER, "role_support", ORIGIN)
    joined = world.team.accept(world.org.id, issued.token, "New Person", "a long enough password", ORIGIN)

    assert joined.email == NEWCOMER
    assert world.sign_in.with_password(world.org.id, NEWCOMER, "a long enough password", ORIGIN).ok
    assert [t.kind for t in world.log.teammates(world.org.id) if t.email == NEWCOMER] == ["actor", "member"]


def test_an_actor_gets_no_access_and_cannot_be_removed(world: World) -> None:
    record_actor(world, "a_ghost", "Ghost", NEWCOMER)
    admin = world.viewer("tm_admin")

    with pytest.raises(NotFound):
        world.team.set_access(admin, "a_ghost", "role_admin", [], ORIGIN)
    with pytest.raises(NotFound):
        world.team.delete(admin, "a_ghost", ORIGIN)
    assert world.row("SELECT role, permissions, status FROM teammates WHERE workspace_id = ? AND id = ?",
                     (world.org.id, "a_ghost")) == (None, None, "active")  # fmt: skip


def test_an_actor_never_counts_as_a_manager(world: World) -> None:
    # An actor row that even claims the permission (written raw, as no code path would) keeps nobody in charge.
    record_actor(world, "a_ghost", "Ghost", NEWCOMER)
    with world.store.transaction(world.org.id) as tx:
        tx.execute(
            "UPDATE teammates SET permissions = ? WHERE workspace_id = ? AND id = ?",
            (TEAMMATES, world.org.id, "a_ghost"),
        )
    admin = world.viewer("tm_admin")
    world.team.set_access(admin, "tm_manager", "role_support", [], ORIGIN)

    with pytest.raises(Conflict, match="nobody who can manage teammates"):
        world.team.set_access(admin, "tm_admin", "role_support", [], ORIGIN)


def test_recording_never_changes_a_member(world: World) -> None:
    before = world.member("tm_admin")

    record_actor(world, "tm_admin", "Someone Else", "someone.else@example.test")

    after = world.member("tm_admin")
    assert (after.name, after.email, after.role_id, after.status, after.password_hash) == (
        before.name, before.email, before.role_id, before.status, before.password_hash,
    )  # fmt: skip
    [entry] = world.entries("admin_logout")
    assert (entry.actor.name, entry.actor.email) == ("Someone Else", "someone.else@example.test")
    assert world.sign_in.with_password(world.org.id, Org.email("tm_admin"), PASSWORD, ORIGIN).ok
