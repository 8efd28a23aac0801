"""`activitylog token`: create, list and revoke API tokens (each creation and revocation is logged)."""

from __future__ import annotations

import json

import click

from activitylog import tokens
from activitylog.cli.context import COMMAND_LINE, CliContext, fail, pass_context
from activitylog.cli.options import resolve_workspace, workspace_option
from activitylog.domain.channel import CLI
from activitylog.domain.entry import Actor
from activitylog.errors import ActivityLogError
from activitylog.timeutil import iso

# Who creates and revokes tokens from the shell, in the log: the command line, as for retention and exports.
BY_COMMAND_LINE = Actor(COMMAND_LINE["type"], None, COMMAND_LINE["name"])


@click.group("token")
def token() -> None:
    """Manage API tokens: each belongs to one workspace and has the scopes read, write or both."""


@token.command("create")
@workspace_option
@click.option("--scopes", default="read", show_default=True, help="read, write, or read,write.")
@click.option("--name", default="CLI token", show_default=True, help="A name to recognise the token by.")
@click.option("--json", "as_json", is_flag=True, help="Print the token and its details as JSON.")
@pass_context
def token_create(ctx: CliContext, workspace: str | None, scopes: str, name: str, as_json: bool) -> None:
    """Create a token and print its secret. It is shown only this once: only a hash is stored."""
    workspace_id = resolve_workspace(ctx, workspace)
    try:
        issued = tokens.create_token(
            ctx.log, workspace_id, name=name, scopes=scopes, actor=BY_COMMAND_LINE, channel=CLI
        )
    except ActivityLogError as problem:
        raise fail(problem) from None
    if as_json:
        details = {
            "id": issued.token.id,
            "name": issued.token.name,
            "workspace": workspace_id,
            "scopes": list(issued.token.scopes),
            "token": issued.secret,
        }
        click.echo(json.dumps(details, indent=2))
        return
    click.echo(issued.secret)
    click.echo(
        f"token {issued.token.id} ({', '.join(issued.token.scopes)}) for workspace {workspace_id}: "
        "store it now, it is not shown again",
        err=True,
    )


@token.command("list")
@workspace_option
@pass_context
def token_list(ctx: CliContext, workspace: str | None) -> None:
    """List the workspace's tokens (never their secrets): id, name, scopes, created, status."""
    workspace_id = resolve_workspace(ctx, workspace)
    for t in tokens.list_tokens(ctx.log, workspace_id):
        status = "active" if t.active else f"revoked {iso(t.revoked_us)}" if t.revoked_us else "revoked"
        click.echo(f"{t.id}\t{t.name}\t{','.join(t.scopes)}\tcreated {iso(t.created_us)}\t{status}")


@token.command("revoke")
@workspace_option
@click.argument("token_id")
@pass_context
def token_revoke(ctx: CliContext, workspace: str | None, token_id: str) -> None:
    """Revoke the token TOKEN_ID: requests with it are refused from now on."""
    workspace_id = resolve_workspace(ctx, workspace)
    try:
        revoked = tokens.revoke_token(ctx.log, workspace_id, token_id, actor=BY_COMMAND_LINE, channel=CLI)
    except ActivityLogError as problem:
        raise fail(problem) from None
    click.echo(f"revoked the API token {revoked.name} ({revoked.id})")
