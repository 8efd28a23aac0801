"""The composition root: the shell (`http`) with the console (`web`) and the REST API (`api`) mounted in it.

The console mounts first, so its pages render the errors of its paths; the API's native error shape then
takes every other path.
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
    return build(settings or load(), (mount_console, mount_api), store=store)
