"""The CLI as a person uses it: help everywhere, readable output, clear errors for bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from activitylog.cli import main
from tests.support.factories import event


def every_command(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += every_command(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("path", every_command(main), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


@pytest.fixture
def cli(sqlite_url: str):
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None, ok: bool = True) -> str:
        result = runner.invoke(main, ["--database-url", sqlite_url, *args], input=stdin, env={"COLUMNS": "200"})
        if ok:
            assert result.exit_code == 0, result.output
        else:
            assert result.exit_code != 0, result.output
        return result.output

    return run


def test_types_lists_the_catalog(cli) -> None:
    from activitylog.catalog import REGISTRY

    data = json.loads(cli("types", "--format", "json"))
    assert len(data) == len(REGISTRY)
    assert {"code", "label", "category", "template", "metadata_schema", "example"} <= set(data[0])
    assert "Workspace name change" in cli("types", "--category", "Workspace")


@pytest.mark.parametrize("columns", ["60", "40", "120", "200"])
def test_types_never_cuts_a_code_short_however_narrow_the_terminal(columns: str) -> None:
    from activitylog.catalog import REGISTRY

    result = CliRunner().invoke(main, ["types"], env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    words = set(result.output.replace("│", " ").split())
    assert {t.code for t in REGISTRY} <= words  # each code whole, on one line
    if int(columns) < 100:  # one block per type: the label, category and sentence wrap beneath the code
        assert "Beth-Ann Sher set the file types allowed as attachments" in " ".join(result.output.split())


def test_query_filters_and_formats(cli, tmp_path: Path) -> None:
    cli("workspace", "create", "Acme", "--id", "ws_q", "--timezone", "Europe/Dublin")
    events = [event(), event("role_creation", ip="198.51.100.9"), event("admin_login_success", actor_id="tm2")]
    cli("record", "-", stdin="\n".join(json.dumps(e) for e in events))  # JSON Lines
    table = cli("query")
    assert "changed the workspace name from Acme to Acme Inc." in table
    assert "203.0.113.7" in table
    assert json.loads(cli("query", "--type", "role_creation", "--format", "json"))["entries"][0]["type"] == (
        "role_creation"
    )
    rows = list(csv.DictReader(io.StringIO(cli("query", "--ip", "198.51.100.0/24", "--format", "csv"))))
    assert [r["Activity type"] for r in rows] == ["role_creation"]
    assert len(json.loads(cli("query", "--teammate", "tm2", "--format", "json"))["entries"]) == 1
    page = json.loads(cli("query", "--limit", "2", "--format", "json"))
    assert page["next_cursor"]
    rest = json.loads(cli("query", "--limit", "2", "--cursor", page["next_cursor"], "--format", "json"))
    assert len(rest["entries"]) == 1
    assert len(json.loads(cli("query", "--all", "--limit", "1", "--format", "json"))["entries"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("query", "--type", "nope"), "types: unknown activity type 'nope'"),
        (("query", "--since", "yesterday"), "since: 'yesterday' is not an ISO 8601 date or time"),
        (("query", "--ip", "1.2.3.400"), "ip: '1.2.3.400' is not an IP address or CIDR block"),
        (("query", "--cursor", "garbage!"), "cursor: is not a cursor this service issued"),
        (("query", "--workspace", "ws_missing"), "no workspace 'ws_missing'"),
        (("retention", "set", "5"), "retention_days: must be between 30 and 3650 days"),
        (("workspace", "create", "X", "--timezone", "Mars/Base"), "is not an IANA timezone"),
    ],
)
def test_bad_input_gets_a_clear_error(cli, args: tuple[str, ...], message: str) -> None:
    cli("workspace", "create", "Acme", "--id", "ws_e")
    assert message in cli(*args, ok=False)


def test_record_reports_every_bad_item_and_writes_nothing(cli) -> None:
    cli("workspace", "create", "Acme", "--id", "ws_r")
    output = cli("record", "-", stdin=json.dumps([event(), event(ip="nope"), event(type="made_up")]), ok=False)
    assert "item 1: ip: 'nope' is not an IPv4 or IPv6 address" in output
    assert "item 2: type: unknown activity type 'made_up'" in output
    assert json.loads(cli("query", "--format", "json"))["entries"] == []
    assert "neither JSON nor JSON Lines" in cli("record", "-", stdin="{not json", ok=False)


def test_query_prints_the_next_cursor_on_one_line_in_a_narrow_terminal(sqlite_url: str) -> None:
    runner = CliRunner()
    base = ["--database-url", sqlite_url]
    runner.invoke(main, [*base, "workspace", "create", "Acme", "--id", "ws_c"])
    runner.invoke(main, [*base, "record", "-"], input=json.dumps([event(), event(), event()]))
    cursor = json.loads(runner.invoke(main, [*base, "query", "--limit", "1", "--format", "json"]).output)["next_cursor"]
    assert len(cursor) > 40
    result = runner.invoke(main, [*base, "query", "--limit", "1"], env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    assert f"More: --cursor {cursor}\n" in result.output


def test_counts_of_one_are_singular(cli, tmp_path: Path) -> None:
    cli("workspace", "create", "Acme", "--id", "ws_1")
    assert "recorded 1 entry, skipped 0 already recorded" in cli("record", "-", stdin=json.dumps(event()))
    assert "recorded 2 entries, skipped 1 already recorded" in cli(
        "record", "-", stdin=json.dumps([event(key="k"), event(key="k"), event()])
    )
    cli("record", "-", stdin=json.dumps(event("role_creation")))
    assert "wrote 1 entry to" in cli("export", "-o", str(tmp_path / "one.csv"), "--type", "role_creation")


def test_several_workspaces_need_a_choice(cli) -> None:
    assert "no workspace yet" in cli("query", ok=False)
    cli("workspace", "create", "Acme", "--id", "ws_a")
    cli("workspace", "create", "Globex", "--id", "ws_b")
    assert "choose one with --workspace" in cli("query", ok=False)
    for command in (("query",), ("export", "-o", "x.csv"), ("token", "list"), ("retention", "set", "90"), ("verify",)):
        error = cli(*command, ok=False)
        assert "2 workspaces" in error, command
        assert "ws_a\tAcme" in error, (command, error)
        assert "ws_b\tGlobex" in error, (command, error)
    assert "No activity matches." in cli("query", "-w", "ws_b")
    assert "ws_a\tAcme\tUTC\t365 days" in cli("workspace", "list")


def test_export_writes_a_byte_order_mark_for_excel(cli, tmp_path: Path) -> None:
    cli("workspace", "create", "Acme", "--id", "ws_x")
    cli("record", "-", stdin=json.dumps(event(name="Tomás")))
    output = tmp_path / "out.csv"
    cli("export", "-o", str(output))
    data = output.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfActivity,")
    [row] = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert row["Teammate name"] == "Tomás"


def test_export_is_logged_like_a_download_with_its_filters_in_words(cli, tmp_path: Path) -> None:
    cli("workspace", "create", "Acme", "--id", "ws_l", "--timezone", "Europe/Dublin")
    samuel = event(actor_id="tm_sam", name="Samuel Adeyemi", occurred_at="2026-02-03T10:00:00Z")
    cli("record", "-", stdin=json.dumps([samuel, event(occurred_at="2026-02-03T11:00:00Z")]))
    output = tmp_path / "sam.csv"
    cli("export", "-o", str(output), "--teammate", "tm_sam", "--since", "2026-01-01")
    [logged] = json.loads(cli("query", "--type", "data_export_run", "--format", "json"))["entries"]
    assert logged["actor"]["type"] == "system"
    assert logged["sentence"] == (
        "The command line downloaded 1 entry of activity as CSV (teammate Samuel Adeyemi, since 1 Jan 2026)."
    )
    assert logged["metadata"]["rows"] == 1
    assert logged["metadata"]["filters"]["teammate"] == ["tm_sam"]
    # The file holds what was there when it was asked for: never its own entry.
    assert "data_export_run" not in output.read_text(encoding="utf-8-sig")
