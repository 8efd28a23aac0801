"""Options several commands share: the workspace and the filter."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from activitylog.cli.context import CliContext, fail
from activitylog.domain.filters import ActivityFilter
from activitylog.errors import ActivityLogError

MAX_LISTED = 20  # workspaces named in the error when one must be chosen


def workspace_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--workspace",
        "-w",
        envvar="ACTIVITYLOG_WORKSPACE",
        help="Workspace id (env ACTIVITYLOG_WORKSPACE); may be left out when the database holds one workspace.",
    )(function)


def resolve_workspace(ctx: CliContext, workspace: str | None) -> str:
    if workspace:
        try:
            return ctx.log.workspace(workspace).id
        except ActivityLogError as problem:
            raise fail(problem) from None
    workspaces = ctx.store.list_workspaces()
    if len(workspaces) == 1:
        return workspaces[0].id
    if not workspaces:
        raise click.UsageError("the database has no workspace yet: run `activitylog demo` or `workspace create`")
    shown = "\n".join(f"  {w.id}\t{w.name}" for w in workspaces[:MAX_LISTED])
    more = (
        f"\n  ... and {len(workspaces) - MAX_LISTED:,} more (`activitylog workspace list`)"
        if len(workspaces) > MAX_LISTED
        else ""
    )
    raise click.UsageError(
        f"the database holds {len(workspaces):,} workspaces: choose one with --workspace (or ACTIVITYLOG_WORKSPACE):\n"
        f"{shown}{more}"
    )


def filter_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The filter's six options, handed to the command parsed as one `where: ActivityFilter`."""

    @functools.wraps(function)
    def with_filter(
        *args: Any,
        types: tuple[str, ...],
        teammates: tuple[str, ...],
        since: str | None,
        until: str | None,
        ip: str | None,
        q: str | None,
        **kwargs: Any,
    ) -> Any:
        return function(*args, where=build_filter(types, teammates, since, until, ip, q), **kwargs)

    command: Callable[..., Any] = with_filter
    for option in reversed(
        [
            click.option("--type", "types", multiple=True, help="Activity type code; repeat or comma-separate."),
            click.option("--teammate", "teammates", multiple=True, help="Teammate id; repeat or comma-separate."),
            click.option("--since", help="From this time (ISO 8601 with offset, a date, or Unix seconds)."),
            click.option("--until", help="Before this time (exclusive)."),
            click.option("--ip", help="An IP address or CIDR block, e.g. 203.0.113.0/24."),
            click.option(
                "--q",
                "--search",
                "q",
                help='Full-text search, as the console\'s box: words, "phrases", actor:, type:, ip:.',
            ),
        ]
    ):
        command = option(command)
    return command


def build_filter(
    types: tuple[str, ...],
    teammates: tuple[str, ...],
    since: str | None,
    until: str | None,
    ip: str | None,
    q: str | None = None,
) -> ActivityFilter:
    try:
        return ActivityFilter.parse(types=types, teammates=teammates, since=since, until=until, ip=ip, q=q)
    except ActivityLogError as problem:
        raise fail(problem) from None
