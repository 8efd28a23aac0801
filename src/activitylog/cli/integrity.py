"""`activitylog verify`, `activitylog checkpoint`, `activitylog public-key`: tamper evidence from the shell.

`verify` walks a workspace's hash chain in the database and names every entry that fails (exit status 1); it
only reads: nothing is written to the database, and no key is made. Signing a checkpoint is `checkpoint`'s
job. With `--export`, `verify` checks exported entries against proofs from the API instead, trusting only the
public key it is given (no database needed).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from activitylog.cli.context import CliContext, count, fail, pass_context
from activitylog.cli.options import resolve_workspace, workspace_option
from activitylog.errors import ActivityLogError
from activitylog.integrity.keys import Signer, Verifier, load_or_create, load_public_key
from activitylog.integrity.proofs import verify_export
from activitylog.integrity.service import Integrity, IntegrityFailure
from activitylog.integrity.verify import Report
from activitylog.settings import load, signing_key_path
from activitylog.storage.integrity import IntegrityRepository

key_file_option = click.option(
    "--key-file",
    envvar="ACTIVITYLOG_SIGNING_KEY_FILE",
    help="The server's signing key (env ACTIVITYLOG_SIGNING_KEY_FILE; default: next to the SQLite file, or "
    "./var/ for PostgreSQL). Made on first use.",
)


def _signer(ctx: CliContext, key_file: str | None) -> Signer:
    path = key_file or signing_key_path(load(database_url=ctx.database_url))
    try:
        return load_or_create(path)
    except ActivityLogError as problem:
        raise fail(problem) from None


def _reading_signer(ctx: CliContext, key_file: str | None) -> Signer:
    """The signing key for checking checkpoints, never made on the way: without one, a key of this run alone
    (so any signed checkpoint fails, as it should: nothing here can vouch for it)."""
    path = Path(key_file or signing_key_path(load(database_url=ctx.database_url)))
    if path.exists():
        return _signer(ctx, str(path))
    click.echo(f"no signing key at {path}: signed checkpoints cannot be checked", err=True)
    return Signer.of(Ed25519PrivateKey.generate())


def _workspaces(ctx: CliContext, workspace: str | None, every: bool) -> list[str]:
    if every:
        return [w.id for w in ctx.store.list_workspaces()]
    return [resolve_workspace(ctx, workspace)]


def _echo_report(report: Report) -> None:
    summary = (
        f"{count(report.entries, 'entry')}, {count(report.tombstones, 'tombstone')}, chain positions "
        f"{report.anchor + 1:,} to {report.head:,}, {count(report.checkpoints, 'signed checkpoint')} matched"
    )
    if report.ok:
        click.echo(f"{report.workspace_id}: OK ({summary})")
        return
    click.echo(f"{report.workspace_id}: FAILED, {count(report.failure_count, 'problem')} ({summary})")
    for failure in report.failures:
        click.echo(f"  {failure.kind}: {failure}")
    if report.failure_count > len(report.failures):
        click.echo(f"  ... and {report.failure_count - len(report.failures):,} more")


def _read_entries(path: Path) -> list[dict[str, Any]]:
    """Entries as `GET /v1/events` shows them: a JSON list, a page (`{"data": [...]}`), or JSON Lines."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    if isinstance(data, dict):
        data = data.get("data", data.get("events", [data]))
    if not isinstance(data, list):
        raise click.BadParameter("expected entries as a JSON list, a page of /v1/events, or JSON Lines")
    return data


