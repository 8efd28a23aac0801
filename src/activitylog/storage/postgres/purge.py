"""Retention's purge on PostgreSQL: drop whole expired partitions; trim the rest by rows, in small batches.

Monthly partitions are shared by every workspace, and each workspace has its own retention period, so one
workspace's run may not simply drop "its" old months. The rule, for a run of workspace W with cut-off C:

1. W's cut-off C is recorded in `retention_runs` first (committed): the append-only trigger lets a row be
   deleted only when it is older than its own workspace's latest recorded cut-off.
2. A partition entirely older than C (its upper bound <= C) is DROPPED when every row in it is past its own
   workspace's recorded cut-off, i.e. no workspace whose recorded cut-off is below the partition's upper
   bound still has a row in it (found with a skip scan over the partition's primary key, one index probe
   per workspace present). The check is repeated under an ACCESS EXCLUSIVE lock on `activities` (which the
   DROP takes anyway), so no writer can add a row between the check and the drop. Dropping costs the same
   whatever the partition holds. If the lock is not granted within DROP_LOCK_TIMEOUT (a long reader), the
   run falls back to 3. rather than queue every reader behind it.
3. Otherwise (the partition straddles C, or another workspace still keeps rows in it) W's rows older than C
   are deleted from that partition in batches of DELETE_BATCH rows, each its own short statement.
4. The idempotency keys of W's expired entries are released, as on SQLite (where they live on the row), and
   their search rows deleted: W's older than C, and every row of a dropped month (whose entries all went).
   A search row is only ever found through its entry, so one left by a run that stopped halfway is never a
   match, and the next run deletes it.

With the server's daily runs each workspace trims its boundary month by about a day of rows a day, and a
month goes with one DROP once the last workspace holding rows in it has passed it. A first run over a long
backlog, or a shortened retention period, drops whole months at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import psycopg
from psycopg import errors, sql

from activitylog.storage.base import PurgeResult
from activitylog.storage.postgres.partitions import Partition, Partitions
from activitylog.timeutil import iso, now_us

DELETE_BATCH = 5000  # rows per DELETE statement: tens of milliseconds, so no lock is held for long
DROP_LOCK_TIMEOUT = "2s"

log = logging.getLogger("activitylog.retention")

Connect = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]

# A skip scan: one index descent per workspace present in the partition, then the first one whose recorded
# cut-off does not pass the partition's upper bound (it still keeps rows there), if any.
_KEEPER = """
WITH RECURSIVE present(workspace_id) AS (
    (SELECT workspace_id FROM {partition} ORDER BY workspace_id LIMIT 1)
    UNION ALL
    SELECT (SELECT p.workspace_id FROM {partition} p WHERE p.workspace_id > present.workspace_id
            ORDER BY p.workspace_id LIMIT 1)
    FROM present WHERE present.workspace_id IS NOT NULL
)
SELECT workspace_id FROM present
WHERE workspace_id IS NOT NULL
  AND COALESCE((SELECT max(r.cutoff_us) FROM retention_runs r WHERE r.workspace_id = present.workspace_id), -1) < %s
LIMIT 1
"""


def purge(connect: Connect, partitions: Partitions, workspace_id: str, cutoff_us: int) -> PurgeResult:
    """Remove `workspace_id`'s entries older than `cutoff_us` (see the module docstring for how)."""
    with connect() as connection:
        row = connection.execute(
            "INSERT INTO retention_runs (workspace_id, cutoff_us, started_us) VALUES (%s, %s, %s) RETURNING id",
            (workspace_id, cutoff_us, now_us()),
        ).fetchone()
        assert row is not None
        run_id = row[0]
        removed = 0
        for partition in partitions.listing(connection):
            if partition.low >= cutoff_us:
                break
            if partition.high <= cutoff_us:
                dropped = _drop_if_expired(connection, partitions, partition, workspace_id)
                if dropped is not None:
                    removed += dropped
                    _delete_batches(
                        connection,
                        "DELETE FROM activity_search WHERE ctid = ANY(ARRAY(SELECT ctid FROM activity_search "
                        "WHERE occurred_us >= %s AND occurred_us < %s LIMIT %s))",
                        (partition.low, partition.high),
                    )
                    continue
            removed += _trim(connection, partition, workspace_id, cutoff_us)
        _release_keys(connection, workspace_id, cutoff_us)
        _delete_batches(
            connection,
            "DELETE FROM activity_search WHERE ctid = ANY(ARRAY(SELECT ctid FROM activity_search "
            "WHERE workspace_id = %s AND occurred_us < %s LIMIT %s))",
            (workspace_id, cutoff_us),
        )
        connection.execute(
            "UPDATE retention_runs SET finished_us = %s, removed = %s WHERE id = %s", (now_us(), removed, run_id)
        )
    return PurgeResult(workspace_id, cutoff_us, removed)


