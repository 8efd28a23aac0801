"""Health, readiness and metrics."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.support.factories import event
from tests.support.servers import Tenant, start_server, stop_server


def test_healthz_and_readyz(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    assert http.get("/readyz").json() == {"status": "ok", "database": "ok"}


def _value(text: str, line_start: str) -> float:
    found = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(line_start)]
    return sum(found)


def test_metrics_count_requests_latencies_and_entries(http: httpx.Client, tenant: Tenant) -> None:
    before = http.get("/metrics").text
    http.post("/v1/events", json={"events": [event(key="m1"), event(key="m2")]}, headers=tenant.headers())
    http.post("/v1/events", json={"events": [event(key="m1"), event(key="m3")]}, headers=tenant.headers())
    http.post("/v1/events", json={"events": [event(), event(type="nope")]}, headers=tenant.headers())
    after = http.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    assert (
        _value(text, "activitylog_entries_recorded_total") - _value(before, "activitylog_entries_recorded_total") == 3
    )
    assert (
        _value(text, "activitylog_entries_duplicate_total") - _value(before, "activitylog_entries_duplicate_total") == 1
    )
    assert (
        _value(text, "activitylog_entries_rejected_total") - _value(before, "activitylog_entries_rejected_total") == 2
    )
    assert re.search(r'activitylog_http_requests_total\{method="POST",route="/v1/events",status="201"\} \d', text)
    assert re.search(r'activitylog_http_requests_total\{method="POST",route="/v1/events",status="422"\} \d', text)
    assert 'activitylog_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/v1/events"}' in text
    http.get("/v1/events/some-id-12345")
    assert 'route="/v1/events/{entry_id}"' in http.get("/metrics").text  # templates, not raw paths


def test_readyz_is_503_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    database = tmp_path / "gone.db"
    process, base_url = start_server(f"sqlite:///{database}", tmp_path / "server.log")
    try:
        # The file is replaced by a directory: the next connection (readyz's first read) cannot open it.
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        database.mkdir()
        answer = httpx.get(f"{base_url}/readyz")
        assert answer.status_code == 503
        assert answer.json()["status"] == "unavailable"
        assert answer.headers["retry-after"]
        assert httpx.get(f"{base_url}/healthz").status_code == 200
    finally:
        stop_server(process)
