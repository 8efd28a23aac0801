"""Read a JSON request body without ever holding more than the limit in memory.

A declared Content-Length over the limit is refused before a byte is read; a body without one (chunked) is
counted as it streams and refused as soon as it passes the limit. Either way: 413, nothing written.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from activitylog.errors import BadRequest, FieldError, PayloadTooLarge


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"the body is larger than the limit of {limit:,} bytes; send smaller batches", field="body")


async def read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise BadRequest([FieldError("Content-Length", "is not a number of bytes")])
        if int(declared) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
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
