"""The unit of work: a change and its entries are written in one transaction, or neither is.

"There is never a change without its entry, nor an entry for a change that failed": an entry that does not
validate undoes the change, a store that fails while recording undoes both, a change that fails logs nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from activitylog.accounts.console import PermissionDenied
from activitylog.domain import permissions
from activitylog.errors import InvalidInput, Unavailable
from activitylog.service import ActivityLog
from tests.accounts.conftest import ORIGIN, World


def workspace_name(world: World) -> str:
    return str(world.row("SELECT name FROM workspaces WHERE id = ?", (world.org.id,))[0])


def test_a_change_and_its_entry_commit_together(world: World) -> None:
    admin = world.viewer("tm_admin")
    with world.console.change(world.ws, ORIGIN) as change:
        change.tx.execute("UPDATE workspaces SET name = 'Renamed' WHERE id = ?", (world.org.id,))
        change.log("app_name_change", admin.member.actor(), {"before": "Acme", "after": "Renamed"})
    assert workspace_name(world) == "Renamed"
    assert world.one("app_name_change").request_id == ORIGIN.request_id


def test_an_entry_that_does_not_validate_undoes_the_change(world: World) -> None:
    admin = world.viewer("tm_admin")

    def rename_with_a_bad_entry() -> None:
        with world.console.change(world.ws, ORIGIN) as change:
            change.tx.execute("UPDATE workspaces SET name = 'Renamed' WHERE id = ?", (world.org.id,))
            change.log("app_name_change", admin.member.actor(), {"before": "Acme"})  # `after` is required

    with pytest.raises(InvalidInput):
        rename_with_a_bad_entry()
    assert workspace_name(world) == "Acme"
    assert world.types() == []


def test_a_change_that_fails_after_logging_writes_no_entry(world: World) -> None:
    admin = world.viewer("tm_admin")

    def rename_then_fail() -> None:
        with world.console.change(world.ws, ORIGIN) as change:
            change.tx.execute("UPDATE workspaces SET name = 'Renamed' WHERE id = ?", (world.org.id,))
            change.log("app_name_change", admin.member.actor(), {"before": "Acme", "after": "Renamed"})
            raise RuntimeError("a rule refused it")

    with pytest.raises(RuntimeError):
        rename_then_fail()
    assert workspace_name(world) == "Acme"
    assert world.types() == []


def test_a_store_that_fails_while_recording_writes_neither(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real operation (a rename), with the store failing as it records the entry."""
    admin = world.viewer("tm_admin")
    transaction = type(world.store).transaction

    def failing(store: Any, workspace_id: str) -> Any:
        manager = transaction(store, workspace_id)

        class Failing:
            def __enter__(self) -> Any:
                tx = manager.__enter__()

                def record(workspace_id: str, entries: Any) -> Any:
                    raise Unavailable("the disk is full")

                monkeypatch.setattr(tx, "record", record, raising=False)
                return tx

            def __exit__(self, *exc: Any) -> Any:
                return manager.__exit__(*exc)

        return Failing()

    monkeypatch.setattr(type(world.store), "transaction", failing)
    with pytest.raises(Unavailable):
        world.settings.rename(admin, "Renamed", ORIGIN)
    with pytest.raises(Unavailable):
        world.team.create_role(admin, "Auditors too", [permissions.SETTINGS], ORIGIN)
    monkeypatch.undo()

    assert workspace_name(world) == "Acme"
    assert "Auditors too" not in {r.name for r in world.console.roles(world.org.id).values()}
    assert world.types() == []


def test_an_entry_the_catalog_refuses_undoes_a_real_operation(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = world.viewer("tm_admin")

    def refuse(self: ActivityLog, workspace: Any, items: Any, **kwargs: Any) -> Any:
        raise InvalidInput.single("metadata", "refused for the test")

    monkeypatch.setattr(ActivityLog, "prepare", refuse)
    with pytest.raises(InvalidInput):
        world.team.set_access(admin, "tm_support", "role_admin", [], ORIGIN)
    with pytest.raises(InvalidInput):
        world.profile.set_away(admin, True, "lunch", ORIGIN)
    monkeypatch.undo()

    assert world.member("tm_support").role_id == "role_support"
    assert not world.member("tm_admin").away
    assert world.types() == []


def test_the_permission_denied_error_names_the_permission(world: World) -> None:
    with pytest.raises(PermissionDenied) as refused:
        world.console.require(world.member("tm_support"), permissions.TEAMMATES)
    assert refused.value.status == 403
    assert refused.value.message == (
        "You need the Can manage teammates, seats and permissions permission to open this page."
    )


def test_permissions_never_grant_an_unknown_code() -> None:
    assert permissions.parse("can_manage_teammates_seats_and_permissions, root ,") == {permissions.TEAMMATES}
    assert permissions.parse(None) == frozenset()
    assert permissions.serialise([permissions.TEAMMATES, permissions.SETTINGS]) == (
        f"{permissions.SETTINGS},{permissions.TEAMMATES}"
    )
    assert permissions.as_flags([permissions.SETTINGS]) == {permissions.SETTINGS: True, permissions.TEAMMATES: False}


def test_the_console_s_entries_arrive_through_the_console(world: World) -> None:
    """Issue 17: every entry a console change writes says so, whoever the actor is (a teammate, or the system
    summing up refused sign-ins), and so does a token the console issues and revokes."""
    admin = world.viewer("tm_admin")
    with world.console.change(world.ws, ORIGIN) as change:
        change.log("app_name_change", admin.member.actor(), {"before": "Acme", "after": "Renamed"})
    world.sign_in.with_password(world.org.id, "nobody@acme.test", "wrong password", ORIGIN)
    issued = world.settings.create_token(admin, "Deploy bot", ["write"], ORIGIN)
    world.settings.revoke_token(admin, issued.token.id, ORIGIN)
    found = world.entries()
    assert [e.type for e in found] == [
        "app_name_change", "admin_login_failure", "api_token_creation", "api_token_revocation",
    ]  # fmt: skip
    assert {e.via for e in found} == {"console"}
