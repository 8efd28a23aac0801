"""A crash still answers JSON in the shape of its surface, with the request id (the middleware, in-process)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from fastapi import FastAPI

from activitylog.api import errors
from activitylog.http import errors as shell_errors
from activitylog.http.request_id import RequestIdMiddleware

# The shell with the API's renderers, as the app has them (the crash is rendered through the app's registry).
APP = FastAPI()
errors.register(shell_errors.install(APP))


async def crash(scope: Any, receive: Any, send: Any) -> None:
    raise RuntimeError("a bug")


def call(path: str) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    scope = {"type": "http", "method": "GET", "path": path, "headers": [(b"x-request-id", b"trace-1")], "app": APP}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(RequestIdMiddleware(crash)(scope, receive, send))
    return sent


@pytest.mark.parametrize(("path", "shape"), [("/v1/events", "error"), ("/admins/activity_logs", "errors")])
def test_a_crash_is_a_json_500_with_the_request_id(path: str, shape: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="activitylog.api"):
        start, body = call(path)
    assert start["status"] == 500
    assert (b"x-request-id", b"trace-1") in start["headers"]
    answer = json.loads(body["body"])
    assert answer["request_id"] == "trace-1"
    assert shape in answer
    assert "trace-1" in caplog.text
    assert "a bug" in caplog.text
