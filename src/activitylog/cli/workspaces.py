"""`activitylog workspace`: create and list workspaces."""

from __future__ import annotations

from zoneinfo import available_timezones

import click

from activitylog import ids
from activitylog.cli.context import CliContext, fail, pass_context
from activitylog.errors import ActivityLogError
from activitylog.storage.base import Workspace


@click.group()
def workspace() -> None:
    """Create and list workspaces (tenants)."""


@workspace.command("create")
@click.argument("name")
@click.option("--timezone", default="UTC", show_default=True, help="IANA timezone, e.g. Europe/Dublin.")
@click.option("--id", "workspace_id", help="Choose the id (default: generated).")
@pass_context
def workspace_create(ctx: CliContext, name: str, timezone: str, workspace_id: str | None) -> None:
    """Create a workspace called NAME and print its id."""
    if timezone not in available_timezones():
        raise click.BadParameter(f"{timezone!r} is not an IANA timezone", param_hint="--timezone")
    try:
        created = ctx.store.create_workspace(Workspace(workspace_id or ids.prefixed_id("ws"), name, timezone))
    except ActivityLogError as problem:
        raise fail(problem) from None
    click.echo(created.id)


@workspace.command("list")
@pass_context
def workspace_list(ctx: CliContext) -> None:
    """List workspaces: id, name, timezone and retention."""
    for w in ctx.store.list_workspaces():
        click.echo(f"{w.id}\t{w.name}\t{w.timezone}\t{w.retention_days} days")
