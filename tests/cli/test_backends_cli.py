"""The CLI on both backends: the same commands work with --database-url sqlite:///... and postgresql://..."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from activitylog.cli import main
from tests.support.factories import event


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cli.db'}"
    return str(request.getfixturevalue("empty_postgres_url"))


def test_upgrade_record_query_export_and_retention(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def cli(*args: str, stdin: str | None = None) -> str:
        result = runner.invoke(main, ["--database-url", database_url, *args], input=stdin)
        assert result.exit_code == 0, result.output
        return result.output

    assert "database at revision" in cli("db", "upgrade")
    workspace = cli("workspace", "create", "Acme", "--id", "ws_cli").strip()
    assert workspace == "ws_cli"
    old = (datetime.now(UTC) - timedelta(days=200)).isoformat()
    events = [event(key="a"), event(key="b"), event(key="a"), event(occurred_at=old)]
    assert "recorded 3 entries, skipped 1" in cli("record", "-", stdin=json.dumps(events))
    page = json.loads(cli("query", "--format", "json"))
    assert len(page["entries"]) == 3
    output = tmp_path / "out.csv"
    assert "wrote 3 entries" in cli("export", "-o", str(output))
    assert output.read_text().count("\n") == 4
    assert "kept for 90 days (was 365)" in cli("retention", "set", "90")
    assert "ws_cli: removed 1 entry older than" in cli("retention", "run")
    page = json.loads(cli("query", "--format", "json"))
    assert page["entries"][0]["type"] == "app_data_retention_change"
    assert page["entries"][1]["type"] == "data_export_run"  # the export is logged, as a download is
    assert len(page["entries"]) == 4


def test_what_the_command_line_records_arrives_through_it(database_url: str, tmp_path: Path) -> None:
    """Issue 17: `record`, `export`, `retention set` and `token create`/`revoke` record the `cli` channel, and
    `query` shows each entry's channel (the table's last column, the JSON's `via`), with a token's name."""
    runner = CliRunner()

    def cli(*args: str, stdin: str | None = None) -> str:
        result = runner.invoke(main, ["--database-url", database_url, *args], input=stdin)
        assert result.exit_code == 0, result.output
        return result.output

    cli("workspace", "create", "Acme", "--id", "ws_via")
    cli("record", "-", stdin=json.dumps(event()))
    cli("export", "-o", str(tmp_path / "out.csv"))
    cli("retention", "set", "120")
    token = json.loads(cli("token", "create", "--name", "Deploy bot", "--json"))
    cli("token", "revoke", token["id"])
    page = json.loads(cli("query", "--format", "json"))
    assert [(e["type"], e["via"]) for e in page["entries"]] == [
        ("api_token_revocation", {"kind": "cli", "token": None}),
        ("api_token_creation", {"kind": "cli", "token": None}),
        ("app_data_retention_change", {"kind": "cli", "token": None}),
        ("data_export_run", {"kind": "cli", "token": None}),
        ("app_name_change", {"kind": "cli", "token": None}),
    ]
    wide = runner.invoke(main, ["--database-url", database_url, "query"], env={"COLUMNS": "250"})
    assert wide.exit_code == 0, wide.output
    assert wide.output.splitlines()[0].split()[-1] == "Channel"
    assert [line.rstrip().endswith("command line") for line in wide.output.splitlines()[1:6]] == [True] * 5
    exported = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert exported[0].endswith(",Channel")
    assert exported[1].endswith(",command line")
