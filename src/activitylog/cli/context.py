"""What every command shares: the database URL and, opened on first use, the store and the log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from activitylog.errors import ActivityLogError
from activitylog.service import ActivityLog
from activitylog.storage.base import Store

F = TypeVar("F", bound=Callable[..., Any])

#: Who a change made from the shell is by, in the log.
COMMAND_LINE: dict[str, Any] = {"type": "system", "name": "The command line"}


class CliContext:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._store: Store | None = None
        self._log: ActivityLog | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            from activitylog.storage import open_store

            self._store = open_store(self.database_url)
        return self._store

    @property
    def log(self) -> ActivityLog:
        if self._log is None:
            self._log = ActivityLog(self.store)
        return self._log

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


pass_context = click.make_pass_decorator(CliContext)


def count(n: int, noun: str, nouns: str | None = None) -> str:
    """A count with its noun, singular for one: "1 entry", "2 entries", "1,204 tombstones"."""
    if n == 1:
        return f"1 {noun}"
    if nouns is None:
        nouns = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"
    return f"{n:,} {nouns}"


def fail(problem: ActivityLogError) -> click.ClickException:
    """An error of ours as a CLI error: every field problem on its own line, exit status 1."""
    lines = [str(e) for e in getattr(problem, "errors", [])] or [problem.message]
    return click.ClickException("\n".join(lines))
