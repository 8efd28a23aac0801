"""Teammates, invites and roles: the operations behind Settings > Teammates and Settings > Roles.

Invariants:
- each operation is one `Console.change`: the change and its entry (with before/after where something
  changes) are written together or not at all;
- the caller must hold "Can manage teammates, seats and permissions" (checked here, not only on the page);
- the workspace always keeps at least one active member who can manage teammates: a change that would
  remove the last one is refused, so nobody can lock the workspace out of its own console. Every operation
  here serialises with the others of its workspace (`Change.serialise`), so the rule holds when two admins
  demote each other at the same instant; actors known only from events never count (nor can be changed);
- an invite link's token is shown once and stored as its SHA-256; it works once, until it expires.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from activitylog import ids
from activitylog.accounts import passwords
from activitylog.accounts.console import Change, Console, Origin
from activitylog.accounts.signin import Viewer, token_hash
from activitylog.domain import permissions
from activitylog.domain.accounts import Invite, Member, Role
from activitylog.errors import Conflict, InvalidInput, NotFound
from activitylog.storage import accounts as stored
from activitylog.storage import sessions
from activitylog.storage.base import Workspace
from activitylog.timeutil import DAY_US

INVITE_DAYS = 7
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class IssuedInvite:
    invite: Invite
    token: str  # the link's secret, shown once


def clean_email(email: str, field: str = "email") -> str:
    email = email.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidInput.single(field, "must be an email address like name@example.com")
    return email


def clean_name(name: str, field: str = "name") -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 100:
        raise InvalidInput.single(field, "must be 1 to 100 characters")
    return name


class Team:
    def __init__(self, console: Console) -> None:
        self.console = console

    @contextmanager
    def _change(self, workspace: Workspace, origin: Origin) -> Iterator[Change]:
        """`Console.change`, serialised with the workspace's other team changes (see the invariants)."""
        with self.console.change(workspace, origin) as change:
            change.serialise()
            yield change

    def _manager(self, viewer: Viewer) -> None:
        self.console.require(viewer.member, permissions.TEAMMATES)

    def _role(self, change: Change, role_id: str | None, field: str = "role") -> Role | None:
        if not role_id:
            return None
        role = stored.roles(change.tx, change.workspace.id).get(role_id)
        if role is None:
            raise InvalidInput.single(field, f"no role {role_id!r} in this workspace")
        return role

    def _keep_a_manager(self, change: Change) -> None:
        """Refuse the change (rolled back) when it left no active teammate able to manage teammates."""
        roles = stored.roles(change.tx, change.workspace.id)
        if not any(
            m.active and permissions.TEAMMATES in m.permissions(roles)
            for m in stored.members(change.tx, change.workspace.id)
        ):
            raise Conflict(
                "this would leave nobody who can manage teammates, seats and permissions: give someone else "
                "that permission first",
                field="permissions",
            )

    # Invites -----------------------------------------------------------------------------------------

    def invite(self, viewer: Viewer, email: str, role_id: str | None, origin: Origin) -> IssuedInvite:
        self._manager(viewer)
        email = clean_email(email)
        token = secrets.token_urlsafe(32)
        now = self.console.now
        with self._change(viewer.workspace, origin) as change:
            role = self._role(change, role_id)
            if stored.member_by_email(change.tx, viewer.workspace.id, email) is not None:
                raise Conflict(f"{email} is already a teammate of this workspace", field="email")
            if any(i.email.lower() == email.lower() for i in stored.invites(change.tx, viewer.workspace.id)):
                raise Conflict(f"{email} already has a pending invitation", field="email")
            invite = Invite(
                viewer.workspace.id, ids.prefixed_id("inv"), email, role.id if role else None, viewer.member.id,
                now, now + INVITE_DAYS * DAY_US,
            )  # fmt: skip
            stored.add_invite(change.tx, invite, token_hash(token))
            change.log(
                "admin_invite_creation",
                viewer.member.actor(),
                {"invitee": {"email": email}, "role": _role_ref(role)},
            )
        return IssuedInvite(invite, token)

    def _pending(self, change: Change, invite_id: str, *, lapsed: bool = False) -> Invite:
        """The invitation, neither accepted nor cancelled; `lapsed` lets an expired one through (it is listed,
        and blocks a new invitation of its email, until it is cancelled)."""
        invite = stored.invite(change.tx, change.workspace.id, invite_id, lock=True)
        if invite is None or invite.accepted_us is not None or invite.revoked_us is not None:
            raise NotFound(f"no pending invitation {invite_id!r} in this workspace", field="invite")
        if not lapsed and not invite.pending(self.console.now):
            raise NotFound(f"no pending invitation {invite_id!r} in this workspace", field="invite")
        return invite

    def change_invite(self, viewer: Viewer, invite_id: str, role_id: str | None, origin: Origin) -> None:
        self._manager(viewer)
        with self._change(viewer.workspace, origin) as change:
            invite = self._pending(change, invite_id)
            before, after = self._role(change, invite.role_id), self._role(change, role_id)
            if invite.role_id == (after.id if after else None):
                return
            stored.set_invite_role(change.tx, viewer.workspace.id, invite.id, after.id if after else None)
            change.log(
                "admin_invite_change",
                viewer.member.actor(),
                {
                    "invitee": {"email": invite.email},
                    "before": {"role": _role_name(before)},
                    "after": {"role": _role_name(after)},
                },
            )

    def delete_invite(self, viewer: Viewer, invite_id: str, origin: Origin) -> None:
        self._manager(viewer)
        with self._change(viewer.workspace, origin) as change:
            invite = self._pending(change, invite_id, lapsed=True)
            stored.revoke_invite(change.tx, viewer.workspace.id, invite.id, self.console.now)
            change.log("admin_invite_deletion", viewer.member.actor(), {"invitee": {"email": invite.email}})

    def pending_invite(self, workspace_id: str, token: str) -> Invite:
        invite = stored.invite_by_token(self.console.reader, token_hash(token)) if len(token) < 200 else None
        if invite is None or invite.workspace_id != workspace_id or not invite.pending(self.console.now):
            raise NotFound("this invitation link is not valid: it was used, cancelled or has expired", field="token")
        return invite

    def accept(self, workspace_id: str, token: str, name: str, password: str, origin: Origin) -> Member:
        """Join the workspace from an invite link: a new active teammate with the invite's role."""
        name = clean_name(name)
        password_hash = passwords.hash_password(password)
        workspace = self.console.workspace(workspace_id)
        with self._change(workspace, origin) as change:
            invite = stored.invite_by_token(change.tx, token_hash(token), lock=True)
            if invite is None or invite.workspace_id != workspace.id or not invite.pending(self.console.now):
                raise NotFound(
                    "this invitation link is not valid: it was used, cancelled or has expired", field="token"
                )
            if stored.member_by_email(change.tx, workspace.id, invite.email) is not None:
                raise Conflict(f"{invite.email} is already a teammate of this workspace", field="email")
            role = self._role(change, invite.role_id)
            member = Member(workspace.id, ids.prefixed_id("tm"), name, invite.email, invite.role_id, "active",
                            password_hash=password_hash)  # fmt: skip
            stored.add_member(change.tx, member)
            stored.accept_invite(change.tx, workspace.id, invite.id, self.console.now)
            inviter = stored.member(change.tx, workspace.id, invite.invited_by) if invite.invited_by else None
            metadata: dict[str, object] = {"role": _role_ref(role)}
            if inviter is not None:
                metadata["invited_by"] = {"id": inviter.id, "name": inviter.name, "email": inviter.email}
            change.log("app_admin_join", member.actor(), metadata)
        return member

    # Teammates ---------------------------------------------------------------------------------------

    def set_access(
        self,
        viewer: Viewer,
        teammate_id: str,
        role_id: str | None,
        own_permissions: Iterable[str],
        origin: Origin,
    ) -> None:
        """Give a teammate a role, or (with no role) permissions of their own."""
        self._manager(viewer)
        with self._change(viewer.workspace, origin) as change:
            target = stored.member(change.tx, viewer.workspace.id, teammate_id, lock=True)
            if target is None or target.status == "deleted":
                raise NotFound(f"no teammate {teammate_id!r} in this workspace", field="teammate")
            role = self._role(change, role_id)
            chosen = permissions.parse(own_permissions) if role is None else None
            roles = stored.roles(change.tx, viewer.workspace.id)
            before = target.access(roles)
            stored.set_access(change.tx, viewer.workspace.id, target.id, role.id if role else None, chosen)
            updated = stored.member(change.tx, viewer.workspace.id, target.id)
            after = updated.access(roles) if updated else {}
            if before == after:
                return
            self._keep_a_manager(change)
            change.log(
                "admin_permission_change",
                viewer.member.actor(),
                {"admin": _person(target), "before": before, "after": after},
            )

    def delete(self, viewer: Viewer, teammate_id: str, origin: Origin) -> None:
        """Remove a teammate: they can no longer sign in, their sessions end, their past entries stay."""
        self._manager(viewer)
        if teammate_id == viewer.member.id:
            raise Conflict(
                "you cannot remove yourself: ask another teammate who can manage teammates", field="teammate"
            )
        with self._change(viewer.workspace, origin) as change:
            target = stored.member(change.tx, viewer.workspace.id, teammate_id, lock=True)
            if target is None or target.status == "deleted":
                raise NotFound(f"no teammate {teammate_id!r} in this workspace", field="teammate")
            stored.remove_member(change.tx, viewer.workspace.id, target.id)
            sessions.end_sessions_of(change.tx, viewer.workspace.id, target.id, self.console.now)
            self._keep_a_manager(change)
            change.log("admin_deletion", viewer.member.actor(), {"admin": _person(target)})

    # Roles -------------------------------------------------------------------------------------------

    def create_role(self, viewer: Viewer, name: str, granted: Iterable[str], origin: Origin) -> Role:
        self._manager(viewer)
        name = clean_name(name)
        chosen = permissions.parse(granted)
        role = Role(viewer.workspace.id, ids.prefixed_id("role"), name, chosen, self.console.now)
        with self._change(viewer.workspace, origin) as change:
            if any(r.name.lower() == name.lower() for r in stored.roles(change.tx, viewer.workspace.id).values()):
                raise Conflict(f"a role named {name!r} already exists", field="name")
            stored.add_role(change.tx, role)
            change.log(
                "role_creation",
                viewer.member.actor(),
                {"role": {"id": role.id, "name": name}, "permissions": [permissions.label(c) for c in sorted(chosen)]},
            )
        return role

    def change_role(self, viewer: Viewer, role_id: str, name: str, granted: Iterable[str], origin: Origin) -> None:
        self._manager(viewer)
        name = clean_name(name)
        chosen = permissions.parse(granted)
        with self._change(viewer.workspace, origin) as change:
            roles = stored.roles(change.tx, viewer.workspace.id)
            role = roles.get(role_id)
            if role is None:
                raise NotFound(f"no role {role_id!r} in this workspace", field="role")
            if any(r.id != role.id and r.name.lower() == name.lower() for r in roles.values()):
                raise Conflict(f"a role named {name!r} already exists", field="name")
            before = {"name": role.name, **permissions.as_flags(role.permissions)}
            after = {"name": name, **permissions.as_flags(chosen)}
            if before == after:
                return
            stored.change_role(change.tx, viewer.workspace.id, role.id, name, chosen)
            self._keep_a_manager(change)
            change.log(
                "role_change",
                viewer.member.actor(),
                {"role": {"id": role.id, "name": name}, "before": before, "after": after},
            )

    def delete_role(self, viewer: Viewer, role_id: str, origin: Origin) -> None:
        self._manager(viewer)
        with self._change(viewer.workspace, origin) as change:
            role = stored.roles(change.tx, viewer.workspace.id).get(role_id)
            if role is None:
                raise NotFound(f"no role {role_id!r} in this workspace", field="role")
            holders = [
                m
                for m in stored.members(change.tx, viewer.workspace.id)
                if m.role_id == role.id and m.status != "deleted"
            ]
            invited = [i for i in stored.invites(change.tx, viewer.workspace.id) if i.role_id == role.id]
            if holders or invited:
                raise Conflict(
                    f"the role {role.name} is still given to {len(holders)} teammate(s) and {len(invited)} "
                    "invitation(s): give them another role first",
                    field="role",
                )
            stored.delete_role(change.tx, viewer.workspace.id, role.id)
            change.log("role_deletion", viewer.member.actor(), {"role": {"id": role.id, "name": role.name}})


def _role_name(role: Role | None) -> str:
    return role.name if role else "Custom permissions"


def _role_ref(role: Role | None) -> dict[str, str]:
    return {"id": role.id, "name": role.name} if role else {"name": _role_name(role)}


def _person(member: Member) -> dict[str, str | None]:
    return {"id": member.id, "name": member.name, "email": member.email}
