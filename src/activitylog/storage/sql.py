"""SQL shared by both backends: the entry columns and the WHERE clause of the one filter model.

Placeholders are written `?` and each backend translates if it must. Query planning notes:
- a filter on a few activity types or teammates becomes a UNION ALL of one index range per value, each
  already in page order, so the first page never sorts all matching rows;
- a filter on many values keeps the timeline index (`+column IN (...)` in SQLite stops the planner from
  choosing the per-value index and sorting everything).
"""

from __future__ import annotations

from dataclasses import dataclass

from activitylog.domain.cursor import Cursor
from activitylog.domain.filters import ActivityFilter

ENTRY_COLUMNS = (
    "id, type, actor_type, actor_id, actor_name, actor_email, occurred_us, recorded_us, ip, user_agent, "
    "metadata, request_id, idempotency_key"
)
INSERT_COLUMNS = (
    "workspace_id, id, type, actor_type, actor_id, actor_name, actor_email, occurred_us, recorded_us, ip, "
    "ip_key, user_agent, metadata, request_id, idempotency_key"
)
ORDER = "ORDER BY occurred_us DESC, id DESC"
MAX_UNION = 24  # beyond this many values, scanning the timeline beats merging per-value ranges


@dataclass(frozen=True, slots=True)
class Select:
    sql: str
    params: list[object]


def _conditions(
    workspace_id: str, where: ActivityFilter, after: Cursor | None, *, skip: str | None, many_prefix: str
) -> tuple[list[str], list[object]]:
    clauses = ["workspace_id = ?"]
    params: list[object] = [workspace_id]
    for column, values in (("type", where.types), ("actor_id", where.teammates)):
        if values and column != skip:
            if len(values) == 1:
                clauses.append(f"{column} = ?")
            else:
                clauses.append(f"{many_prefix}{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if where.since_us is not None:
        clauses.append("occurred_us >= ?")
        params.append(where.since_us)
    if where.until_us is not None:
        clauses.append("occurred_us < ?")
        params.append(where.until_us)
    if where.ip is not None:
        clauses.append("ip_key BETWEEN ? AND ?")
        params.extend((where.ip.low, where.ip.high))
    if after is not None:
        clauses.append("(occurred_us, id) < (?, ?)")
        params.extend((after.occurred_us, after.id))
    return clauses, params


def select_page(
    workspace_id: str,
    where: ActivityFilter,
    *,
    limit: int,
    after: Cursor | None = None,
    columns: str = ENTRY_COLUMNS,
    many_prefix: str = "+",
) -> Select:
    """The SQL for one page of entries, newest first."""
    union_column, union_values = None, ()
    candidates = [(c, v) for c, v in (("type", where.types), ("actor_id", where.teammates)) if len(v) > 1]
    if candidates:
        union_column, union_values = min(candidates, key=lambda item: len(item[1]))
        if len(union_values) > MAX_UNION:
            union_column, union_values = None, ()
    if union_column is None:
        clauses, params = _conditions(workspace_id, where, after, skip=None, many_prefix=many_prefix)
        sql = f"SELECT {columns} FROM activities WHERE {' AND '.join(clauses)} {ORDER} LIMIT ?"
        return Select(sql, [*params, limit])
    branches = []
    all_params: list[object] = []
    for value in union_values:
        clauses, params = _conditions(workspace_id, where, after, skip=union_column, many_prefix=many_prefix)
        branches.append(
            f"SELECT * FROM (SELECT {columns} FROM activities WHERE {' AND '.join(clauses)} "
            f"AND {union_column} = ? {ORDER} LIMIT ?)"
        )
        all_params.extend((*params, value, limit))
    sql = f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS page {ORDER} LIMIT ?"
    return Select(sql, [*all_params, limit])


def select_count(workspace_id: str, where: ActivityFilter, *, many_prefix: str = "") -> Select:
    clauses, params = _conditions(workspace_id, where, None, skip=None, many_prefix=many_prefix)
    return Select(f"SELECT count(*) FROM activities WHERE {' AND '.join(clauses)}", params)
