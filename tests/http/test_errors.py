"""The shell's error registry: each path gets the renderer of the surface that claims it, first match wins, and a
path no surface claims still gets an answer (plain text) rather than a crash."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from activitylog.api.mount import mount as mount_api
from activitylog.app import create_app
from activitylog.http.app import build
from activitylog.settings import load
from activitylog.web.mount import mount as mount_console


def _get(tmp_path: Path, mounts: tuple[Callable[[FastAPI], None], ...], path: str) -> httpx.Response:
    """One request in-process (routing and error handlers only: no route here needs the lifespan's state)."""
    app = build(load(database_url=f"sqlite:///{tmp_path / 'shell.db'}"), mounts)

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shell.test") as client:
            return await client.get(path)

    return asyncio.run(get())


def test_a_path_no_surface_claims_is_answered_in_plain_text(tmp_path: Path) -> None:
    answer = _get(tmp_path, (mount_console,), "/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.text == "no route GET /v1/nothing-here"


@pytest.mark.parametrize(
    "both", [(mount_console, mount_api), (mount_api, mount_console)], ids=["web-first", "api-first"]
)
def test_each_surface_renders_its_own_paths(tmp_path: Path, both: tuple[Callable[[FastAPI], None], ...]) -> None:
    """Whichever mounts first (the order routes are matched in), each path gets its own surface's errors."""
    native = _get(tmp_path, both, "/v1/nothing-here")
    assert native.status_code == 404
    assert native.json()["error"]["code"] == "not_found"
    intercom = _get(tmp_path, both, "/admins/nothing-here")
    assert intercom.json()["type"] == "error.list"
    page = _get(tmp_path, both, "/a/ws_missing/nothing-here")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_the_api_is_matched_before_the_console(tmp_path: Path) -> None:
    """Routes are tried in order: the API's (the hot path) must not first be tried against every console page."""
    app = create_app(load(database_url=f"sqlite:///{tmp_path / 'app.db'}"))
    paths = []
    for route in app.router.routes:  # FastAPI keeps an included router as one entry (`original_router`)
        inner = getattr(route, "original_router", None)
        paths += [r.path for r in inner.routes] if inner is not None else [getattr(route, "path", "")]
    assert paths.index("/v1/events") < paths.index("/a/{workspace_id}/settings/activity-logs")
