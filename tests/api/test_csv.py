"""GET /v1/events.csv: the same entries as the API for the same filters, spreadsheet-safe, and logged."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from activitylog.export.csv import COLUMNS
from activitylog.service import ActivityLog
from tests.support.factories import ago, event
from tests.support.formulas import formula_starts
from tests.support.servers import Tenant, new_tenant

INJECTION = "=cmd|' /C calc'!A0"


def rows(answer: httpx.Response) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text
    assert answer.content.startswith(b"\xef\xbb\xbf"), answer.content[:20]  # the UTF-8 byte-order mark, for Excel
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_the_csv_holds_exactly_what_the_api_answers(http: httpx.Client, tenant: Tenant) -> None:
    batch = [
        event(["app_name_change", "admin_login_success"][i % 2], actor_id=f"tm{i % 3 + 1}", occurred_at=ago(hours=i))
        for i in range(30)
    ]
    http.post("/v1/events", json={"events": batch}, headers=tenant.headers())
    filters: dict[str, Any] = {"type": "app_name_change", "teammate": "tm1,tm2", "since": ago(hours=25)}
    listed = http.get("/v1/events", params={**filters, "limit": 500}, headers=tenant.headers()).json()["data"]
    answer = http.get("/v1/events.csv", params=filters, headers=tenant.headers())
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    got = rows(answer)
    assert list(got[0]) == list(COLUMNS)
    assert [r["Entry ID"] for r in got] == [e["id"] for e in listed]
    assert [r["Activity"] for r in got] == [e["sentence"] for e in listed]
    assert [r["Activity type"] for r in got] == [e["type"] for e in listed]
    assert answer.headers["x-total-count"] == str(len(listed))


def test_the_download_starts_with_a_byte_order_mark_so_excel_reads_accents(http: httpx.Client, tenant: Tenant) -> None:
    http.post("/v1/events", json=event(name="Tomás Ó Briain"), headers=tenant.headers())
    answer = http.get("/v1/events.csv", headers=tenant.headers())
    assert answer.content.startswith("\ufeffActivity,Date and time,".encode())
    assert rows(answer)[0]["Teammate name"] == "Tomás Ó Briain"


def test_formula_injection_is_defused(http: httpx.Client, tenant: Tenant) -> None:
    http.post(
        "/v1/events",
        json=event(name=INJECTION, metadata={"before": INJECTION, "after": "+1"}, user_agent="@SUM(1+1)"),
        headers=tenant.headers(),
    )
    [row] = rows(http.get("/v1/events.csv", params={"type": "app_name_change"}, headers=tenant.headers()))
    assert row["Teammate name"] == "'" + INJECTION
    assert row["Activity"] == "'" + INJECTION + " changed the workspace name from " + INJECTION + " to +1."
    assert INJECTION in row["Details"]
    assert row["Details"].startswith("{")
    assert row["User agent"] == "'@SUM(1+1)"
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_no_cell_can_begin_a_formula_in_a_semicolon_or_tab_locale(http: httpx.Client, tenant: Tenant) -> None:
    http.post(
        "/v1/events",
        json=event(
            name="Sam;=1+2",
            metadata={"before": " =1+1", "after": "a,=1+1"},
            user_agent="Mozilla/5.0;=2+3",
            request_id="req\t@SUM(1)",
        ),
        headers=tenant.headers(),
    )
    answer = http.get("/v1/events.csv", params={"type": "app_name_change"}, headers=tenant.headers())
    assert formula_starts(answer.text) == []
    [row] = rows(answer)
    assert row["Teammate name"] == "Sam;'=1+2"
    assert row["Activity"] == "Sam;'=1+2 changed the workspace name from  =1+1 to a,'=1+1."
    assert row["Details"] == '{"before":" =1+1","after":"a,\'=1+1"}'
    assert row["User agent"] == "Mozilla/5.0;'=2+3"
    assert row["Request ID"] == "req\t'@SUM(1)"


def test_the_download_is_logged_and_named(http: httpx.Client, api_log: ActivityLog) -> None:
    tenant = new_tenant(api_log, name="Beth's Bakery & Co", timezone="Europe/Dublin")
    answer = http.get(
        "/v1/events.csv",
        params={"since": "2026-01-01T00:00:00Z", "until": "2026-02-01T00:00:00Z"},
        headers={**tenant.headers("read"), "User-Agent": "pytest-csv"},
    )
    assert answer.headers["content-disposition"] == (
        'attachment; filename="activity-beth-s-bakery-co-2026-01-01-to-2026-02-01.csv"'
    )
    everything = http.get("/v1/events.csv", headers=tenant.headers("read"))
    assert 'filename="activity-beth-s-bakery-co-all-time.csv"' in everything.headers["content-disposition"]
    exports = http.get("/v1/events", params={"type": "data_export_run"}, headers=tenant.headers()).json()["data"]
    assert len(exports) == 2
    latest, first = exports
    assert latest["actor"]["type"] == "api_token"
    assert latest["actor"]["name"] == "read token"
    # Three token creations and the first download; not the second download itself (see below).
    assert latest["metadata"]["rows"] == 4 == len(rows(everything))
    assert latest["metadata"]["format"] == "csv"
    assert latest["request_id"] == everything.headers["x-request-id"]
    assert latest["sentence"] == "API token read token downloaded 4 entries of activity as CSV (all time)."
    assert latest["metadata"]["scope"] == "all time"
    assert first["metadata"]["rows"] == 0
    assert first["metadata"]["filters"] == {"since": "2026-01-01T00:00:00Z", "until": "2026-02-01T00:00:00Z"}
    assert first["metadata"]["scope"] == "since 1 Jan 2026, before 1 Feb 2026"  # midnights in Dublin's winter
    assert first["ip"] == "127.0.0.1"
    assert first["user_agent"] == "pytest-csv"
    # The export covers entries up to its request: it never lists its own data_export_run entry.
    assert [r["Entry ID"] for r in rows(everything)].count(latest["id"]) == 0
