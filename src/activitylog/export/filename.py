"""The one rule for a CSV download's file name, shared by the API and the console (the CLI writes where `-o` says).

`activity-<workspace slug>-<span>.csv`, where the span is the local days covered (inclusive): `all-time` with no
bounds, one day as `2026-11-25`, `2026-10-27-to-2026-11-25`, or `until-2026-11-25` with no start.
"""

from __future__ import annotations

import re
from datetime import date


def slug(text: str) -> str:
    """Lower-case ASCII words joined by `-`, at most 60 characters; `workspace` when nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "workspace"


def csv_filename(workspace_name: str, first: date | None, last: date | None, today: date) -> str:
    """`activity-acme-2026-10-27-to-2026-11-25.csv`: the workspace, and the days (local, inclusive)."""
    if first is None and last is None:
        span = "all-time"
    elif first is not None and last is not None and first == last:
        span = first.isoformat()
    elif first is not None:
        span = f"{first.isoformat()}-to-{(last or today).isoformat()}"
    else:
        assert last is not None
        span = f"until-{last.isoformat()}"
    return f"activity-{slug(workspace_name)}-{span}.csv"
