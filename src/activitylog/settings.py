"""The service's settings: one typed object, read from `ACTIVITYLOG_*` environment variables.

Every field has a default and a line of help; the CLI's options and the README's table come from here.
"""

from __future__ import annotations

import ipaddress
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/activitylog.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACTIVITYLOG_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL, description="Where the log lives: sqlite:///path or postgresql://user@host/db."
    )
    host: str = Field("127.0.0.1", description="The address `activitylog serve` listens on.")
    port: int = Field(8000, ge=0, le=65535, description="The TCP port `activitylog serve` listens on.")
    max_body_bytes: int = Field(
        5 * 1024 * 1024, ge=1024, description="The largest request body POST /v1/events accepts, in bytes (413 above)."
    )
    body_timeout_seconds: float = Field(
        30.0, gt=0, description="How long a client may take to send a request body (408 after, nothing written)."
    )
    head_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="How long a client may take to send a request's line and headers, from connecting or from "
        "its first byte; the connection is closed after (a client that sends nothing holds nothing).",
    )
    keep_alive_seconds: int = Field(5, ge=1, description="How long an idle keep-alive connection is kept open.")
    public_url: str = Field(
        "",
        description="The service's public origin (`https://logs.example.com`): every absolute URL it hands out "
        "(Intercom's pages.next, invitation links) uses it, and a request naming another Host (or, behind a "
        "trusted proxy, X-Forwarded-Host) gets 421; /healthz, /readyz and /metrics answer any Host. Unset: "
        "absolute URLs follow the request's Host.",
    )
    trusted_proxies: str = Field(
        "",
        description=(
            "Comma-separated CIDR blocks of reverse proxies whose X-Forwarded-For, X-Forwarded-Proto and "
            "X-Forwarded-Host are believed; from any other peer these headers are ignored."
        ),
    )
    token_cache_seconds: float = Field(
        1.0,
        ge=0,
        description="How long a server trusts a token it has looked up; a revoked token stops working within this.",
    )
    retention_interval_hours: float = Field(
        24.0,
        ge=0,
        description="How often the server purges entries past each workspace's retention period (0: never; "
        "then run `activitylog retention run` from cron).",
    )
    signing_key_file: str = Field(
        "",
        description="The server's Ed25519 signing key (PEM), made with mode 0600 on first start; kept out of the "
        "database. Default: activitylog-signing.key next to the SQLite file, or in ./var/ for PostgreSQL.",
    )
    checkpoint_interval_minutes: float = Field(
        60.0,
        ge=0,
        description="How often the server signs a checkpoint of each workspace's hash chain (0: never; then run "
        "`activitylog checkpoint` from cron).",
    )
    cookie_secure: bool = Field(
        True,
        description="Mark the console's cookies Secure: browsers send them over HTTPS and to localhost only. Turn "
        "off only to serve the console over plain HTTP on a private network.",
    )
    export_workers: int = Field(
        2,
        ge=1,
        description="How many CSV exports (API and console downloads) the server runs at once; each may start a "
        "worker process of its own for a large export. More wait in a queue.",
    )
    export_queue: int = Field(
        8,
        ge=0,
        description="How many further exports may wait (up to 30 s each) for one to end; past that, 503 with "
        "Retry-After, before anything is written.",
    )
    access_log: bool = Field(True, description="Log one line per HTTP request to standard output.")
    log_level: str = Field("info", description="The server's log level: debug, info, warning or error.")

    @field_validator("public_url")
    @classmethod
    def _origin(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value:
            return ""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
            raise ValueError("must be an origin: http(s)://host[:port], with no path, query or fragment")
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        return f"{parts.scheme}://{parts.netloc.lower()}"

    @field_validator("trusted_proxies")
    @classmethod
    def _cidrs(cls, value: str) -> str:
        for block in value.split(","):
            if block.strip():
                ipaddress.ip_network(block.strip(), strict=False)  # a ValueError is reported as a settings error
        return value

    @cached_property
    def proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """`trusted_proxies` parsed."""
        return tuple(
            ipaddress.ip_network(b.strip(), strict=False) for b in self.trusted_proxies.split(",") if b.strip()
        )


def load(**overrides: object) -> Settings:
    """The settings from the environment; `overrides` (e.g. command-line options) win over it."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]


KEY_FILE_NAME = "activitylog-signing.key"


def default_key_file(database_url: str) -> Path:
    """Next to the SQLite file; for PostgreSQL, in ./var/ (where the default SQLite file lives too)."""
    if database_url.startswith("sqlite:"):
        # Imported here: storage.migrate brings in Alembic and SQLAlchemy, which reading settings does not need.
        from activitylog.storage.migrate import sqlite_path

        return sqlite_path(database_url).parent / KEY_FILE_NAME
    return Path("var") / KEY_FILE_NAME


def signing_key_path(settings: Settings) -> str:
    """`signing_key_file`, or its default for the database (`default_key_file`); activitylog.integrity.keys makes
    the key there on first start."""
    if settings.signing_key_file:
        return settings.signing_key_file
    return str(default_key_file(settings.database_url))
