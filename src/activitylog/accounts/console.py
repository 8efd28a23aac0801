"""The console's unit of work: a change to the workspace and its log entries, in one transaction.

`Console.change` opens a store transaction, lets the caller read (with row locks where the backend has them)
and write, collects the entries the change must log, validates them against the catalog and records them
before the commit. An entry's actor who is no teammate (`Change.outsiders`) is logged without joining the
workspace's teammates. If anything fails (a rule, a conflict, an entry that does not validate), nothing of the
change and nothing of the log is written.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from activitylog.domain import permissions
from activitylog.domain.accounts import Invite, Member, Role, Security
from activitylog.domain.channel import CONSOLE
from activitylog.errors import Forbidden, NotFound
from activitylog.service import ActivityLog
from activitylog.storage import accounts as stored
from activitylog.storage.base import Reader, Transaction, Workspace


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a console request came from, as every entry it causes records it."""

    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


class PermissionDenied(Forbidden):
    """A teammate lacks a permission; the page names it."""

    def __init__(self, permission: str) -> None:
        label = permissions.label(permission)
        super().__init__(f"You need the {label} permission to open this page.", field="permission")
        self.permission = permission


@dataclass(slots=True)
class Change:
    """One transaction: the store's `tx`, and the events to log when it commits."""

    tx: Transaction
    workspace: Workspace
    origin: Origin
    events: list[dict[str, Any]] = field(default_factory=list)
    #: Actor ids of people who are no teammate (a sign-in with an unknown email): see `Console.change`.
    outsiders: set[str] = field(default_factory=set)

    def serialise(self) -> None:
        """Hold off, until this transaction ends, every other change of the workspace that serialises too.

        For a rule over many rows (the workspace keeps a manager), which locks on the changed rows cannot
        protect: two changes each demoting the other would each see the other still in place
        (`storage.accounts.serialise_workspace` says how each backend does it).
        """
        stored.serialise_workspace(self.tx, self.workspace.id)

    def log(
        self, type_: str, actor: Mapping[str, Any], metadata: Mapping[str, Any], *, origin: Origin | None = None
    ) -> None:
        """Log an entry with the change; `origin` when it is not the request's own (a summary of earlier ones)."""
        event: dict[str, Any] = {"type": type_, "actor": dict(actor), "metadata": dict(metadata)}
        for name in ("ip", "user_agent", "request_id"):
            value = getattr(origin or self.origin, name)
            if value is not None:
                event[name] = value[:1000] if name == "user_agent" else value
        self.events.append(event)


class Console:
    def __init__(self, log: ActivityLog) -> None:
        self.log = log
        self.reader: Reader = log.reader

    @property
    def now(self) -> int:
        return self.log.clock()

    @contextmanager
    def change(self, workspace: Workspace, origin: Origin) -> Iterator[Change]:
        with self.log.transaction(workspace) as tx:
            unit = Change(tx, workspace, origin)
            yield unit
            if unit.events:
                # The console's own actions (sign-in included): never a client's claim, always this channel.
                self.log.record(workspace, unit.events, via=tx, channel=CONSOLE)
            for actor_id in unit.outsiders:
                # Recording adds a named teammate actor to the directory; an outsider (an email typed at
                # sign-in) must not even join the teammate filter.
                stored.forget_actor(tx, workspace.id, actor_id)

    # Reads -------------------------------------------------------------------------------------------

    def workspace(self, workspace_id: str) -> Workspace:
        return self.log.workspace(workspace_id)

    def security(self, workspace_id: str) -> Security:
        found = stored.security(self.reader, workspace_id)
        if found is None:
            raise NotFound(f"no workspace {workspace_id!r}", field="workspace")
        return found

    def roles(self, workspace_id: str) -> dict[str, Role]:
        return stored.roles(self.reader, workspace_id)

    def members(self, workspace_id: str) -> list[Member]:
        return stored.members(self.reader, workspace_id)

    def invites(self, workspace_id: str) -> list[Invite]:
        """Pending invitations (an expired one shows until cancelled, so an admin sees it lapsed)."""
        return stored.invites(self.reader, workspace_id)

    def member(self, workspace_id: str, teammate_id: str) -> Member:
        found = stored.member(self.reader, workspace_id, teammate_id)
        if found is None or found.status == "deleted":
            raise NotFound(f"no teammate {teammate_id!r} in this workspace", field="teammate")
        return found

    def permissions_of(self, member: Member) -> frozenset[str]:
        return member.permissions(self.roles(member.workspace_id))

    def require(self, member: Member, permission: str) -> None:
        if permission not in self.permissions_of(member):
            raise PermissionDenied(permission)
