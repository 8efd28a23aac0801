"""The native API, `/v1`: record events (one or a batch), query them, download them as CSV.

Handlers parse, authorise (through `reader` / `writer`), call the service and render; nothing else.
Invariants: a request writes all of its events or none; a retried request (same idempotency keys) writes
nothing new and answers with the ids the first one stored; every filter is the one `ActivityFilter`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response, StreamingResponse

from activitylog.api.auth import reader, writer
from activitylog.api.filters import parse_filter
from activitylog.api.responses import dumps, json_response
from activitylog.api.schemas import (
    ActivityTypeList,
    EventOut,
    EventPage,
    RecordResponse,
    TeammateList,
    error_responses,
)
from activitylog.catalog import REGISTRY
from activitylog.domain.filters import ActivityFilter
from activitylog.errors import InvalidInput
from activitylog.export import csv as csv_export
from activitylog.export.filename import csv_filename
from activitylog.http.body import read_json
from activitylog.http.downloads import csv_download
from activitylog.http.request_id import request_id
from activitylog.http.state import services
from activitylog.http.tenants import Tenant
from activitylog.ingest.batch import MAX_BATCH, check_size
from activitylog.service import MAX_PAGE, BatchResult
from activitylog.timeutil import from_us
from activitylog.tokens import token_names_for

router = APIRouter(prefix="/v1")

TypeParam = Annotated[
    list[str] | None,
    Query(alias="type", description="Activity type codes; repeat the parameter or separate codes with commas."),
]
TeammateParam = Annotated[
    list[str] | None, Query(alias="teammate", description="Teammate (actor) ids; repeat or comma-separate.")
]
SinceParam = Annotated[
    str | None, Query(description="From this time, inclusive: ISO 8601 with an offset, a date (UTC), or Unix seconds.")
]
UntilParam = Annotated[str | None, Query(description="Before this time, exclusive; same formats as `since`.")]
IpParam = Annotated[str | None, Query(description="An IP address or a CIDR block, v4 or v6: `203.0.113.0/24`.")]
QParam = Annotated[
    str | None,
    Query(
        max_length=2000,
        description=(
            "Full-text search: words match words of the sentence, the teammate's name and email, the IP and "
            'metadata values that start with them; "quoted phrases" match whole words in order; field terms '
            "`actor:` (or `teammate:`), `type:` and `ip:` narrow further. All terms must match, and combine "
            'with the other filters. Example: `actor:beth type:admin_login_failure "security settings"`. '
            "A bad search is a 422 naming `q`."
        ),
    ),
]


async def _event_filter(
    types: TypeParam = None,
    teammates: TeammateParam = None,
    since: SinceParam = None,
    until: UntilParam = None,
    ip: IpParam = None,
    q: QParam = None,
) -> ActivityFilter:
    """The filter parameters every reading route takes, parsed once (errors name the parameters).

    Async on purpose, though it never awaits: FastAPI runs a plain `def` dependency on the thread pool, and that
    hop cost every page read 0.1-0.2 ms (about 8% of a first page over HTTP)."""
    return parse_filter(types=types, teammates=teammates, since=since, until=until, ip=ip, q=q)


EventFilter = Annotated[ActivityFilter, Depends(_event_filter)]

_RECORD_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"$ref": "#/components/schemas/EventIn"},
                    {"$ref": "#/components/schemas/EventBatch"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/EventIn"}, "maxItems": MAX_BATCH},
                ]
            },
            "examples": {
                "single": {
                    "summary": "One event",
                    "value": {
                        "type": "app_name_change",
                        "actor": {"type": "teammate", "id": "tm_42", "name": "Beth-Ann Sher"},
                        "ip": "203.0.113.7",
                        "metadata": {"before": "Acme", "after": "Acme Inc."},
                    },
                },
                "batch": {
                    "summary": "A batch",
                    "value": {
                        "events": [
                            {
                                "type": "admin_login_success",
                                "actor": {"type": "teammate", "id": "tm_42", "name": "Beth-Ann Sher"},
                                "metadata": {"sign_in_method": "email_password"},
                                "idempotency_key": "login-8f14e45f",
                            }
                        ]
                    },
                },
            },
        }
    },
}


MAX_KEY_HEADER = 190  # leaves room for ":<index>" within an idempotency key's 200 characters
# Read from the headers by the handler itself (a declared Header parameter costs a validation pass per request).
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: a single event's key; in a batch, item i without its own key gets "
    "`<key>:<i>`. A retry writes nothing new and answers with the first call's ids.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_HEADER},
}

# --- Recording ----------------------------------------------------------------------------------------------


def _items(body: Any, key: str | None, rid: str | None) -> tuple[list[Any], bool]:
    """The events of a body (and whether it was a single event), with request-level defaults applied."""
    if isinstance(body, dict) and "events" in body:
        extra = sorted(set(body) - {"events"})
        if extra:
            raise InvalidInput.single(extra[0], "is not a known field of a batch (it holds only `events`)")
        items, single = body["events"], False
        if not isinstance(items, list):
            raise InvalidInput.single("events", "must be a list of events")
    elif isinstance(body, list):
        items, single = body, False
    elif isinstance(body, dict):
        items, single = [body], True
    else:
        raise InvalidInput.single("body", 'must be an event object, a list of events or {"events": [...]}')
    if not items:
        raise InvalidInput.single("events", "must hold at least one event")
    check_size(len(items))
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue  # validation reports it, with its index
        if key is not None:
            # One header makes a whole batch retryable: item i gets "<key>:<i>" unless it carries its own key.
            own = item.get("idempotency_key")
            wanted = key if single else f"{key}:{index}"
            if single and own is not None and own != key:
                raise InvalidInput.single("idempotency_key", "differs from the Idempotency-Key header")
            item.setdefault("idempotency_key", wanted)
        if rid is not None:
            item.setdefault("request_id", rid)  # ties the entry to this API request unless the caller has its own
    return items, single


def _answer(result: BatchResult, count: int) -> dict[str, Any]:
    duplicates = {d.index: d.entry_id for d in result.result.duplicates}
    inserted = iter(result.inserted)
    items = [
        {"index": i, "id": duplicates[i], "status": "duplicate"}
        if i in duplicates
        else {"index": i, "id": next(inserted), "status": "created"}
        for i in range(count)
    ]
    return {"items": items, "created": len(result.inserted), "duplicates": len(duplicates)}


@router.post(
    "/events",
    status_code=201,
    tags=["events"],
    summary="Record one event or a batch",
    response_model=RecordResponse,
    responses=error_responses(400, 401, 403, 408, 413, 422, 503),
    openapi_extra={"requestBody": _RECORD_BODY, "parameters": [_IDEMPOTENCY_KEY]},
)
async def record_events(
    request: Request,
    tenant: Annotated[Tenant, Depends(writer)],
) -> Response:
    """Record one event, or a batch of up to 1,000 (`{"events": [...]}` or a JSON array).

    Every item is validated first; if any is refused, nothing is written and the 422 lists every problem by
    item index and field. Items whose idempotency key the workspace has already used are skipped and answered
    with the id stored the first time (`status: duplicate`). The body may be at most 5 MiB (413 above).
    """
    ctx = services(request)
    idempotency_key = request.headers.get("idempotency-key")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= MAX_KEY_HEADER:
        raise InvalidInput.single("Idempotency-Key", f"must be 1 to {MAX_KEY_HEADER} characters")
    body = await read_json(request, ctx.settings.max_body_bytes)
    items, single = _items(body, idempotency_key, request_id(request))
    try:
        # The channel is the authenticated token's, never anything the body says.
        result = await ctx.log.record_async(
            tenant.workspace, items, via=ctx.writer, channel=tenant.channel, single=single
        )
    except InvalidInput:
        ctx.metrics.rejected.inc(len(items))
        raise
    ctx.metrics.recorded.inc(len(result.inserted))
    ctx.metrics.duplicates.inc(len(result.result.duplicates))
    answer = _answer(result, len(items))
    headers = {}
    if single:
        headers["Location"] = f"/v1/events/{answer['items'][0]['id']}"
    if not result.inserted:
        headers["Idempotent-Replayed"] = "true"
    return json_response(answer, 201, headers)


# --- Reading ------------------------------------------------------------------------------------------------


@router.get(
    "/events",
    tags=["events"],
    summary="Query events",
    response_model=EventPage,
    responses=error_responses(400, 401, 403, 422, 503),
)
def list_events(
    request: Request,
    tenant: Annotated[Tenant, Depends(reader)],
    where: EventFilter,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Entries per page, 1 to 500.")] = 50,
    cursor: Annotated[str | None, Query(description="The `next_cursor` of the previous page.")] = None,
) -> Response:
    """Entries newest first, filtered by activity type, teammate, time range, IP and search (`q`); pages by
    cursor."""
    # An empty cursor is no cursor, as an empty filter parameter is no filter.
    page = services(request).log.query(tenant.workspace.id, where, limit=limit, cursor=cursor or None)
    next_cursor = page.next_cursor.encode() if page.next_cursor else None
    log = services(request).log
    names = token_names_for(log, tenant.workspace, page.entries)
    data = [entry.as_dict(names) for entry in page.entries]
    return json_response({"data": data, "next_cursor": next_cursor, "has_more": next_cursor is not None})


@router.get(
    "/events/{entry_id}",
    tags=["events"],
    summary="One event",
    response_model=EventOut,
    responses=error_responses(401, 403, 404, 503),
)
def get_event(
    request: Request,
    tenant: Annotated[Tenant, Depends(reader)],
    entry_id: Annotated[str, Path(max_length=64, description="The entry's id.")],
) -> Response:
    """One entry of this workspace by id (404 for any other workspace's entry)."""
    log = services(request).log
    entry = log.get_entry(tenant.workspace.id, entry_id)
    return json_response(entry.as_dict(token_names_for(log, tenant.workspace, [entry])))


def _filename(workspace_name: str, where: ActivityFilter, zone: ZoneInfo, now: int) -> str:
    """The shared file-name rule over the filter's local days; an open end stops at today."""

    def day(micros: int) -> date:
        return from_us(micros).astimezone(zone).date()

    first = day(where.since_us) if where.since_us is not None else None
    last = day(min(where.until_us, now)) if where.until_us is not None else None
    return csv_filename(workspace_name, first, last, day(now))


@router.get(
    "/events.csv",
    tags=["events"],
    summary="Download events as CSV",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "Every matching entry, streamed; columns: " + ", ".join(csv_export.COLUMNS) + ".",
        },
        **error_responses(400, 401, 403, 422, 503),
    },
)
def export_events(
    request: Request,
    tenant: Annotated[Tenant, Depends(reader)],
    where: EventFilter,
) -> StreamingResponse:
    """Every entry the filters match, newest first, streamed as CSV in the workspace's timezone.

    The download is itself logged (`data_export_run`, by the token) before the first byte is sent, with the
    number of rows it holds. The export covers entries up to the moment of the request, so it never contains
    its own `data_export_run` entry, and the row count in that entry matches the file. The server runs a
    few exports at once (`ACTIVITYLOG_EXPORT_WORKERS`) and queues some more; past that, 503 with Retry-After.
    """
    clock = services(request).log.clock
    workspace = tenant.workspace
    return csv_download(
        request,
        workspace,
        where,
        tenant.actor.as_dict(),
        lambda: _filename(workspace.name, where, ZoneInfo(workspace.timezone), clock()),
        channel=tenant.channel,
    )


