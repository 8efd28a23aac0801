"""The `activitylog` command: one Click group, one module per family of commands."""

from __future__ import annotations

import click

from activitylog.cli.catalog import types_command
from activitylog.cli.context import pass_context  # noqa: F401  (re-exported for command modules)
from activitylog.cli.db import db
from activitylog.cli.demo import demo
from activitylog.cli.entries import export, query, record
from activitylog.cli.integrity import checkpoint, public_key, verify
from activitylog.cli.retention import retention
from activitylog.cli.serve import serve
from activitylog.cli.tokens import token
from activitylog.cli.workspaces import workspace
from activitylog.settings import DEFAULT_DATABASE_URL


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option(
    "--database-url",
    envvar="ACTIVITYLOG_DATABASE_URL",
    default=DEFAULT_DATABASE_URL,
    show_default=True,
    help="Where the log lives: sqlite:///path or postgresql://user@host/db (env ACTIVITYLOG_DATABASE_URL).",
)
@click.version_option(package_name="activitylog")
@click.pass_context
def main(ctx: click.Context, database_url: str) -> None:
    """Record, query and export a workspace's teammate activity log."""
    from activitylog.cli.context import CliContext

    ctx.obj = CliContext(database_url)
    ctx.call_on_close(ctx.obj.close)


for command in (
    types_command,
    demo,
    record,
    query,
    export,
    db,
    retention,
    workspace,
    serve,
    token,
    verify,
    checkpoint,
    public_key,
):
    main.add_command(command)
