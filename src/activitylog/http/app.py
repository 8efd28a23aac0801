"""The shell both surfaces share: `build(settings, mounts, store=...)` makes the ASGI app they mount into.

Layers, outermost first: metrics (times everything), request id (sets X-Request-ID, turns a crash into a
500 in its surface's shape), the public-host check, error handlers (our errors rendered by the surface that
owns the path, `http.errors`), then the routes each mount adds. The lifespan opens the store and builds what
the routes share (`http.state`): the log, the writer, the export pool, the account operations, the retention
and checkpoint schedulers.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from activitylog import __version__
from activitylog.domain.metadata import warm_up
from activitylog.export.pool import ExportPool
from activitylog.http import errors, metrics
from activitylog.http.public_host import PublicHostMiddleware
from activitylog.http.request_id import RequestIdMiddleware
from activitylog.http.state import Accounts, Services
from activitylog.http.tenants import TokenCache
from activitylog.integrity.keys import load_or_create
from activitylog.integrity.scheduler import CheckpointScheduler
from activitylog.integrity.service import Integrity
from activitylog.retention_schedule import RetentionScheduler
from activitylog.service import ActivityLog
from activitylog.settings import Settings, signing_key_path
from activitylog.storage.base import Store
from activitylog.storage.integrity import IntegrityRepository
from activitylog.storage.writer import GroupCommitWriter

Mount = Callable[[FastAPI], None]


def build(settings: Settings, mounts: Sequence[Mount], *, store: Store | None = None) -> FastAPI:
    """The app with each surface mounted in order. Over `store` when given (the caller closes it); else it
    opens `settings.database_url` at start-up.

    Either way the log and the writer are set up by the lifespan: serve it with an ASGI server (or enter
    `app.router.lifespan_context(app)`) before sending requests.
    """
    app_metrics = metrics.Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from activitylog.storage import open_store

        opened = store if store is not None else open_store(settings.database_url)
        writer = GroupCommitWriter(opened)
        activity_log = ActivityLog(opened)
        app.state.services = Services(
            activity_log,
            settings,
            app_metrics,
            writer,
            TokenCache(settings.token_cache_seconds),
            ExportPool(settings.export_workers, settings.export_queue),
        )
        app_metrics.watch_exports(app.state.services.exports)
        retention = None
        if settings.retention_interval_hours > 0:
            retention = RetentionScheduler(activity_log, interval_s=settings.retention_interval_hours * 3600)
            retention.start()
        app.state.retention = retention
        app.state.accounts = Accounts.over(activity_log)
        # Tamper evidence: the signing key (made on first start, outside the database) and periodic checkpoints.
        integrity_service = Integrity(IntegrityRepository(opened), load_or_create(signing_key_path(settings)))
        app.state.integrity = integrity_service
        checkpoints = None
        if settings.checkpoint_interval_minutes > 0:
            checkpoints = CheckpointScheduler(integrity_service, interval_s=settings.checkpoint_interval_minutes * 60)
            checkpoints.start()
        warm_up()
        # What start-up built lives as long as the process: keep the collector from walking it again and again.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if checkpoints is not None:
                checkpoints.stop()
            if retention is not None:
                retention.stop()
            writer.close()
            if store is None:
                opened.close()

    app = FastAPI(
        title="activitylog",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # the API mounts its own, from the package: FastAPI's default loads Swagger UI from a CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.metrics = app_metrics
    errors.install(app)
    if settings.public_url:  # inside the request id, so a 421 carries one
        app.add_middleware(PublicHostMiddleware, public_url=settings.public_url, proxies=settings.proxy_networks)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(metrics.MetricsMiddleware, metrics=app_metrics)
    app.include_router(metrics.router)
    for mount in mounts:
        mount(app)
    return app
