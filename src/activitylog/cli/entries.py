"""`activitylog record`, `query` and `export`: entries in and out."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from activitylog.cli.context import COMMAND_LINE, CliContext, count, fail, pass_context
from activitylog.cli.options import filter_options, resolve_workspace, workspace_option
from activitylog.domain.channel import CLI, TokenNames, describe
from activitylog.domain.entry import Entry
from activitylog.domain.filters import ActivityFilter
from activitylog.errors import ActivityLogError
from activitylog.export import csv as csv_export
from activitylog.export.logged import log_download
from activitylog.export.runner import export_csv
from activitylog.timeutil import from_us
from activitylog.tokens import token_names


def _read_events(source: IO[str]) -> list[Any]:
    text = source.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        # JSON Lines: one event per line.
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as problem:
            raise click.ClickException(f"input is neither JSON nor JSON Lines: {problem}") from None
    if isinstance(data, dict):
        return list(data["events"]) if isinstance(data.get("events"), list) else [data]
    if isinstance(data, list):
        return data
    raise click.ClickException('input must be an event object, a list of events, or {"events": [...]}')


@click.command()
@workspace_option
@click.argument("source", type=click.File("r"), default="-")
@pass_context
def record(ctx: CliContext, workspace: str | None, source: IO[str]) -> None:
    """Record entries from SOURCE (a file, or - for stdin): a JSON event, a list, or JSON Lines.

    Nothing is written unless every event is valid; repeated idempotency keys are skipped.
    """
    events = _read_events(source)
    workspace_id = resolve_workspace(ctx, workspace)
    written = duplicates = 0
    try:
        for start in range(0, len(events), 1000):
            result = ctx.log.record(workspace_id, events[start : start + 1000], channel=CLI).result
            written += len(result.inserted)
            duplicates += len(result.duplicates)
    except ActivityLogError as problem:
        raise fail(problem) from None
    click.echo(f"recorded {count(written, 'entry')}, skipped {duplicates:,} already recorded")


def _entries_table(entries: list[Entry], timezone: str, names: TokenNames) -> Table:
    zone = ZoneInfo(timezone)
    table = Table(f"When ({timezone})", "Activity", "IP address", "Channel", box=None, header_style="bold")
    for entry in entries:
        when = from_us(entry.occurred_us).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        # A token's name is text, not rich markup (a token named "[red]x" shows as typed).
        table.add_row(when, entry.sentence(), entry.ip or "", Text(describe(entry.via, names)))
    return table


@click.command()
@workspace_option
@filter_options
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True, help="Entries per page.")
@click.option("--cursor", help="Continue after this cursor (printed under a page).")
@click.option("--all", "all_pages", is_flag=True, help="Every matching entry, not just one page.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@pass_context
def query(
    ctx: CliContext,
    workspace: str | None,
    where: ActivityFilter,
    limit: int,
    cursor: str | None,
    all_pages: bool,
    fmt: str,
) -> None:
    """Show entries, newest first, filtered by type, teammate, time range and IP."""
    workspace_id = resolve_workspace(ctx, workspace)
    timezone = ctx.log.workspace(workspace_id).timezone
    try:
        if all_pages:
            entries_iter: Iterator[Entry] = ctx.log.iter_entries(workspace_id, where)
            next_cursor = None
        else:
            page = ctx.log.query(workspace_id, where, limit=limit, cursor=cursor)
            entries_iter = iter(page.entries)
            next_cursor = page.next_cursor.encode() if page.next_cursor else None
        names = token_names(ctx.log, workspace_id)
        if fmt == "csv":
            for chunk in csv_export.stream(entries_iter, timezone, token_names=names):
                sys.stdout.write(chunk)
            return
        entries = list(entries_iter)
    except ActivityLogError as problem:
        raise fail(problem) from None
    if fmt == "json":
        click.echo(json.dumps({"entries": [e.as_dict(names) for e in entries], "next_cursor": next_cursor}, indent=2))
        return
    console = Console()
    if not entries:
        console.print("No activity matches.")
        return
    console.print(_entries_table(entries, timezone, names))
    if next_cursor:
        # On one line whatever the terminal's width, so it can be copied whole (a terminal may still fold it).
        console.print()
        console.print(f"More: --cursor {next_cursor}", style="dim", soft_wrap=True)


@click.command()
@workspace_option
@filter_options
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV file.")
@pass_context
def export(
    ctx: CliContext,
    workspace: str | None,
    where: ActivityFilter,
    output: Path,
) -> None:
    """Write every matching entry to a CSV file, with a progress bar.

    The export is logged (`data_export_run`, by the command line) as the console's and the API's downloads
    are, before the file is written; the file holds the entries up to that moment, not its own entry.
    """
    workspace_id = resolve_workspace(ctx, workspace)
    chosen = ctx.log.workspace(workspace_id)
    try:
        download = log_download(
            ctx.log, None, chosen, where, COMMAND_LINE, channel=CLI, ip=None, user_agent=None, request_id=None
        )
    except ActivityLogError as problem:
        raise fail(problem) from None
    where, total = download.where, download.rows
    columns = (TextColumn("exporting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("export", total=total)
        # Write beside the target and rename at the end: a failed export never leaves a truncated file.
        temporary = output.with_name(output.name + ".partial")
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            chunks = export_csv(
                ctx.log, chosen, where, total=total, progress=lambda rows: progress.update(task, completed=rows)
            )
            for chunk in chunks:
                handle.write(chunk)
        temporary.replace(output)
    click.echo(f"wrote {count(total, 'entry')} to {output}")
