"""/v1/integrity over HTTP: a customer fetches entries, a proof and the public key, and verifies offline."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from click.testing import CliRunner

from activitylog.cli import main
from tests.api.conftest import Server
from tests.support.servers import Tenant


def test_a_customer_verifies_an_export_offline(
    http: httpx.Client, server: Server, tenant: Tenant, tmp_path: Path
) -> None:
    events = [{"type": "admin_logout", "actor": {"id": "tm1"}, "idempotency_key": f"k{i}"} for i in range(12)]
    assert http.post("/v1/events", json={"events": events}, headers=tenant.headers("write")).status_code == 201
    runner = CliRunner()
    # The operator signs a checkpoint now (the server also does, every ACTIVITYLOG_CHECKPOINT_INTERVAL_MINUTES).
    signed = runner.invoke(main, ["--database-url", server.database_url, "checkpoint", "-w", tenant.workspace.id])
    assert signed.exit_code == 0, signed.output
    reader = tenant.headers("read")
    checkpoints = http.get("/v1/integrity/checkpoints", headers=reader).json()
    # 12 events, and the creation of the tenant's 3 tokens (logged too).
    assert checkpoints["data"][0]["position"] == 15
    assert checkpoints["next_before"] is None
    key = http.get("/v1/integrity/public-key", headers=reader).json()
    assert key["key_id"] == checkpoints["key_id"]
    page = http.get("/v1/events", params={"limit": 500}, headers=reader).json()
    proof = http.get("/v1/integrity/proof", headers=reader)
    assert proof.status_code == 200, proof.text
    (tmp_path / "events.json").write_text(json.dumps(page))
    (tmp_path / "proof.json").write_text(proof.text)
    (tmp_path / "key.pem").write_text(key["public_key"])
    offline = ["verify", "--export", str(tmp_path / "events.json"), "--proof", str(tmp_path / "proof.json")]
    offline += ["--public-key", str(tmp_path / "key.pem")]
    result = runner.invoke(main, offline)
    assert result.exit_code == 0, result.output
    assert "OK: 15 of 15 entries proven" in result.output
    page["data"][3]["ip"] = "192.0.2.1"
    (tmp_path / "events.json").write_text(json.dumps(page))
    result = runner.invoke(main, offline)
    assert result.exit_code == 1
    assert f"entry {page['data'][3]['id']}: its content differs" in result.output


def test_integrity_routes_need_a_read_token(http: httpx.Client, tenant: Tenant) -> None:
    assert http.get("/v1/integrity/checkpoints").status_code == 401
    assert http.get("/v1/integrity/proof", headers=tenant.headers("write")).status_code == 403
    missing = http.get("/v1/integrity/proof", params={"entry_id": "nope"}, headers=tenant.headers("read"))
    assert missing.status_code == 404
    assert missing.json()["error"]["field"] == "entry_id"
