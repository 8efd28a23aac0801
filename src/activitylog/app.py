"""The composition root: the shell (`http`) with the console (`web`) and the REST API (`api`) mounted in it.

The API mounts first: a request is matched against the routes in the order they were added, and the API is
the hot path (a host records one event per user action), which must not first be tried against every console
route (that cost single-event recording 10-15%). Whose errors a path gets does not hang on the order: the
console renders its paths as pages, and the API's native shape is the fallback for every other path.
"""

from __future__ import annotations

from fastapi import FastAPI

from activitylog.api.mount import mount as mount_api
from activitylog.http.app import build
from activitylog.settings import Settings, load
from activitylog.storage.base import Store
from activitylog.web.mount import mount as mount_console


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> FastAPI:
    """The whole service. Over `store` when given (the caller closes it); else it opens `settings.database_url`
    at start-up (see `http.app.build`)."""
    return build(settings or load(), (mount_api, mount_console), store=store)
