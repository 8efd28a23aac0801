"""`--q` / `--search` on the CLI's query and export, on both backends; a bad search is refused naming q."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from activitylog.cli import main
from tests.support.factories import ago, event


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cli.db'}"
    return str(request.getfixturevalue("empty_postgres_url"))


def test_query_and_export_search(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def cli(*args: str, stdin: str | None = None, code: int = 0) -> str:
        result = runner.invoke(main, ["--database-url", database_url, *args], input=stdin)
        assert result.exit_code == code, result.output
        return result.output

    cli("workspace", "create", "Acme", "--id", "ws_cli")
    events = [
        event(name="Beth-Ann Sher", metadata={"before": "Acme", "after": "Tomás Inc."}, occurred_at=ago(hours=2)),
        event("admin_logout", name="Samuel Adeyemi", email="sam@acme.test", occurred_at=ago(hours=1)),
    ]
    cli("record", "-", stdin=json.dumps(events))
    found = json.loads(cli("query", "--q", "tomas", "--format", "json"))["entries"]
    assert [e["actor"]["name"] for e in found] == ["Beth-Ann Sher"]
    found = json.loads(cli("query", "--search", "actor:sam", "--format", "json"))["entries"]
    assert [e["type"] for e in found] == ["admin_logout"]
    assert json.loads(cli("query", "--q", "tomas", "--type", "admin_logout", "--format", "json"))["entries"] == []
    output = tmp_path / "found.csv"
    assert "wrote 1 entry" in cli("export", "-o", str(output), "--q", '"acme to tomas"')
    rows = list(csv.DictReader(io.StringIO(output.read_text("utf-8-sig"))))
    assert [row["Activity type"] for row in rows] == ["app_name_change"]
    refused = cli("query", "--q", "colour:red", code=1)
    assert "q: " in refused
    assert "unknown field 'colour'" in refused
