"""A download of the log that is itself logged: the `data_export_run` entry, written before the first byte.

`logged_export` is what both download routes call: a slot of the server's export pool, then the entry, then
the stream (which gives the slot back when it ends); refused by the pool, it writes nothing.

Invariants (the API's CSV route and the console's download share them through `log_download`):
- the export covers entries up to the moment of the request, so the file never holds its own
  `data_export_run` entry, and the row count recorded in that entry is exactly the file's;
- the entry is committed (through the group-commit writer) before the caller streams anything;
- the entry's `scope` names the filters in words, as they were asked for ("teammate Samuel Adeyemi, since
  1 Jan 2026", "all time"): teammates by name, actions by label, times in the workspace's timezone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from activitylog.catalog import REGISTRY
from activitylog.domain.channel import Channel
from activitylog.domain.filters import ActivityFilter
from activitylog.export.pool import ExportPool, HeldStream
from activitylog.export.runner import export_csv
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace
from activitylog.storage.writer import GroupCommitWriter
from activitylog.timeutil import from_us, iso

MAX_SCOPE = 1000  # characters of `scope` (200 teammates' names would be more): cut with an ellipsis


def _moment(us: int, zone: ZoneInfo) -> str:
    """A local time in words: 1 Jan 2026 at midnight, else 1 Jan 2026 09:30 (with seconds when it has some)."""
    local = from_us(us).astimezone(zone)
    day = f"{local.day} {local:%b %Y}"
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return day
    return f"{day} {local:%H:%M:%S}" if local.second or local.microsecond else f"{day} {local:%H:%M}"


def filters_in_words(log: ActivityLog, workspace: Workspace, where: ActivityFilter) -> str:
    """The filter as a person would say it: "teammate Samuel Adeyemi, since 1 Jan 2026", or "all time"."""
    parts = []
    if where.teammates:
        known = log.teammates_by_id(workspace, list(where.teammates))
        names = [known[t].name if t in known and known[t].name else t for t in where.teammates]
        parts.append("teammate " + " or ".join(names))
    if where.types:
        labels = [REGISTRY[code].label if code in REGISTRY else code for code in where.types]
        parts.append("action " + " or ".join(labels))
    if where.ip is not None:
        parts.append("from IP " + where.ip.text)
    if where.search is not None:
        parts.append(f"matching “{where.search.text}”")
    zone = ZoneInfo(workspace.timezone)
    if where.since_us is not None:
        parts.append("since " + _moment(where.since_us, zone))
    if where.until_us is not None:
        parts.append("before " + _moment(where.until_us, zone))
    words = ", ".join(parts) or "all time"
    return words if len(words) <= MAX_SCOPE else words[: MAX_SCOPE - 1] + "…"


@dataclass(frozen=True)
class Download:
    where: ActivityFilter  # the filter cut at the moment of the request: what the file holds
    rows: int


def log_download(
    log: ActivityLog,
    writer: GroupCommitWriter | None,
    workspace: Workspace,
    where: ActivityFilter,
    actor: dict[str, Any],
    *,
    channel: Channel,
    ip: str | None,
    user_agent: str | None,
    request_id: str | None,
    range_code: str | None = None,
) -> Download:
    """Count what `where` matches up to now, log the download as `data_export_run` by `actor` (through `writer`,
    or straight to the store without one: the command line), and answer what to export. `range_code` is the
    console's date preset, recorded with the filters when there is one."""
    now = log.clock()
    snapshot = where if where.until_us is not None and where.until_us <= now else replace(where, until_us=now)
    rows = log.count(workspace, snapshot)
    filters = {
        "type": list(where.types),
        "teammate": list(where.teammates),
        "since": iso(where.since_us) if where.since_us is not None else None,
        "until": iso(snapshot.until_us) if snapshot.until_us is not None else None,
        "ip": where.ip.text if where.ip else None,
        "q": where.search.text if where.search else None,
        "range": range_code,
    }
    event: dict[str, Any] = {
        "type": "data_export_run",
        "actor": actor,
        "metadata": {
            "format": "csv",
            "rows": rows,
            "filters": {k: v for k, v in filters.items() if v},
            "scope": filters_in_words(log, workspace, where),
        },
    }
    for name, value in (("ip", ip), ("user_agent", user_agent), ("request_id", request_id)):
        if value:
            event[name] = value[:1000]
    # The command line has no server, so no group-commit writer: the store takes the entry itself.
    log.record(workspace, [event], via=writer, channel=channel)
    return Download(snapshot, rows)


def logged_export(
    log: ActivityLog,
    writer: GroupCommitWriter,
    pool: ExportPool,
    workspace: Workspace,
    where: ActivityFilter,
    actor: dict[str, Any],
    *,
    channel: Channel,
    ip: str | None,
    user_agent: str | None,
    request_id: str | None,
    range_code: str | None = None,
) -> tuple[Download, HeldStream]:
    """`log_download` within a slot of `pool`, and the CSV chunks of what it logged, holding the slot."""
    slot = pool.admit()
    try:
        download = log_download(
            log, writer, workspace, where, actor, channel=channel, ip=ip, user_agent=user_agent,
            request_id=request_id, range_code=range_code,
        )  # fmt: skip
        return download, slot.holding(export_csv(log, workspace, download.where, total=download.rows))
    except BaseException:
        slot.release()
        raise
