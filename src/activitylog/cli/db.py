"""`activitylog db`: schema migrations."""

from __future__ import annotations

import click

from activitylog.cli.context import CliContext, pass_context
from activitylog.storage.migrate import current_revision, head_revision, upgrade


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: CliContext) -> None:
    """Bring the database to the current schema (safe to run any number of times)."""
    before = current_revision(ctx.database_url)
    upgrade(ctx.database_url)
    click.echo(f"database at revision {current_revision(ctx.database_url)} (was {before or 'new or unknown'})")


@db.command("status")
@pass_context
def db_status(ctx: CliContext) -> None:
    """Show the database's schema revision and the newest one this version knows."""
    click.echo(f"current: {current_revision(ctx.database_url) or 'none'}\nnewest:  {head_revision()}")
