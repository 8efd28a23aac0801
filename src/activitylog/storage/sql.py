"""SQL shared by both backends: the entry columns, rows to and from entries, and the WHERE clause of the filter.

Placeholders are written `?` and each backend translates if it must. Query planning notes:
- a filter on a few activity types or teammates becomes a UNION ALL of one index range per value, each
  already in page order, so the first page never sorts all matching rows;
- a filter on many values keeps the timeline index (`+column IN (...)` in SQLite stops the planner from
  choosing the per-value index and sorting everything);
- per-day counts (the page's histogram) are one count per day, each an index range in time order: a year of
  a million entries is counted from the indexes alone, without sorting or grouping a row;
- a search (`ActivityFilter.search`) is one more condition, whose SQL each backend writes over its own index
  (`SearchSql`: SQLite's FTS5 table, PostgreSQL's tsvector table); its expression is built here from the
  parsed words (`fts5_query`, `tsquery`), never from what the user typed, so no input is ever query syntax.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from activitylog.domain.cursor import Cursor
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.prepared import ROW_FIELDS
from activitylog.domain.search import Search
from activitylog.domain.stored import READ_FIELDS
from activitylog.timeutil import DAY_US

ENTRY_COLUMNS = ", ".join(READ_FIELDS)  # an entry as a store reads it: domain.stored names the positions
INSERT_COLUMNS = ", ".join(ROW_FIELDS)
#: What locating a position in the log needs: covered by the indexes, so no table row is read.
KEY_COLUMNS = "id, occurred_us"
ORDER = "ORDER BY occurred_us DESC, id DESC"
OLDEST_FIRST = "ORDER BY occurred_us, id"
MAX_UNION = 24  # beyond this many values, scanning the timeline beats merging per-value ranges


@dataclass(frozen=True, slots=True)
class Select:
    sql: str
    params: list[object]


#: A backend's condition for a search's words: (SQL over the row's columns, its parameters).
SearchSql = Callable[[Search], tuple[str, list[object]]]


def fts5_query(search: Search) -> str:
    """The search's phrases as an FTS5 expression: each phrase quoted (its words are letters and digits only),
    `*` after a prefix, `actor :` before one that names the teammate; all of them required."""
    parts = []
    for phrase in search.phrases:
        text = '"' + " ".join(phrase.words) + '"' + ("*" if phrase.prefix else "")
        parts.append(f"actor : {text}" if phrase.column == "actor" else text)
    return " AND ".join(parts)


def tsquery(search: Search) -> str:
    """The search's phrases as a PostgreSQL tsquery (for `to_tsquery('simple', ...)`): words of a phrase joined
    by `<->` (next to each other), `:*` for a prefix, weight A (the actor column) for one that names the teammate."""
    parts = []
    for phrase in search.phrases:
        weight = "A" if phrase.column == "actor" else ""
        items = [f"{word}:{weight}" if weight else word for word in phrase.words]
        if phrase.prefix:
            items[-1] = f"{phrase.words[-1]}:*{weight}"
        parts.append("(" + " <-> ".join(items) + ")")
    return " & ".join(parts)


def _conditions(
    workspace_id: str,
    where: ActivityFilter,
    after: Cursor | None,
    *,
    skip: str | None,
    many_prefix: str,
    ip_literal: Callable[[bytes], str] | None = None,
    ip_prefix: str = "",
    search_sql: SearchSql | None = None,
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
    search = where.search
    if search is not None:
        if search.types:  # ANDed with the filter's own types: the search narrows, never widens
            clauses.append(f"{many_prefix}type IN ({', '.join('?' * len(search.types))})")
            params.extend(search.types)
        if search.ip is not None:
            _ip_clause(search.ip.low, search.ip.high, clauses, params, ip_literal, many_prefix)
        if search.phrases:
            if search_sql is None:
                raise ValueError("this query cannot search")  # a bug: every store passes its search SQL
            clause, search_params = search_sql(search)
            clauses.append(clause)
            params.extend(search_params)
    if where.ip is not None:
        low, high = where.ip.low, where.ip.high
        if ip_literal is not None:
            # In the SQL text, so even a cached generic plan knows how wide the range is: with parameters, a
            # /8 and a /32 get the same plan, and a wide range sorted every match (100x slower).
            low_sql, high_sql = ip_literal(low), ip_literal(high)
        else:
            low_sql = high_sql = "?"
            params.extend((low,) if low == high else (low, high))
        # One address: equality lets the (workspace, ip_key, occurred_us) index return rows in page order.
        column = f"{ip_prefix}ip_key"
        clauses.append(f"{column} = {low_sql}" if low == high else f"{column} BETWEEN {low_sql} AND {high_sql}")
    if after is not None:
        clauses.append("(occurred_us, id) < (?, ?)")
        params.extend((after.occurred_us, after.id))
    return clauses, params


def _ip_clause(
    low: bytes,
    high: bytes,
    clauses: list[str],
    params: list[object],
    ip_literal: Callable[[bytes], str] | None,
    prefix: str,
) -> None:
    """A search's `ip:` term: the same key range as the IP filter's (kept off the index: the filter's own
    conditions choose the plan)."""
    if ip_literal is not None:
        low_sql, high_sql = ip_literal(low), ip_literal(high)
    else:
        low_sql = high_sql = "?"
        params.extend((low, high))
    clauses.append(f"{prefix}ip_key BETWEEN {low_sql} AND {high_sql}")


def select_page(
    workspace_id: str,
    where: ActivityFilter,
    *,
    limit: int,
    after: Cursor | None = None,
    columns: str = ENTRY_COLUMNS,
    many_prefix: str = "+",
    ip_literal: Callable[[bytes], str] | None = None,
    ip_prefix: str = "",
    offset: int = 0,
    oldest_first: bool = False,
    search_sql: SearchSql | None = None,
) -> Select:
    """The SQL for one page of entries, newest first (oldest first with `oldest_first`, never with `after`).

    `many_prefix` goes before `column IN (...)` (SQLite's `+` keeps the timeline index); `ip_literal`, when
    given, writes the IP range into the SQL as literals (PostgreSQL, whose cached plans would not see it);
    `ip_prefix` goes before `ip_key` (SQLite's `+` keeps a wide range off the IP index, see SQLiteStore).
    `offset` skips that many matches first, inside the database: with `columns=KEY_COLUMNS` each one skipped
    is one index entry stepped over, no table row read (how a page number finds where its page starts).
    """
    if oldest_first and after is not None:
        raise ValueError("a keyset cursor pages newest first")  # a bug, never user input
    order = OLDEST_FIRST if oldest_first else ORDER
    window = "LIMIT ? OFFSET ?" if offset else "LIMIT ?"
    window_params: list[object] = [limit, offset] if offset else [limit]
    union_column: str | None = None
    union_values: tuple[str, ...] = ()
    candidates = [(c, v) for c, v in (("type", where.types), ("actor_id", where.teammates)) if len(v) > 1]
    if candidates:
        union_column, union_values = min(candidates, key=lambda item: len(item[1]))
        if len(union_values) > MAX_UNION:
            union_column, union_values = None, ()
    if union_column is None:
        clauses, params = _conditions(
            workspace_id,
            where,
            after,
            skip=None,
            many_prefix=many_prefix,
            ip_literal=ip_literal,
            ip_prefix=ip_prefix,
            search_sql=search_sql,
        )
        sql = f"SELECT {columns} FROM activities WHERE {' AND '.join(clauses)} {order} {window}"
        return Select(sql, [*params, *window_params])
    branches = []
    all_params: list[object] = []
    for value in union_values:
        clauses, params = _conditions(
            workspace_id,
            where,
            after,
            skip=union_column,
            many_prefix=many_prefix,
            ip_literal=ip_literal,
            ip_prefix=ip_prefix,
            search_sql=search_sql,
        )
        branches.append(
            f"SELECT * FROM (SELECT {columns} FROM activities WHERE {' AND '.join(clauses)} "
            f"AND {union_column} = ? {order} LIMIT ?) AS branch"  # PostgreSQL before 16 needs the alias
        )
        all_params.extend((*params, value, limit + offset))
    sql = f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS page {order} {window}"
    return Select(sql, [*all_params, *window_params])


def select_count(
    workspace_id: str,
    where: ActivityFilter,
    *,
    many_prefix: str = "",
    ip_literal: Callable[[bytes], str] | None = None,
    search_sql: SearchSql | None = None,
) -> Select:
    clauses, params = _conditions(
        workspace_id, where, None, skip=None, many_prefix=many_prefix, ip_literal=ip_literal, search_sql=search_sql
    )
    return Select(f"SELECT count(*) FROM activities WHERE {' AND '.join(clauses)}", params)


def select_day_counts(
    workspace_id: str,
    where: ActivityFilter,
    days: Sequence[tuple[int, int]],
    *,
    ip_literal: Callable[[bytes], str] | None = None,
    ip_prefix: str = "",
    search_sql: SearchSql | None = None,
) -> Select:
    """One row (n, count) per range [since, until) of `days`, n its position: how many entries match `where`
    (its own time range ignored) in each.

    One statement: a table of the days, and a correlated count per day, which each backend runs as one index
    range per day (on the timeline, or on the type or teammate index, whose keys end with the time).
    """
    clauses, params = _conditions(
        workspace_id,
        replace(where, since_us=None, until_us=None),
        None,
        skip=None,
        many_prefix="",
        ip_literal=ip_literal,
        ip_prefix=ip_prefix,
        search_sql=search_sql,
    )
    # The first row's casts type the columns for PostgreSQL (SQLite reads CAST the same way).
    rows = ", ".join(["(CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT))"] + ["(?, ?, ?)"] * (len(days) - 1))
    day_params = [value for n, (since, until) in enumerate(days) for value in (n, since, until)]
    sql = (
        f"WITH days (n, since_us, until_us) AS (VALUES {rows}) "
        f"SELECT n, (SELECT count(*) FROM activities WHERE {' AND '.join(clauses)} "
        "AND occurred_us >= days.since_us AND occurred_us < days.until_us) FROM days ORDER BY n"
    )
    return Select(sql, [*day_params, *params])


def select_day_buckets(
    workspace_id: str,
    where: ActivityFilter,
    offset_us: int,
    *,
    ip_literal: Callable[[bytes], str] | None = None,
    search_sql: SearchSql | None = None,
) -> Select:
    """Rows (day number, count) of the entries matching `where` in its range, by local day for a zone whose UTC
    offset is `offset_us` all through that range (the day number counts days since 1970-01-01, local).

    For filters no index serves in time order (an IP block): one pass over the matches, grouped.
    """
    clauses, params = _conditions(
        workspace_id, where, None, skip=None, many_prefix="", ip_literal=ip_literal, search_sql=search_sql
    )
    sql = (
        f"SELECT (occurred_us + ?) / {DAY_US} AS day, count(*) FROM activities WHERE {' AND '.join(clauses)} GROUP BY 1"
    )
    return Select(sql, [offset_us, *params])
