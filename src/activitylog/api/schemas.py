"""The API's JSON shapes as pydantic models, so /openapi.json describes every body, answer and error exactly.

Handlers build their answers as plain dicts and serialise them once (validating 500 entries through these
models on every page would cost more than the query); tests check the answers against these schemas.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from activitylog.ingest.validation import EventIn

# --- Errors -------------------------------------------------------------------------------------------------


class FieldProblem(BaseModel):
    index: int | None = Field(None, description="The item's position in a batch; absent for a single entry.")
    field: str = Field(description="The field's dotted path, e.g. `metadata.before` or `limit`.")
    message: str = Field(description="What is wrong, in words a person can act on.")


class ErrorDetail(BaseModel):
    code: str = Field(
        description="A machine code: bad_request, invalid, unauthorized, forbidden, not_found, payload_too_large, "
        "method_not_allowed, unavailable or internal_error."
    )
    message: str = Field(description="The first problem, in words.")
    field: str | None = Field(description="The field of the first problem, when one field is to blame.")
    errors: list[FieldProblem] = Field(description="Every problem found, each with its field (and batch index).")


class ErrorResponse(BaseModel):
    error: ErrorDetail
    request_id: str | None = Field(description="The request's X-Request-ID: quote it when reporting a problem.")


class IntercomError(BaseModel):
    code: str = Field(description="unauthorized, forbidden, parameter_not_found, parameter_invalid, not_found, ...")
    message: str
    field: str | None = None


class IntercomErrorList(BaseModel):
    type: Literal["error.list"] = "error.list"
    request_id: str | None
    errors: list[IntercomError]


# --- Native API -----------------------------------------------------------------------------------------


class EventBatch(BaseModel):
    """A batch: all of it is written, or none of it."""

    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(description="1 to 1,000 events; give each an `idempotency_key` to retry safely.")


class ActorOut(BaseModel):
    type: Literal["teammate", "api_token", "system"]
    id: str | None
    name: str | None = Field(description="The name as it was when the action happened.")
    email: str | None


class ChannelTokenOut(BaseModel):
    id: str = Field(description="The token's id (stored with the entry).")
    name: str | None = Field(description="The token's current name; null when the workspace no longer knows it.")
    revoked: bool | None = Field(description="Whether the token has been revoked since; null when unknown.")


class ChannelOut(BaseModel):
    """How the entry arrived, as recorded by the service (a client cannot set it)."""

    kind: Literal["console", "api", "cli", "system", "scim"] = Field(
        description="`console`: the console's own action; `api`: through an API token; `cli`: the command "
        "line; `system`: the service itself (retention, schedulers); `scim`: directory provisioning."
    )
    token: ChannelTokenOut | None = Field(description="The token, for `api` and `scim`; null for the others.")


class EventOut(BaseModel):
    id: str = Field(description="The entry's id (a UUIDv7: sorts by time).")
    type: str = Field(description="The activity type's code (see GET /v1/activity-types).")
    label: str = Field(description="The activity type's label, as admins see it.")
    category: str
    sentence: str = Field(description="The entry as a sentence, e.g. “Beth-Ann Sher changed the workspace name…”.")
    actor: ActorOut
    occurred_at: str = Field(description="When it happened: ISO 8601, UTC, microseconds.")
    recorded_at: str = Field(description="When the log stored it: ISO 8601, UTC.")
    ip: str | None
    user_agent: str | None
    metadata: dict[str, Any] = Field(description="Type-specific details, such as `before` and `after` values.")
    request_id: str | None
    idempotency_key: str | None
    via: ChannelOut | None = Field(
        description="How the entry arrived; null for entries recorded before channels were kept."
    )


class EventPage(BaseModel):
    data: list[EventOut] = Field(description="Entries, newest first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    has_more: bool


class RecordedItem(BaseModel):
    index: int = Field(description="The item's position in the request (0 for a single entry).")
    id: str = Field(description="The entry's id; for a duplicate, the id the first write stored.")
    status: Literal["created", "duplicate"]


class RecordResponse(BaseModel):
    items: list[RecordedItem]
    created: int = Field(description="How many entries this request wrote.")
    duplicates: int = Field(description="How many items were skipped: their idempotency key was already used.")


class ActivityTypeOut(BaseModel):
    code: str
    label: str
    category: str
    source: str = Field(description="intercom-api, intercom-other (further Intercom codes) or new (ours).")
    template: str = Field(description="The sentence template; `{actor}` and metadata paths in braces.")
    metadata_schema: dict[str, Any] = Field(description="The JSON Schema the metadata of this type must satisfy.")
    example: dict[str, Any] = Field(description="Example metadata.")


class ActivityTypeList(BaseModel):
    data: list[ActivityTypeOut]


class TeammateOut(BaseModel):
    id: str
    name: str
    email: str | None
    role: str | None
    status: Literal["invited", "active", "deleted"]
    kind: Literal["member", "actor"] = Field(
        description="member: a teammate of the console; actor: known only from recorded events (never signs in)."
    )


class TeammateList(BaseModel):
    data: list[TeammateOut] = Field(description="Every teammate, deleted ones last (their entries keep their name).")


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    database: str = Field(description="`ok`, or why the database cannot be used.")


# --- Intercom-compatible API -----------------------------------------------------------------------------


class PerformedBy(BaseModel):
    type: Literal["admin"] = Field(description="Always `admin`, the type Intercom clients expect.")
    id: str = Field(description="The teammate's id; an API token's id; `system` for the system.")
    email: str | None
    ip: str | None


class IntercomActivityLog(BaseModel):
    id: str
    performed_by: PerformedBy
    metadata: dict[str, Any]
    created_at: int = Field(description="When it happened, in Unix seconds.")
    activity_type: str
    activity_description: str


class Pages(BaseModel):
    type: Literal["pages"] = "pages"
    page: int
    per_page: int
    total_pages: int
    next: str | None = Field(description="The absolute URL of the next page; null on the last page.")


class ActivityLogList(BaseModel):
    type: Literal["activity_log.list"] = "activity_log.list"
    pages: Pages
    activity_logs: list[IntercomActivityLog] = Field(description="Newest first.")


class ActivityLogSearch(BaseModel):
    """The body of POST /admins/activity_logs/search (times as Unix seconds, given as integers or strings)."""

    created_at_after: int | str = Field(description="Entries at or after this time (Unix seconds). Required.")
    created_at_before: int | str | None = Field(None, description="Entries before this time (default: now).")
    event_types: list[str] | None = Field(None, description="Only these activity types (codes).")
    page: int | None = Field(None, ge=1, description="The page, from 1.")
    per_page: int | None = Field(None, ge=1, le=250, description="Entries per page, 1 to 250 (default 20).")


class EventTypeList(BaseModel):
    type: Literal["activity_log_event_type.list"] = "activity_log_event_type.list"
    event_types: list[str]


def error_responses(*statuses: int, intercom: bool = False) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each error status it can answer, with the error shape of its surface."""
    words = {
        400: "The request is malformed (bad JSON, a bad cursor, a bad parameter).",
        401: "No token, an unknown token or a revoked one.",
        403: "The token lacks the scope this needs.",
        404: "No such entry in this workspace (or no such route).",
        408: "The body did not arrive in time (ACTIVITYLOG_BODY_TIMEOUT_SECONDS); nothing was written.",
        413: "The body is larger than the limit.",
        422: "Invalid values: every problem is listed with its field (and index in a batch).",
        503: "The database is locked, full or unreachable; nothing was written: retry after Retry-After seconds.",
    }
    model = IntercomErrorList if intercom else ErrorResponse
    return {status: {"model": model, "description": words[status]} for status in statuses}
