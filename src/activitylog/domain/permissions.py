"""The permissions a role grants, as admins see them, and the pages and endpoints each one opens.

Codes are stable (they are stored in roles and in log entries' before/after); labels are what people read.
"""

from __future__ import annotations

from collections.abc import Iterable

# The codes and labels are the log's vocabulary too (its sentences and before/after tables say them).
from activitylog.catalog.access import PERMISSIONS as PERMISSIONS
from activitylog.catalog.access import SETTINGS as SETTINGS
from activitylog.catalog.access import TEAMMATES as TEAMMATES

#: What each permission opens, for the 403 page and the docs.
OPENS: dict[str, str] = {
    SETTINGS: "the activity log (page, CSV and API), the workspace's general and security settings and API tokens",
    TEAMMATES: "the teammates, invites and roles pages",
}


def parse(codes: str | Iterable[str] | None) -> frozenset[str]:
    """Stored codes (comma-separated) or form values as a set; unknown codes are dropped, never granted."""
    if codes is None:
        return frozenset()
    items = codes.split(",") if isinstance(codes, str) else codes
    return frozenset(c.strip() for c in items if c.strip() in PERMISSIONS)


def serialise(codes: Iterable[str]) -> str:
    chosen = set(codes)
    return ",".join(code for code in PERMISSIONS if code in chosen)


def as_flags(codes: Iterable[str]) -> dict[str, bool]:
    """The before/after shape of a log entry: every permission, granted or not."""
    chosen = set(codes)
    return {code: code in chosen for code in PERMISSIONS}


def label(code: str) -> str:
    return PERMISSIONS.get(code, code)
