"""Plain functions that build test data: events as a recorder would send them, workspaces, teammates."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from activitylog.storage.base import Store, Teammate, Workspace

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}_{next(_counter)}_{datetime.now(UTC).strftime('%H%M%S%f')}"


def workspace(store: Store, *, name: str = "Acme", timezone: str = "UTC", retention_days: int = 365) -> Workspace:
    return store.create_workspace(Workspace(unique("ws"), name, timezone, retention_days))


def teammate(workspace_id: str, number: int, *, status: str = "active", role: str = "Admin") -> Teammate:
    return Teammate(workspace_id, f"tm{number}", f"Teammate {number}", f"tm{number}@acme.test", role, status)


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def event(
    type: str = "app_name_change",
    *,
    actor_id: str = "tm1",
    name: str | None = "Beth-Ann Sher",
    email: str | None = "beth@acme.test",
    occurred_at: str | None = None,
    ip: str | None = "203.0.113.7",
    metadata: dict[str, Any] | None = None,
    key: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An event dict; metadata defaults to the type's catalog example, so every type is valid by default."""
    from activitylog.catalog import REGISTRY

    data: dict[str, Any] = {
        "type": type,
        "actor": {"type": "teammate", "id": actor_id, "name": name, "email": email},
        "metadata": dict(REGISTRY[type].example) if metadata is None and type in REGISTRY else (metadata or {}),
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    }
    if occurred_at is not None:
        data["occurred_at"] = occurred_at
    if ip is not None:
        data["ip"] = ip
    if key is not None:
        data["idempotency_key"] = key
    data.update(extra)
    return data
