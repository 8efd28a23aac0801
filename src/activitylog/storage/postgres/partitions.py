"""The monthly partitions of `activities`: which exist (cached), and creating the missing ones ahead of need.

Invariants:
- a row can only be written once its month's partition exists (there is no DEFAULT partition), so the store
  calls `ensure` with a batch's months before writing it; the cache makes that a set lookup on the hot path;
- partitions are created ahead of time: the current month and the next MONTHS_AHEAD months at start-up and
  at every retention run (daily in the server), so live traffic never waits for DDL; older months (a
  backfill) are created on first use;
- partition DDL runs in its own short transaction, never inside a batch's (CREATE ... PARTITION OF takes an
  ACCESS EXCLUSIVE lock on `activities` until commit), under an advisory lock so processes never race;
- the cache may be stale (another process dropped an expired partition): a write that finds no partition
  reloads the cache from the catalog and retries once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg

from activitylog.storage.postgres.schema import (
    PARTITION_LOCK,
    month_bounds,
    month_of,
    next_month,
    partition_statements,
)

MONTHS_AHEAD = 2
DDL_LOCK_TIMEOUT = "5s"
_BOUNDS = re.compile(r"FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)")

Month = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Partition:
    name: str
    low: int  # inclusive, microseconds
    high: int  # exclusive


def months_between(first: Month, last: Month) -> list[Month]:
    months = [first]
    while months[-1] < last:
        months.append(next_month(*months[-1]))
    return months


class Partitions:
    """The partition cache of one store; thread-safe."""

    def __init__(self) -> None:
        self._known: set[Month] = set()
        self._lock = threading.Lock()

    def listing(self, connection: psycopg.Connection[Any]) -> list[Partition]:
        """Every partition of `activities`, oldest first, read from the catalog (and refreshing the cache)."""
        rows = connection.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'activities'::regclass"
        ).fetchall()
        found = []
        for name, bound in rows:
            match = _BOUNDS.search(bound or "")
            if match:
                found.append(Partition(name, int(match[1]), int(match[2])))
        found.sort(key=lambda p: p.low)
        with self._lock:
            self._known = {month_of(p.low) for p in found if (p.low, p.high) == month_bounds(*month_of(p.low))}
        return found

    def forget(self, partition: Partition) -> None:
        with self._lock:
            self._known.discard(month_of(partition.low))

    def missing(self, months: Iterable[Month]) -> set[Month]:
        return set(months) - self._known

    def ensure(self, connection: psycopg.Connection[Any], months: Iterable[Month]) -> list[str]:
        """Create the partitions of `months` that do not exist; answers the names created."""
        wanted = self.missing(months)
        if not wanted:
            return []
        created = []
        with connection.transaction():
            connection.execute(f"SET LOCAL lock_timeout = '{DDL_LOCK_TIMEOUT}'")
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (PARTITION_LOCK,))
            existing = {month_of(p.low) for p in self.listing(connection)}
            for year, month in sorted(wanted - existing):
                for statement in partition_statements(year, month):
                    connection.execute(statement)
                created.append(f"{year:04d}-{month:02d}")
        with self._lock:
            self._known |= wanted
        return created

    def ensure_ahead(self, connection: psycopg.Connection[Any], now_us: int) -> list[str]:
        """The current month's partition and the next MONTHS_AHEAD months'."""
        first = month_of(now_us)
        last = first
        for _ in range(MONTHS_AHEAD):
            last = next_month(*last)
        return self.ensure(connection, months_between(first, last))
