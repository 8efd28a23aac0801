"""`activitylog verify` and `activitylog checkpoint` from the shell, on both backends."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from activitylog.cli import main
from activitylog.service import ActivityLog
from activitylog.storage.base import Store, Workspace
from tests.integrity.conftest import Tamper
from tests.integrity.test_chain import record


def test_verify_names_a_hand_edited_row(
    log: ActivityLog, store: Store, ws: Workspace, tamper: Tamper, tmp_path: Path
) -> None:
    ids = record(log, ws, 6)
    runner = CliRunner()
    base = ["--database-url", store.url]
    key = ["--key-file", str(tmp_path / "signing.key")]
    result = runner.invoke(main, [*base, "verify", "-w", ws.id, *key])
    assert result.exit_code == 0, result.output
    assert f"{ws.id}: OK (6 entries" in result.output
    assert "0 signed checkpoints matched" in result.output
    # verify only reads: it signs nothing, and makes no key.
    assert "signed a checkpoint" not in result.output
    assert "signed checkpoints cannot be checked" in result.output
    assert not (tmp_path / "signing.key").exists()
    assert store.read("SELECT COUNT(*) FROM integrity_checkpoints WHERE workspace_id = ?", (ws.id,))[0][0] == 0
    result = runner.invoke(main, [*base, "checkpoint", "-w", ws.id, *key])
    assert result.exit_code == 0, result.output
    assert "signed a checkpoint at position 6" in result.output
    assert (tmp_path / "signing.key").stat().st_mode & 0o777 == 0o600
    result = runner.invoke(main, [*base, "verify", "-w", ws.id, *key])
    assert result.exit_code == 0, result.output
    assert "1 signed checkpoint matched" in result.output
    assert "signed a checkpoint" not in result.output
    refused = runner.invoke(main, [*base, "verify", "-w", ws.id, "--checkpoint", *key])
    assert refused.exit_code == 2
    assert "sign a checkpoint with `activitylog checkpoint`" in refused.output
    tamper('UPDATE activities SET metadata = \'{"before": "x", "after": "y"}\' WHERE id = ?', (ids[2],))
    result = runner.invoke(main, [*base, "verify", "-w", ws.id, *key])
    assert result.exit_code == 1
    assert f"changed: entry {ids[2]} at position 3: its content or its place does not match" in result.output
    assert "signed a checkpoint" not in result.output
    record(log, ws, 1)
    result = runner.invoke(main, [*base, "checkpoint", "-w", ws.id, *key])
    assert result.exit_code == 0
    assert "signed a checkpoint at position 7" in result.output
    result = runner.invoke(main, [*base, "public-key", *key])
    assert result.output.startswith("-----BEGIN PUBLIC KEY-----")
