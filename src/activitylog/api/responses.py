"""Answers serialised once with the standard library, skipping FastAPI's second pass through response models.

The models in `schemas.py` still document every answer; handlers return these plain-dict renderings, and the
tests check them against the models.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(data), status_code=status, media_type="application/json", headers=headers)
