"""`activitylog serve`: the HTTP API under uvicorn (uvloop and httptools when available)."""

from __future__ import annotations

from typing import Any

import click

from activitylog.cli.context import CliContext, pass_context
from activitylog.settings import Settings, load


def _field_help(name: str) -> str:
    description = Settings.model_fields[name].description or ""
    return f"{description} (env ACTIVITYLOG_{name.upper()})"


@click.command()
@click.option("--host", default=None, help=_field_help("host") + "  [default: 127.0.0.1]")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help=_field_help("port") + "  [default: 8000]")
@click.option("--database-url", default=None, help="Overrides the global --database-url for the server.")
@click.option("--access-log/--no-access-log", default=None, help=_field_help("access_log"))
@pass_context
def serve(
    ctx: CliContext, host: str | None, port: int | None, database_url: str | None, access_log: bool | None
) -> None:
    """Serve the REST API (native /v1 and Intercom-compatible /admins), /docs, /healthz, /readyz and /metrics."""
    import uvicorn

    from activitylog.app import create_app

    settings = load(host=host, port=port, database_url=database_url or ctx.database_url, access_log=access_log)
    url = f"http://{settings.host}:{settings.port}"
    click.echo(
        f"activitylog: serving {settings.database_url} on {url} (console at {url}/, API docs at {url}/docs)", err=True
    )
    uvicorn.run(**server_options(settings), app=create_app(settings))


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for these settings (the app aside): the address, logging, and the guards that keep
    slow or idle clients from holding connections (see `http.slow_clients`; bodies are guarded by the app)."""
    from activitylog.http.slow_clients import guarded

    return {
        "host": settings.host,
        "port": settings.port,
        "access_log": settings.access_log,
        "log_level": settings.log_level,
        # X-Forwarded-* are handled by the app, and only from the configured trusted proxies.
        "proxy_headers": False,
        "server_header": False,
        "http": guarded(settings.head_timeout_seconds),
        "timeout_keep_alive": settings.keep_alive_seconds,
    }