@click.command()
@workspace_option
@click.option("--all", "every", is_flag=True, help="Every workspace.")
# Gone: verify only reads. `--no-checkpoint` is still accepted (it is what verify does now); `--checkpoint` says
# where signing went.
@click.option("--checkpoint/--no-checkpoint", default=False, hidden=True)
@click.option("--json", "as_json", is_flag=True, help="The reports as JSON.")
@key_file_option
@click.option(
    "--export",
    "export",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Offline: entries exported from GET /v1/events (JSON, a page, or JSON Lines) to check against --proof.",
)
@click.option(
    "--proof",
    "proof_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Offline: a proof from GET /v1/integrity/proof (repeat for several).",
)
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Offline: the server's public key (PEM), as `activitylog public-key` printed it.",
)
@pass_context
def verify(
    ctx: CliContext,
    workspace: str | None,
    every: bool,
    checkpoint: bool,
    as_json: bool,
    key_file: str | None,
    export: Path | None,
    proof_files: tuple[Path, ...],
    public_key: Path | None,
) -> None:
    """Check a workspace's entries against their hash chain and signed checkpoints; name every entry that fails.

    Exit status 1 when anything fails. It only reads: sign a checkpoint with `activitylog checkpoint`. With
    --export, --proof and --public-key: check exported entries offline, trusting nothing but the public key.
    """
    if checkpoint:
        raise click.UsageError("verify only reads: sign a checkpoint with `activitylog checkpoint`")
    if export is not None or proof_files or public_key is not None:
        if export is None or not proof_files or public_key is None:
            raise click.UsageError("offline verification needs --export, --proof and --public-key")
        try:
            verifier = Verifier(load_public_key(public_key.read_bytes()))
        except ActivityLogError as problem:
            raise fail(problem) from None
        entries = _read_entries(export)
        proofs = [json.loads(p.read_text(encoding="utf-8")) for p in proof_files]
        check = verify_export(entries, proofs, verifier)
        if as_json:
            click.echo(json.dumps({"ok": check.ok, "proven": check.proven, "problems": check.problems}, indent=2))
        else:
            for line in check.problems:
                click.echo(f"  {line}")
            verdict = "OK" if check.ok else "FAILED"
            proven = f"{check.proven:,} of {count(len(entries), 'entry')}"
            click.echo(f"{verdict}: {proven} proven with key {verifier.key_id}")
        if not check.ok:
            raise SystemExit(1)
        return
    workspaces = _workspaces(ctx, workspace, every)
    integrity = Integrity(IntegrityRepository(ctx.store), _reading_signer(ctx, key_file))
    failed = False
    reports = []
    for workspace_id in workspaces:
        report = integrity.verify(workspace_id)
        reports.append(report)
        failed |= not report.ok
        if not as_json:
            _echo_report(report)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in reports], indent=2))
    if failed:
        raise SystemExit(1)


@click.command()
@workspace_option
@click.option("--all", "every", is_flag=True, help="Every workspace (the default when no --workspace is given).")
@key_file_option
@pass_context
def checkpoint(ctx: CliContext, workspace: str | None, every: bool, key_file: str | None) -> None:
    """Sign a checkpoint of each workspace's hash chain now (after checking the entries since the last one)."""
    integrity = Integrity(IntegrityRepository(ctx.store), _signer(ctx, key_file))
    workspaces = [workspace] if workspace and not every else [w.id for w in ctx.store.list_workspaces()]
    failed = False
    for workspace_id in workspaces:
        try:
            signed = integrity.checkpoint(resolve_workspace(ctx, workspace_id))
        except IntegrityFailure as problem:
            failed = True
            click.echo(f"{workspace_id}: not signed: {problem.message}", err=True)
            continue
        if signed is None:
            click.echo(f"{workspace_id}: nothing new to sign")
        else:
            click.echo(f"{workspace_id}: signed a checkpoint at position {signed.position:,}")
    if failed:
        raise SystemExit(1)


@click.command("public-key")
@key_file_option
@pass_context
def public_key(ctx: CliContext, key_file: str | None) -> None:
    """Print the server's public key (PEM): give it to whoever verifies exports."""
    signer = _signer(ctx, key_file)
    click.echo(signer.pem, nl=False)
    click.echo(f"# key id {signer.key_id}", err=True)
