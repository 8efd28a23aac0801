"""The Intercom-compatible API, `/admins`: what Intercom's clients call, answered in Intercom's shapes.

Decisions where Intercom's documents are silent (each pinned by a test):
- `created_at_after` is inclusive, `created_at_before` exclusive, so consecutive windows neither overlap nor
  leave a gap; times are Unix seconds, given as integers or strings;
- `performed_by` is always `{"type": "admin", ...}` (what clients expect); its `id` is the teammate's id, an
  API token's id, or `"system"`;
- paging is by `page` / `per_page`, newest first by (time, id). `pages.next` is the absolute URL of the next
  page and also carries `starting_after`, a keyset cursor, so following `next` costs one index range however
  deep the page. A `page` asked for without the cursor is placed by the count: past the last page it is an
  empty `activity_logs` with `next` null at once; otherwise one query steps over the entries before it
  inside the database, from the newest end or, nearer the last page, from the oldest (`ActivityLog.seek`),
  so page 1 and the last page cost the same and only the middle of a long log costs more;
- `total_pages` comes from a count kept for ten seconds, so it may lag new entries by that much, and so may
  where a page number lands near the end or past it.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from activitylog.api.auth import reader
from activitylog.api.errors import IntercomParameterError
from activitylog.api.filters import parse_filter
from activitylog.api.responses import dumps, json_response
from activitylog.api.schemas import ActivityLogList, EventTypeList, error_responses
from activitylog.catalog import REGISTRY
from activitylog.domain.cursor import Cursor
from activitylog.domain.entry import Entry
from activitylog.domain.filters import ActivityFilter, FieldNames
from activitylog.errors import BadRequest
from activitylog.http.body import read_json
from activitylog.http.clientinfo import base_url
from activitylog.http.state import services
from activitylog.http.tenants import Tenant
from activitylog.service import ActivityLog
from activitylog.storage.base import Workspace

router = APIRouter(prefix="/admins", tags=["intercom-compatible"])

DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 250
MAX_SEARCH_BODY = 64 * 1024
# Intercom's names for the filter's fields, in its errors.
_NAMES = FieldNames(types="event_types", since="created_at_after", until="created_at_before")
_PAGING = ("page", "per_page", "starting_after")
# In the document only: the handlers check paging themselves, to answer with Intercom's error.
_PER_PAGE_BOUNDS: dict[str, Any] = {"minimum": 1, "maximum": MAX_PER_PAGE}


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    per_page: int
    starting_after: Cursor | None


def _digits(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also takes "²", which `int()` refuses."""
    return text.isascii() and text.isdigit()


def _seconds(value: Any, field: str) -> str | None:
    """Unix seconds as an integer or a string of digits, as text for the filter; None when absent."""
    if value is None or value == "":
        return None
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not _digits(text.removeprefix("-")):
        raise IntercomParameterError("parameter_invalid", field, f"{field} must be a Unix timestamp in seconds")
    return text


def _positive(value: Any, field: str, default: int, highest: int | None = None) -> int:
    if value is None or value == "":
        return default
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    number = int(text) if _digits(text) and len(text) <= 18 else 0
    if number < 1 or (highest is not None and number > highest):
        bounds = f"between 1 and {highest}" if highest else "at least 1"
        raise IntercomParameterError("parameter_invalid", field, f"{field} must be an integer {bounds}")
    return number


def _paging(page: Any, per_page: Any, starting_after: Any) -> Paging:
    cursor = None
    if starting_after:
        try:
            cursor = Cursor.decode(str(starting_after))
        except BadRequest:
            raise IntercomParameterError(
                "parameter_invalid", "starting_after", "starting_after is not a cursor this service issued"
            ) from None
    return Paging(_positive(page, "page", 1), _positive(per_page, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE), cursor)


def _filter(after: Any, before: Any, event_types: Any) -> ActivityFilter:
    since = _seconds(after, "created_at_after")
    if since is None:
        raise IntercomParameterError(
            "parameter_not_found", "created_at_after", "Please provide the following parameters: created_at_after"
        )
    if event_types is not None and not (
        isinstance(event_types, list) and all(isinstance(code, str) for code in event_types)
    ):
        raise IntercomParameterError("parameter_invalid", "event_types", "event_types must be a list of strings")
    return parse_filter(types=event_types, since=since, until=_seconds(before, "created_at_before"), names=_NAMES)


def render(entry: Entry) -> dict[str, Any]:
    """One entry as Intercom's `activity_log` object."""
    return {
        "id": entry.id,
        "performed_by": {
            "type": "admin",
            "id": entry.actor.id or entry.actor.type,
            "email": entry.actor.email,
            "ip": entry.ip,
        },
        "metadata": entry.metadata,
        "created_at": entry.occurred_us // 1_000_000,
        "activity_type": entry.type,
        "activity_description": entry.sentence(),
    }


class _Totals:
    """Match counts for `total_pages`, kept a few seconds: a client paging through a million entries asks the
    same count thousands of times, and counting them takes tens of milliseconds each time."""

    TTL_S, MAX_SIZE = 10.0, 1000

    def __init__(self) -> None:
        self._counts: dict[tuple[str, ActivityFilter], tuple[float, int]] = {}
        self._lock = threading.Lock()

    def count(self, log: ActivityLog, workspace: Workspace, where: ActivityFilter) -> int:
        key = (workspace.id, where)
        with self._lock:
            hit = self._counts.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        total = log.count(workspace, where)
        with self._lock:
            if len(self._counts) >= self.MAX_SIZE:
                self._counts.clear()
            self._counts[key] = (time.monotonic() + self.TTL_S, total)
        return total


