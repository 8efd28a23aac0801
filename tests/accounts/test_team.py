"""Invites, joining, access, removal and roles: each change logs exactly its entry, with the actor, the
request's origin and before/after; refused changes write nothing; the workspace keeps a manager."""

from __future__ import annotations

import pytest

from activitylog.accounts.console import PermissionDenied
from activitylog.accounts.team import INVITE_DAYS
from activitylog.domain import permissions
from activitylog.domain.permissions import SETTINGS, TEAMMATES
from activitylog.errors import Conflict, InvalidInput, NotFound
from tests.accounts.conftest import ORIGIN, OTHER_ORIGIN, World, assert_origin
from tests.support.people import PASSWORD, Org

NEWCOMER = "new.person@example.test"


def flags(*granted: str) -> dict[str, bool]:
    return {code: code in granted for code in permissions.PERMISSIONS}


# Invites ------------------------------------------------------------------------------------------------


def test_an_invite_is_logged_with_the_role(world: World) -> None:
    manager = world.viewer("tm_manager")

    issued = world.team.invite(manager, f"  {NEWCOMER} ", "role_support", ORIGIN)

    entry = world.one("admin_invite_creation")
    assert_origin(entry, "tm_manager")
    assert entry.metadata == {"invitee": {"email": NEWCOMER}, "role": {"id": "role_support", "name": "Support"}}
    assert len(issued.token) >= 40
    assert [i.email for i in world.console.invites(world.org.id)] == [NEWCOMER]
    # Only the token's hash is stored.
    assert world.store.read("SELECT count(*) FROM invites WHERE token_hash = ?", (issued.token,)) == [(0,)]


def test_an_invite_with_custom_permissions(world: World) -> None:
    world.team.invite(world.viewer("tm_admin"), NEWCOMER, None, ORIGIN)
    assert world.one("admin_invite_creation").metadata["role"] == {"name": "Custom permissions"}