def _keeper(connection: psycopg.Connection[Any], partition: Partition) -> str | None:
    query = sql.SQL(_KEEPER).format(partition=sql.Identifier(partition.name))
    row = connection.execute(query, (partition.high,)).fetchone()
    return None if row is None else str(row[0])


def _drop_if_expired(
    connection: psycopg.Connection[Any], partitions: Partitions, partition: Partition, workspace_id: str
) -> int | None:
    """Drop the partition if nobody keeps rows in it; answers how many of the workspace's rows went, or None."""
    if _keeper(connection, partition) is not None:
        return None
    # Counted before the lock, to keep the lock short: the workspace adds no rows older than its cut-off.
    count = connection.execute(
        sql.SQL("SELECT count(*) FROM {} WHERE workspace_id = %s").format(sql.Identifier(partition.name)),
        (workspace_id,),
    ).fetchone()
    try:
        with connection.transaction():
            connection.execute(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'")
            connection.execute("LOCK TABLE activities IN ACCESS EXCLUSIVE MODE")
            keeper = _keeper(connection, partition)
            if keeper is not None:
                log.info("partition %s kept: workspace %s still keeps rows in it", partition.name, keeper)
                return None
            connection.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(partition.name)))
    except errors.LockNotAvailable:
        log.warning(
            "partition %s: lock not granted within %s, deleting rows instead", partition.name, DROP_LOCK_TIMEOUT
        )
        return None
    partitions.forget(partition)
    removed = int(count[0]) if count else 0
    log.info(
        "dropped partition %s (entries before %s); %s of its rows were workspace %s's",
        partition.name,
        iso(partition.high),
        f"{removed:,}",
        workspace_id,
    )
    return removed


def _trim(connection: psycopg.Connection[Any], partition: Partition, workspace_id: str, cutoff_us: int) -> int:
    """Delete the workspace's expired rows from one partition, DELETE_BATCH rows per statement."""
    statement = sql.SQL(
        "DELETE FROM {p} WHERE ctid = ANY(ARRAY("
        "SELECT ctid FROM {p} WHERE workspace_id = %s AND occurred_us < %s LIMIT %s))"
    ).format(p=sql.Identifier(partition.name))
    removed = 0
    while True:
        deleted = connection.execute(statement, (workspace_id, cutoff_us, DELETE_BATCH)).rowcount
        removed += deleted
        if deleted < DELETE_BATCH:
            return removed


def _release_keys(connection: psycopg.Connection[Any], workspace_id: str, cutoff_us: int) -> None:
    while True:
        deleted = connection.execute(
            "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(SELECT ctid FROM idempotency_keys "
            "WHERE workspace_id = %s AND occurred_us < %s LIMIT %s))",
            (workspace_id, cutoff_us, DELETE_BATCH),
        ).rowcount
        if deleted < DELETE_BATCH:
            return


def _delete_batches(connection: psycopg.Connection[Any], statement: str, params: tuple[Any, ...]) -> None:
    """Run a `... LIMIT %s` DELETE, DELETE_BATCH rows at a time, until it deletes fewer."""
    while connection.execute(statement, (*params, DELETE_BATCH)).rowcount >= DELETE_BATCH:
        pass
