"""Choose a backend from a database URL: `sqlite:///path` (the default) or `postgresql://...`."""

from __future__ import annotations

from activitylog.errors import InvalidInput
from activitylog.storage.base import Store


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open the store at `url`, bringing its schema up to date first unless `migrate` is False."""
    if migrate:
        from activitylog.storage.migrate import upgrade

        upgrade(url)
    if url.startswith("sqlite:"):
        from activitylog.storage.sqlite.store import SQLiteStore

        return SQLiteStore(url)
    if url.startswith(("postgresql:", "postgres:", "postgresql+psycopg:")):
        from activitylog.storage.postgres.store import PostgresStore

        return PostgresStore(url)
    raise InvalidInput.single("database_url", f"{url!r}: use sqlite:///path or postgresql://...")