_TOTALS = _Totals()


def _list(log: ActivityLog, tenant: Tenant, where: ActivityFilter, paging: Paging) -> tuple[list[Entry], int, Any]:
    """The page's entries, the total number of pages, and the cursor after the page (None on the last)."""
    workspace = tenant.workspace
    total = _TOTALS.count(log, workspace, where)
    total_pages = math.ceil(total / paging.per_page)
    start = paging.starting_after
    if start is None and paging.page > 1:
        skip = (paging.page - 1) * paging.per_page
        # Past the last page: nothing to look for (and a skip past 64 bits never reaches the database).
        start = log.seek(workspace, where, skip, total=total) if skip < total else None
        if start is None:
            return [], total_pages, None
    page = log.query(workspace, where, limit=paging.per_page, cursor=start)
    return page.entries, total_pages, page.next_cursor


def _answer(request: Request, tenant: Tenant, where: ActivityFilter, paging: Paging) -> Response:
    ctx = services(request)
    entries, total_pages, after = _list(ctx.log, tenant, where, paging)
    next_url = None
    if after is not None:
        kept = [(k, v) for k, v in request.query_params.multi_items() if k not in _PAGING]
        query = urlencode(
            [*kept, ("page", paging.page + 1), ("per_page", paging.per_page), ("starting_after", after.encode())]
        )
        next_url = (
            f"{base_url(request, ctx.settings.proxy_networks, ctx.settings.public_url)}{request.url.path}?{query}"
        )
    pages = {
        "type": "pages",
        "page": paging.page,
        "per_page": paging.per_page,
        "total_pages": total_pages,
        "next": next_url,
    }
    return json_response(
        {"type": "activity_log.list", "pages": pages, "activity_logs": [render(entry) for entry in entries]}
    )


@router.get(
    "/activity_logs",
    summary="List activity logs (Intercom-compatible)",
    response_model=ActivityLogList,
    responses=error_responses(400, 401, 403, 503, intercom=True),
)
def list_activity_logs(
    request: Request,
    tenant: Annotated[Tenant, Depends(reader)],
    created_at_after: Annotated[
        int | None, Query(description="Required. Entries at or after this time, in Unix seconds.")
    ] = None,
    created_at_before: Annotated[int | None, Query(description="Entries before this time (default: now).")] = None,
    page: Annotated[int | None, Query(description="The page, from 1.", json_schema_extra={"minimum": 1})] = None,
    per_page: Annotated[
        int | None, Query(description="Entries per page, 1 to 250 (default 20).", json_schema_extra=_PER_PAGE_BOUNDS)
    ] = None,
    starting_after: Annotated[
        str | None, Query(description="A cursor from `pages.next`; it makes deep pages as cheap as the first.")
    ] = None,
) -> Response:
    """The workspace's activity, newest first, in Intercom's `activity_log.list` shape."""
    where = _filter(created_at_after, created_at_before, None)
    return _answer(request, tenant, where, _paging(page, per_page, starting_after))


@router.post(
    "/activity_logs/search",
    summary="Search activity logs by type (Intercom-compatible)",
    response_model=ActivityLogList,
    responses=error_responses(400, 401, 403, 408, 413, 503, intercom=True),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActivityLogSearch"}}},
        }
    },
)
async def search_activity_logs(
    request: Request,
    tenant: Annotated[Tenant, Depends(reader)],
    page: Annotated[
        int | None,
        Query(description="Overrides the body's `page` (as `pages.next` does).", json_schema_extra={"minimum": 1}),
    ] = None,
    per_page: Annotated[
        int | None, Query(description="Overrides the body's `per_page`.", json_schema_extra=_PER_PAGE_BOUNDS)
    ] = None,
    starting_after: Annotated[str | None, Query(description="A cursor from `pages.next`.")] = None,
) -> Response:
    """Like the list, filtered by `event_types`; to follow `pages.next`, POST the same body to that URL."""
    body = await read_json(request, MAX_SEARCH_BODY)
    if not isinstance(body, dict):
        raise IntercomParameterError("parameter_invalid", "body", "the body must be a JSON object")
    where = _filter(body.get("created_at_after"), body.get("created_at_before"), body.get("event_types"))
    paging = _paging(
        page if page is not None else body.get("page"),
        per_page if per_page is not None else body.get("per_page"),
        starting_after,
    )
    return await run_in_threadpool(_answer, request, tenant, where, paging)


_EVENT_TYPES = dumps({"type": "activity_log_event_type.list", "event_types": REGISTRY.codes()})


@router.get(
    "/activity_log_event_types",
    summary="List activity log event types (Intercom-compatible)",
    response_model=EventTypeList,
    responses=error_responses(401, 403, intercom=True),
)
async def activity_log_event_types(tenant: Annotated[Tenant, Depends(reader)]) -> Response:
    """Every activity type code this service knows."""
    return Response(_EVENT_TYPES, media_type="application/json")
