"""`activitylog demo`: create the demo workspace (the generator lives in activitylog.demo).

The workspace is always "ws_acme". A second run refuses (the demo is not merged into an existing one) unless
`--if-empty` says an existing demo is fine, which is what `make run` relies on.
"""

from __future__ import annotations

import json
import sys
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from activitylog.cli.context import CliContext, fail, pass_context
from activitylog.demo import (
    ADMIN,
    DEFAULT_EVENTS,
    DEFAULT_SEED,
    MIN_EVENTS,
    WORKSPACE_ID,
    DemoResult,
    create_demo,
    existing_demo,
)
from activitylog.demo.access import PRINTED, SignIn, new_passwords
from activitylog.errors import ActivityLogError, Conflict
from activitylog.timeutil import from_us, now_us
from activitylog.tokens import ensure_demo_token

MAX_EVENTS = 5_000_000
SIGN_IN_PATH = f"/a/{WORKSPACE_ID}/sign-in"


@click.command()
@click.option(
    "--events",
    type=click.IntRange(MIN_EVENTS, MAX_EVENTS),
    default=DEFAULT_EVENTS,
    show_default=True,
    help="How many entries to create over the year.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Same seed, same demo.")
@click.option("--json", "as_json", is_flag=True, help="Print what was created as a JSON object.")
@click.option("--if-empty", is_flag=True, help=f"Do nothing when the demo workspace ({WORKSPACE_ID}) exists.")
@pass_context
def demo(ctx: CliContext, events: int, seed: int, as_json: bool, if_empty: bool) -> None:
    """Create the demo workspace "Acme" with a year of realistic activity.

    A dozen teammates in several roles, every activity type of the catalog, logins in Dublin working hours,
    a bulk permission change, a failed-login streak, a deleted teammate and an invited one.
    """
    try:
        existing = existing_demo(ctx.log)
        if existing is not None:
            if not if_empty:
                raise _already_there()
            _report_existing(ctx, existing, as_json)
            return
        result = _create(ctx, events, seed, show_progress=not as_json)
    except Conflict:
        raise _already_there() from None
    except ActivityLogError as problem:
        raise fail(problem) from None
    token = ensure_demo_token(ctx.log, WORKSPACE_ID)
    sign_ins = new_passwords(ctx.log.store, WORKSPACE_ID)
    if as_json:
        data = {**result.as_dict(_shown(ctx.database_url)), **_access_json(token, sign_ins)}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _summary(ctx, result, token)
        _print_sign_ins(sign_ins)
        click.echo("Next: activitylog serve (or activitylog query --limit 20)")


def _create(ctx: CliContext, events: int, seed: int, *, show_progress: bool) -> DemoResult:
    columns = (TextColumn("recording"), BarColumn(), MofNCompleteColumn())
    console = Console(stderr=True)
    with Progress(
        *columns, console=console, transient=True, disable=not (show_progress and console.is_terminal)
    ) as bar:
        task = bar.add_task("demo", total=events)
        # The module's clock, not the log's, so tests can pin "now" and compare two runs.
        return create_demo(ctx.log, events=events, seed=seed, now_us=now_us(), progress=lambda n: bar.advance(task, n))


def _shown(url: str) -> str:
    """The database URL without its password: the output may end up in a CI log."""
    password = urlsplit(url).password
    return url.replace(f":{password}@", ":***@", 1) if password else url


def _already_there() -> click.ClickException:
    return click.ClickException(
        f"the demo workspace {WORKSPACE_ID!r} already exists in this database. "
        "Use a fresh database (--database-url sqlite:///another.db), or pass --if-empty to keep it."
    )


def _report_existing(ctx: CliContext, existing: DemoResult, as_json: bool) -> None:
    # Secrets are stored only as hashes, so the demo's earlier token cannot be shown again: issue a new one.
    token = ensure_demo_token(ctx.log, existing.workspace.id)
    sign_ins = new_passwords(ctx.log.store, existing.workspace.id)
    if as_json:
        data = {**existing.as_dict(_shown(ctx.database_url)), **_access_json(token, sign_ins)}
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"The demo workspace {existing.workspace.name} ({existing.workspace.id}) already exists with "
        f"{existing.entries:,} entries; nothing to create.\n"
        f"  API token (read, write; shown once): {token}"
    )
    _print_sign_ins(sign_ins)


def _access_json(token: str, sign_ins: dict[str, SignIn]) -> dict[str, object]:
    admin, other = ({"id": person.id, **sign_ins[person.id].as_dict()} for person in PRINTED)
    return {
        "api_token": token,
        "api_token_scopes": ["read", "write"],
        "sign_in_path": SIGN_IN_PATH,
        "admin": admin,
        "without_log_permission": other,
        "sign_ins": [{"id": tid, **s.as_dict()} for tid, s in sign_ins.items()],
    }


def _print_sign_ins(sign_ins: dict[str, SignIn]) -> None:
    admin, other = (sign_ins[person.id] for person in PRINTED)
    click.echo(
        f"Sign in at http://127.0.0.1:8000{SIGN_IN_PATH} once `activitylog serve` runs "
        "(passwords are new on every run, shown once):"
    )
    click.echo(f"  admin:                      {admin.email}  password {admin.password}  ({admin.role})")
    click.echo(f"  without the log permission: {other.email}  password {other.password}  ({other.role})")


def _summary(ctx: CliContext, result: DemoResult, token: str) -> None:
    zone = ZoneInfo(result.workspace.timezone)

    def day(us: int | None) -> str:
        return from_us(us).astimezone(zone).strftime("%-d %b %Y") if us is not None else "?"

    statuses = [t.status for t in result.teammates]
    people = ", ".join(f"{statuses.count(s)} {s}" for s in ("active", "invited", "deleted") if s in statuses)
    recorded = result.record_seconds or 1e-9
    out = sys.stdout
    click.echo(
        f"Created the demo workspace {result.workspace.name} ({result.workspace.id}) in {_shown(ctx.database_url)}",
        file=out,
    )
    click.echo(
        f"  {result.entries:,} entries of {result.types} activity types, "
        f"{day(result.first_us)} to {day(result.last_us)} ({result.workspace.timezone})",
        file=out,
    )
    click.echo(f"  {len(result.teammates)} teammates ({people}); admin {ADMIN.name} <{ADMIN.email}>", file=out)
    click.echo(
        f"  generated in {result.generate_seconds:.2f} s, recorded in {result.record_seconds:.2f} s "
        f"({result.entries / recorded:,.0f} entries/s), statistics in {result.analyze_seconds:.2f} s",
        file=out,
    )
    click.echo(f"  API token (read, write; shown once): {token}", file=out)