# --- Reference data -----------------------------------------------------------------------------------------

_TYPES_BODY: bytes | None = None


def _types_body() -> bytes:
    global _TYPES_BODY  # the catalog is fixed at import: serialise it once
    if _TYPES_BODY is None:
        data = [t.as_dict() for t in REGISTRY]
        _TYPES_BODY = dumps({"data": data})
    return _TYPES_BODY


@router.get(
    "/activity-types",
    tags=["reference"],
    summary="The activity-type catalog",
    response_model=ActivityTypeList,
    responses=error_responses(401, 403),
)
async def activity_types(tenant: Annotated[Tenant, Depends(reader)]) -> Response:
    """Every activity type: code, label, category, sentence template, metadata schema and an example."""
    return Response(_types_body(), media_type="application/json")


@router.get(
    "/teammates",
    tags=["reference"],
    summary="The workspace's teammates",
    response_model=TeammateList,
    responses=error_responses(401, 403, 503),
)
def teammates(request: Request, tenant: Annotated[Tenant, Depends(reader)]) -> Response:
    """Every teammate of the workspace, deleted ones and actors known only from events included (for the
    teammate filter)."""
    found = services(request).log.teammates(tenant.workspace.id)
    data = [
        {"id": t.id, "name": t.name, "email": t.email, "role": t.role, "status": t.status, "kind": t.kind}
        for t in found
    ]
    return json_response({"data": data})
