"""Prometheus metrics: requests, latencies and what happened to the entries sent to us.

Each app has its own registry (tests build many apps in one process; the global registry would refuse the
second). Requests are labelled by route template, never by raw path, so an id in a URL cannot blow up the
number of series.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from activitylog.export.pool import ExportPool

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.exports: ExportPool | None = None
        running = Gauge("activitylog_exports_running", "CSV exports streaming now.", registry=self.registry)
        running.set_function(lambda: self.exports.running if self.exports else 0)
        waiting = Gauge("activitylog_exports_waiting", "CSV exports queued for a slot.", registry=self.registry)
        waiting.set_function(lambda: self.exports.waiting if self.exports else 0)
        self.requests = Counter(
            "activitylog_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "activitylog_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by method and route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.recorded = Counter(
            "activitylog_entries_recorded", "Entries written to the log through the API.", registry=self.registry
        )
        self.rejected = Counter(
            "activitylog_entries_rejected",
            "Entries refused as invalid (every entry of a refused request counts: nothing of it is written).",
            registry=self.registry,
        )
        self.duplicates = Counter(
            "activitylog_entries_duplicate",
            "Entries skipped because their idempotency key had already been used in the workspace.",
            registry=self.registry,
        )

    def watch_exports(self, pool: ExportPool) -> None:
        """The export pool the gauges read when scraped (the lifespan makes one per start)."""
        self.exports = pool

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request (pure ASGI: no extra task per request)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - start)


router = APIRouter()


@router.get(
    "/metrics",
    tags=["operations"],
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}}}},
)
async def metrics_endpoint(request: Request) -> Response:
    """Requests, latencies and entries (recorded, rejected, duplicates) in Prometheus's text format."""
    metrics: Metrics = request.app.state.metrics
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