@pytest.mark.parametrize(
    ("email", "role_id", "error"),
    [
        ("not an email", "role_support", InvalidInput),
        (NEWCOMER, "role_nope", InvalidInput),
        (Org.email("tm_support").upper(), "role_support", Conflict),
    ],
)
def test_a_refused_invite_writes_nothing(world: World, email: str, role_id: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        world.team.invite(world.viewer("tm_admin"), email, role_id, ORIGIN)
    assert world.types() == []
    assert world.console.invites(world.org.id) == []


def test_an_email_is_invited_once(world: World) -> None:
    admin = world.viewer("tm_admin")
    world.team.invite(admin, NEWCOMER, "role_support", ORIGIN)
    with pytest.raises(Conflict, match="pending invitation"):
        world.team.invite(admin, NEWCOMER.upper(), "role_admin", ORIGIN)
    assert world.types() == ["admin_invite_creation"]


def test_changing_an_invite_logs_the_roles_before_and_after(world: World) -> None:
    admin = world.viewer("tm_admin")
    invite = world.team.invite(admin, NEWCOMER, "role_support", ORIGIN).invite

    world.team.change_invite(admin, invite.id, "role_auditor", OTHER_ORIGIN)
    world.team.change_invite(admin, invite.id, "role_auditor", OTHER_ORIGIN)  # no change, no entry

    [entry] = world.entries("admin_invite_change")
    assert_origin(entry, "tm_admin", OTHER_ORIGIN)
    assert entry.metadata == {
        "invitee": {"email": NEWCOMER},
        "before": {"role": "Support"},
        "after": {"role": "Auditor"},
    }
    assert entry.sentence() == f"Ada Admin changed the invitation for {NEWCOMER}: role from Support to Auditor."
    assert world.console.invites(world.org.id)[0].role_id == "role_auditor"


def test_cancelling_an_invite_is_logged_and_its_link_stops_working(world: World) -> None:
    admin = world.viewer("tm_admin")
    issued = world.team.invite(admin, NEWCOMER, "role_support", ORIGIN)

    world.team.delete_invite(admin, issued.invite.id, ORIGIN)

    [entry] = world.entries("admin_invite_deletion")
    assert_origin(entry, "tm_admin")
    assert entry.metadata == {"invitee": {"email": NEWCOMER}}
    assert world.console.invites(world.org.id) == []
    with pytest.raises(NotFound):
        world.team.pending_invite(world.org.id, issued.token)
    with pytest.raises(NotFound):
        world.team.delete_invite(admin, issued.invite.id, ORIGIN)
    assert world.types() == ["admin_invite_creation", "admin_invite_deletion"]


def test_a_lapsed_invite_can_be_cancelled_and_the_email_invited_again(world: World) -> None:
    admin = world.viewer("tm_admin")
    issued = world.team.invite(admin, NEWCOMER, "role_support", ORIGIN)
    world.clock.advance(minutes=INVITE_DAYS * 24 * 60 + 1)
    with pytest.raises(NotFound):
        world.team.accept(world.org.id, issued.token, "New Person", PASSWORD, ORIGIN)
    admin = world.refreshed(admin)

    world.team.delete_invite(admin, issued.invite.id, ORIGIN)
    world.team.invite(admin, NEWCOMER, "role_support", ORIGIN)

    assert world.types() == ["admin_invite_creation", "admin_invite_deletion", "admin_invite_creation"]


def test_joining_from_an_invite_logs_the_join_as_the_newcomer(world: World) -> None:
    issued = world.team.invite(world.viewer("tm_manager"), NEWCOMER, "role_auditor", ORIGIN)

    member = world.team.accept(world.org.id, issued.token, "  New   Person ", PASSWORD, OTHER_ORIGIN)

    entry = world.entries()[-1]
    assert entry.type == "app_admin_join"
    assert_origin(entry, member.id, OTHER_ORIGIN)
    assert (entry.actor.name, entry.actor.email) == ("New Person", NEWCOMER)
    assert entry.metadata == {
        "role": {"id": "role_auditor", "name": "Auditor"},
        "invited_by": {"id": "tm_manager", "name": "Manny Manager", "email": Org.email("tm_manager")},
    }
    joined = world.member(member.id)
    assert joined.active
    assert joined.role_id == "role_auditor"
    assert joined.password_hash != PASSWORD
    assert world.console.invites(world.org.id) == []
    # The link works once.
    with pytest.raises(NotFound):
        world.team.accept(world.org.id, issued.token, "Someone Else", PASSWORD, ORIGIN)
    assert world.types() == ["admin_invite_creation", "app_admin_join"]


def test_a_refused_join_writes_nothing(world: World) -> None:
    issued = world.team.invite(world.viewer("tm_manager"), NEWCOMER, "role_auditor", ORIGIN)
    with pytest.raises(InvalidInput):
        world.team.accept(world.org.id, issued.token, "New Person", "short", ORIGIN)
    with pytest.raises(InvalidInput):
        world.team.accept(world.org.id, issued.token, "   ", PASSWORD, ORIGIN)
    with pytest.raises(NotFound):
        world.team.accept(world.org.id, issued.token + "x", "New Person", PASSWORD, ORIGIN)
    assert world.types() == ["admin_invite_creation"]
    assert world.team.pending_invite(world.org.id, issued.token).email == NEWCOMER


def test_an_invite_link_opens_only_its_workspace(world: World) -> None:
    from tests.support import people

    other = people.org(world.store, name="Other")
    issued = world.team.invite(world.viewer("tm_manager"), NEWCOMER, "role_auditor", ORIGIN)
    with pytest.raises(NotFound):
        world.team.pending_invite(other.id, issued.token)
    with pytest.raises(NotFound):
        world.team.accept(other.id, issued.token, "New Person", PASSWORD, ORIGIN)


# Access -------------------------------------------------------------------------------------------------


def test_giving_a_role_logs_the_permissions_before_and_after(world: World) -> None:
    admin = world.viewer("tm_admin")

    world.team.set_access(admin, "tm_support", "role_auditor", [], ORIGIN)

    entry = world.one("admin_permission_change")
    assert_origin(entry, "tm_admin")
    assert entry.metadata == {
        "admin": {"id": "tm_support", "name": "Sam Support", "email": Org.email("tm_support")},
        "before": {"role": "Support", **flags()},
        "after": {"role": "Auditor", **flags(SETTINGS)},
    }
    assert entry.sentence() == (
        "Ada Admin changed Sam Support's permissions: role from Support to Auditor; "
        "now can access general and security settings."
    )
    assert world.console.permissions_of(world.member("tm_support")) == {SETTINGS}


def test_custom_permissions_and_no_change(world: World) -> None:
    admin = world.viewer("tm_admin")
    world.team.set_access(admin, "tm_support", None, [TEAMMATES, "can_do_anything"], ORIGIN)
    world.team.set_access(admin, "tm_support", None, [TEAMMATES], ORIGIN)  # the same: nothing logged

    entry = world.one("admin_permission_change")
    assert entry.metadata["after"] == {"role": None, **flags(TEAMMATES)}
    assert entry.sentence() == (
        "Ada Admin changed Sam Support's permissions: role from Support to permissions of their own; "
        "now can manage teammates, seats and permissions."
    )
    assert world.member("tm_support").own_permissions == {TEAMMATES}


def test_the_last_manager_cannot_lose_the_permission(world: World) -> None:
    admin = world.viewer("tm_admin")
    world.team.set_access(admin, "tm_manager", "role_support", [], ORIGIN)

    with pytest.raises(Conflict, match="nobody who can manage teammates"):
        world.team.set_access(admin, "tm_admin", "role_auditor", [], ORIGIN)

    assert world.types() == ["admin_permission_change"]
    assert world.member("tm_admin").role_id == "role_admin"


def test_a_refused_access_change_writes_nothing(world: World) -> None:
    admin = world.viewer("tm_admin")
    with pytest.raises(InvalidInput):
        world.team.set_access(admin, "tm_support", "role_nope", [], ORIGIN)
    with pytest.raises(NotFound):
        world.team.set_access(admin, "tm_nobody", "role_admin", [], ORIGIN)
    assert world.types() == []


# Removal ------------------------------------------------------------------------------------------------


def test_removing_a_teammate_ends_their_sessions_and_is_logged(world: World) -> None:
    token = world.token("tm_auditor")
    manager = world.viewer("tm_manager")

    world.team.delete(manager, "tm_auditor", ORIGIN)

    entry = world.one("admin_deletion")
    assert_origin(entry, "tm_manager")
    assert entry.metadata == {"admin": {"id": "tm_auditor", "name": "Audrey Auditor", "email": Org.email("tm_auditor")}}
    gone = world.member("tm_auditor")
    assert gone.status == "deleted"
    assert gone.password_hash is None
    assert world.sign_in.viewer(world.org.id, token, ORIGIN) is None
    with pytest.raises(NotFound):
        world.team.delete(manager, "tm_auditor", ORIGIN)
    assert world.types() == ["admin_deletion"]


def test_nobody_removes_themselves_or_the_last_manager(world: World) -> None:
    admin = world.viewer("tm_admin")
    with pytest.raises(Conflict, match="cannot remove yourself"):
        world.team.delete(admin, "tm_admin", ORIGIN)
    world.team.set_access(admin, "tm_admin", "role_auditor", [], ORIGIN)  # tm_manager still manages
    manager = world.viewer("tm_manager")
    world.team.set_access(manager, "tm_admin", "role_admin", [], ORIGIN)
    world.team.delete(manager, "tm_admin", ORIGIN)
    assert world.types() == ["admin_permission_change", "admin_permission_change", "admin_deletion"]


# Roles --------------------------------------------------------------------------------------------------


def test_creating_a_role_is_logged_with_its_permissions(world: World) -> None:
    role = world.team.create_role(world.viewer("tm_admin"), " Support  lead ", [SETTINGS, "bogus"], ORIGIN)

    entry = world.one("role_creation")
    assert_origin(entry, "tm_admin")
    assert entry.metadata == {
        "role": {"id": role.id, "name": "Support lead"},
        "permissions": ["Can access general and security settings"],
    }
    assert world.console.roles(world.org.id)[role.id].permissions == {SETTINGS}


def test_role_names_are_unique_whatever_their_case(world: World) -> None:
    with pytest.raises(Conflict):
        world.team.create_role(world.viewer("tm_admin"), "ADMIN", [], ORIGIN)
    assert world.types() == []


def test_changing_a_role_logs_before_and_after(world: World) -> None:
    admin = world.viewer("tm_admin")

    world.team.change_role(admin, "role_support", "Support desk", [SETTINGS], OTHER_ORIGIN)
    world.team.change_role(admin, "role_support", "Support desk", [SETTINGS], OTHER_ORIGIN)

    entry = world.one("role_change")
    assert_origin(entry, "tm_admin", OTHER_ORIGIN)
    assert entry.metadata == {
        "role": {"id": "role_support", "name": "Support desk"},
        "before": {"name": "Support", **flags()},
        "after": {"name": "Support desk", **flags(SETTINGS)},
    }
    assert entry.sentence() == (
        "Ada Admin changed the permissions of the role Support desk (renamed from Support): "
        "now can access general and security settings."
    )
    assert world.console.permissions_of(world.member("tm_support")) == {SETTINGS}


def test_a_role_change_that_would_leave_no_manager_is_refused(world: World) -> None:
    admin = world.viewer("tm_admin")
    world.team.set_access(admin, "tm_manager", "role_support", [], ORIGIN)
    with pytest.raises(Conflict):
        world.team.change_role(admin, "role_admin", "Admin", [SETTINGS], ORIGIN)
    with pytest.raises(Conflict):
        world.team.change_role(admin, "role_support", "Admin", [], ORIGIN)  # a name in use
    assert world.types() == ["admin_permission_change"]
    assert world.console.roles(world.org.id)["role_admin"].permissions == {SETTINGS, TEAMMATES}


def test_deleting_a_role_is_logged_and_refused_while_in_use(world: World) -> None:
    admin = world.viewer("tm_admin")
    spare = world.team.create_role(admin, "Spare", [], ORIGIN)
    world.team.invite(admin, NEWCOMER, spare.id, ORIGIN)
    with pytest.raises(Conflict, match="still given to 0 teammate"):
        world.team.delete_role(admin, spare.id, ORIGIN)
    with pytest.raises(Conflict, match="still given to 1 teammate"):
        world.team.delete_role(admin, "role_support", ORIGIN)
    world.team.delete_invite(admin, world.console.invites(world.org.id)[0].id, ORIGIN)

    world.team.delete_role(admin, spare.id, OTHER_ORIGIN)

    entry = world.entries()[-1]
    assert entry.type == "role_deletion"
    assert_origin(entry, "tm_admin", OTHER_ORIGIN)
    assert entry.metadata == {"role": {"id": spare.id, "name": "Spare"}}
    assert spare.id not in world.console.roles(world.org.id)
    with pytest.raises(NotFound):
        world.team.delete_role(admin, spare.id, ORIGIN)


# Permission ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("teammate_id", ["tm_auditor", "tm_support"])
def test_only_managers_manage_teammates_and_roles(world: World, teammate_id: str) -> None:
    viewer = world.viewer(teammate_id)
    admin = world.viewer("tm_admin")
    invite = world.team.invite(admin, NEWCOMER, "role_support", ORIGIN).invite
    before = world.types()
    attempts = [
        lambda: world.team.invite(viewer, "x@example.test", "role_support", ORIGIN),
        lambda: world.team.change_invite(viewer, invite.id, "role_admin", ORIGIN),
        lambda: world.team.delete_invite(viewer, invite.id, ORIGIN),
        lambda: world.team.set_access(viewer, viewer.member.id, "role_admin", [], ORIGIN),
        lambda: world.team.delete(viewer, "tm_manager", ORIGIN),
        lambda: world.team.create_role(viewer, "Mine", [TEAMMATES], ORIGIN),
        lambda: world.team.change_role(viewer, "role_support", "Support", [TEAMMATES], ORIGIN),
        lambda: world.team.delete_role(viewer, "role_support", ORIGIN),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert refused.value.status == 403
        assert refused.value.permission == TEAMMATES
        assert "Can manage teammates, seats and permissions" in refused.value.message
    assert world.types() == before
