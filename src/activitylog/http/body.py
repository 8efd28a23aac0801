"""Read a JSON request body without ever holding more than the limit in memory.

A declared Content-Length over the limit is refused before a byte is read; a body without one (chunked) is
counted as it streams and refused as soon as it passes the limit. Either way: 413, nothing written.
A body that trickles in is given `body_timeout_seconds` in all (408), so a slow client cannot hold a request
(and the memory of its body) for long; the server's protocol guards the request line and headers the same way.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.requests import Request

from activitylog.errors import BadRequest, FieldError, PayloadTooLarge, RequestTimeout

DEFAULT_TIMEOUT_S = 30.0  # when the app has no settings (see Settings.body_timeout_seconds)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the body is larger than the limit of {limit:,} bytes; send smaller batches", field="body")


def _deadline(request: Request) -> float:
    services = getattr(request.app.state, "services", None)
    return float(services.settings.body_timeout_seconds) if services is not None else DEFAULT_TIMEOUT_S


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise BadRequest([FieldError("Content-Length", "is not a number of bytes")])
        if int(declared) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    timeout = _deadline(request)
    try:
        with anyio.fail_after(timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                chunks.append(chunk)
    except TimeoutError:
        message = f"the body did not arrive within {timeout:g} seconds; nothing was written"
        raise RequestTimeout(message, field="body") from None
    return b"".join(chunks)


async def read_json(request: Request, limit: int) -> Any:
    """The parsed body; BadRequest naming `body` when it is empty or not JSON."""
    raw = await read_limited(request, limit)
    if not raw.strip():
        raise BadRequest([FieldError("body", "is empty: send a JSON object")])
    try:
        return json.loads(raw)
    except ValueError as problem:  # JSONDecodeError, UnicodeDecodeError, an integer of too many digits
        where = f" at line {problem.lineno} column {problem.colno}" if isinstance(problem, json.JSONDecodeError) else ""
        raise BadRequest([FieldError("body", f"is not valid JSON{where}")]) from None
    except RecursionError:
        raise BadRequest([FieldError("body", "is nested too deeply")]) from None
