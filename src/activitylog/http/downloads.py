"""A logged CSV download as an HTTP response: the one way both surfaces (the API, the console) answer one.

Invariants (those of `export.logged.logged_export`): the download is logged as `data_export_run`, by `actor`
and from the request's origin, before the first byte is sent; it holds an export slot while it streams; the
response says how many rows it holds (`X-Total-Count`) and offers the file under `filename`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import StreamingResponse

from activitylog.domain.channel import Channel
from activitylog.domain.filters import ActivityFilter
from activitylog.export.logged import logged_export
from activitylog.http.state import origin, services
from activitylog.storage.base import Workspace


def csv_download(
    request: Request,
    workspace: Workspace,
    where: ActivityFilter,
    actor: dict[str, Any],
    filename: Callable[[], str],
    *,
    channel: Channel,
    range_code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> StreamingResponse:
    """The entries `where` matches as a streamed CSV file, its download logged first; `filename` is asked once
    the download is logged (a name that says "until now" names the moment the export covers)."""
    ctx = services(request)
    where_from = origin(request)
    download, chunks = logged_export(
        ctx.log,
        ctx.writer,
        ctx.exports,
        workspace,
        where,
        actor,
        channel=channel,
        ip=where_from.ip,
        user_agent=where_from.user_agent,
        request_id=where_from.request_id,
        range_code=range_code,
    )
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={
            **(headers or {}),
            "Content-Disposition": f'attachment; filename="{filename()}"',
            "X-Total-Count": str(download.rows),
        },
    )
