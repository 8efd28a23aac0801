"""`activitylog retention`: show and apply each workspace's retention period."""

from __future__ import annotations

import click

from activitylog.cli.context import COMMAND_LINE, CliContext, count, fail, pass_context
from activitylog.cli.options import resolve_workspace, workspace_option
from activitylog.domain.channel import CLI
from activitylog.errors import ActivityLogError
from activitylog.retention_schedule import run_once
from activitylog.timeutil import iso


@click.group()
def retention() -> None:
    """Keep each workspace's log to its retention period (365 days by default)."""


@retention.command("run")
@click.option("--workspace", "-w", help="Only this workspace (default: every workspace).")
@pass_context
def retention_run(ctx: CliContext, workspace: str | None) -> None:
    """Delete the entries past each workspace's retention period, and say what was removed."""
    try:
        results = run_once(ctx.log, workspace)
    except ActivityLogError as problem:
        raise fail(problem) from None
    for result in results:
        removed = count(result.removed, "entry")
        click.echo(f"{result.workspace_id}: removed {removed} older than {iso(result.cutoff_us)}")


@retention.command("set")
@workspace_option
@click.argument("days", type=int)
@pass_context
def retention_set(ctx: CliContext, workspace: str | None, days: int) -> None:
    """Keep the workspace's entries for DAYS days (30 to 3650)."""
    workspace_id = resolve_workspace(ctx, workspace)
    try:
        before = ctx.log.set_retention(workspace_id, days, actor=COMMAND_LINE, channel=CLI)
    except ActivityLogError as problem:
        raise fail(problem) from None
    click.echo(f"{workspace_id}: entries are kept for {days} days (was {before})")
