"""What the sync and async clients share: building requests and reading answers (no I/O here)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from activitylog import __version__
from activitylog.errors import (
    ActivityLogError,
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    Unavailable,
)
from activitylog.sdk._retry import parse_retry_after
from activitylog.sdk.models import RecordedItem

MAX_BATCH = 1000  # the server's limit per request; record_many sends larger lists in chunks of this size
USER_AGENT = f"activitylog-python/{__version__}"
Filters = dict[str, Any]


def new_key() -> str:
    return "sdk_" + uuid.uuid4().hex


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT, "Accept": "application/json"}


def _iso(value: datetime | str | int | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    return value.isoformat()


def event(
    type: str,
    *,
    actor: Mapping[str, Any],
    metadata: Mapping[str, Any] | None = None,
    occurred_at: datetime | str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """The JSON of one event; absent parts are left out so the server's defaults apply."""
    body: dict[str, Any] = {"type": type, "actor": dict(actor), "metadata": dict(metadata or {})}
    optional = {"occurred_at": _iso(occurred_at), "ip": ip, "user_agent": user_agent, "request_id": request_id}
    body.update({k: v for k, v in optional.items() if v is not None})
    return body


def keyed(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the events, each with an idempotency key (its own, or a new one fixed for every retry)."""
    out = []
    for item in events:
        copy = dict(item)
        if isinstance(copy.get("occurred_at"), datetime):
            copy["occurred_at"] = copy["occurred_at"].isoformat()
        copy.setdefault("idempotency_key", new_key())
        out.append(copy)
    return out


def chunks(items: Sequence[dict[str, Any]]) -> list[tuple[int, Sequence[dict[str, Any]]]]:
    return [(start, items[start : start + MAX_BATCH]) for start in range(0, len(items), MAX_BATCH)]


def filter_params(
    *,
    types: Iterable[str] | str | None = None,
    teammates: Iterable[str] | str | None = None,
    since: datetime | str | int | None = None,
    until: datetime | str | int | None = None,
    ip: str | None = None,
    q: str | None = None,
) -> list[tuple[str, str | int | float | bool | None]]:
    params: list[tuple[str, str | int | float | bool | None]] = []
    for name, values in (("type", types), ("teammate", teammates)):
        if values is not None:
            params.extend((name, v) for v in ([values] if isinstance(values, str) else values))
    for name, value in (("since", _iso(since)), ("until", _iso(until)), ("ip", ip), ("q", q)):
        if value is not None:
            params.append((name, value))
    return params


def recorded(response: httpx.Response, offset: int = 0) -> list[RecordedItem]:
    return [RecordedItem(i["index"] + offset, i["id"], i["status"]) for i in response.json()["items"]]


def error_from(response: httpx.Response, offset: int = 0) -> ActivityLogError:
    """The server's error answer as the library's own exception (InvalidInput, Unauthorized, ...)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    detail: dict[str, Any] = body["error"] if isinstance(body.get("error"), dict) else {}
    status = response.status_code
    message = str(detail.get("message") or f"HTTP {status} {response.reason_phrase}")
    field = detail.get("field")
    errors = [
        FieldError(str(e.get("field")), str(e.get("message")), None if e.get("index") is None else e["index"] + offset)
        for e in detail.get("errors") or []
        if isinstance(e, dict)
    ] or [FieldError(str(field or "body"), message)]
    problem: ActivityLogError
    if status == 400:
        problem = BadRequest(errors, message)
    elif status == 422:
        problem = InvalidInput(errors, message)
    elif status in (429, 500, 502, 503, 504):
        problem = Unavailable(message, retry_after=round(parse_retry_after(response.headers.get("retry-after")) or 1))
    else:
        kinds: dict[int, type[ActivityLogError]] = {
            401: Unauthorized,
            403: Forbidden,
            404: NotFound,
            409: Conflict,
            413: PayloadTooLarge,
        }
        problem = kinds.get(status, ActivityLogError)(message, field=field)
        if status not in kinds:
            problem.status = status
            problem.code = str(detail.get("code") or "http_error")
    problem.request_id = body.get("request_id") or response.headers.get("x-request-id")
    return problem


def unreachable(url: str, attempts: int, cause: Exception) -> Unavailable:
    return Unavailable(f"could not reach {url} after {attempts} attempts: {type(cause).__name__}: {cause}")
