"""Per-day counts in a time zone, on either backend: the SQL comes from `storage.sql`, each store runs it.

Two plans, chosen by the filter:
- one correlated count per local day (`select_day_counts`): every filter but an IP block is an index range in
  time order per day (the timeline, or the type, teammate or single-address index), so a year of a million
  entries is counted from the indexes alone;
- for a search (its matches come from the search index, in no time order), and for an IP block alone, whose
  index is ordered by address, not time: one grouped pass over its matches per
  stretch of days that share a UTC offset (`select_day_buckets`), and a plain count for each day the clocks
  change. With a type or teammate too, their index serves the per-day counts and the block is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from activitylog.domain.days import days_between, midnight_us
from activitylog.domain.filters import ActivityFilter
from activitylog.storage.sql import SearchSql, Select, select_count, select_day_buckets, select_day_counts
from activitylog.timeutil import DAY_US

Run = Callable[[Select], list[tuple[Any, ...]]]
_EPOCH_DATE = date(1970, 1, 1)


def count_by_day(
    run: Run,
    workspace_id: str,
    where: ActivityFilter,
    timezone: str,
    *,
    ip_literal: Callable[[bytes], str] | None = None,
    ip_prefix: str = "",
    search_sql: SearchSql | None = None,
) -> list[tuple[date, int]]:
    """Every local day [since, until) touches, oldest first, with its number of matching entries.

    `ip_literal` is as for `select_page`; `ip_prefix` keeps an IP block off its index when a type or teammate
    index serves the filter better (SQLite's `+`: its planner cannot tell how many entries a block holds).
    """
    if where.since_us is None or where.until_us is None:
        raise ValueError("a per-day count needs a range with both ends")
    days = days_between(where.since_us, where.until_us, timezone)
    if not days:
        return []
    block = where.ip is not None and where.ip.low != where.ip.high
    searched = where.search is not None and bool(where.search.phrases)
    if searched or (block and not (where.types or where.teammates)):
        return _by_stretches(run, workspace_id, where, timezone, days, ip_literal, search_sql)
    ranges = [(since, until) for _, since, until in days]
    select = select_day_counts(
        workspace_id, where, ranges, ip_literal=ip_literal, ip_prefix=ip_prefix if block else "", search_sql=search_sql
    )
    counts = {int(n): int(count) for n, count in run(select)}
    return [(day, counts.get(n, 0)) for n, (day, _, _) in enumerate(days)]


def count_in_ranges(
    run: Run,
    workspace_id: str,
    where: ActivityFilter,
    ranges: list[tuple[int, int]],
    *,
    ip_literal: Callable[[bytes], str] | None = None,
    search_sql: SearchSql | None = None,
) -> list[int]:
    """How many entries match `where` (its own time range ignored) in each [since, until) of `ranges`: the
    hours of a day's chart. One correlated count per range, as for days; a day holds few enough entries that
    an IP block is checked on the timeline's range rather than read from its own index."""
    if not ranges:
        return []
    counts = {
        int(n): int(count)
        for n, count in run(
            select_day_counts(workspace_id, where, ranges, ip_literal=ip_literal, search_sql=search_sql)
        )
    }
    return [counts.get(n, 0) for n in range(len(ranges))]


def _by_stretches(
    run: Run,
    workspace_id: str,
    where: ActivityFilter,
    timezone: str,
    days: list[tuple[date, int, int]],
    ip_literal: Callable[[bytes], str] | None,
    search_sql: SearchSql | None,
) -> list[tuple[date, int]]:
    counts: dict[date, int] = {}
    stretch: list[tuple[date, int, int]] = []
    stretch_offset = 0

    def flush() -> None:
        if not stretch:
            return
        span = replace(where, since_us=stretch[0][1], until_us=stretch[-1][2])
        for number, count in run(
            select_day_buckets(workspace_id, span, stretch_offset, ip_literal=ip_literal, search_sql=search_sql)
        ):
            counts[_EPOCH_DATE.fromordinal(_EPOCH_DATE.toordinal() + int(number))] = int(count)
        stretch.clear()

    for day, since, until in days:
        start = midnight_us(day, timezone)
        offset = (day - _EPOCH_DATE).days * DAY_US - start  # local time minus UTC, at the day's start
        if midnight_us(date.fromordinal(day.toordinal() + 1), timezone) - start != DAY_US:
            flush()  # the clocks change today: a count of its own
            one = select_count(
                workspace_id,
                replace(where, since_us=since, until_us=until),
                ip_literal=ip_literal,
                search_sql=search_sql,
            )
            counts[day] = int(run(one)[0][0])
            continue
        if stretch and offset != stretch_offset:
            flush()
        stretch_offset = offset
        stretch.append((day, since, until))
    flush()
    return [(day, counts.get(day, 0)) for day, _, _ in days]
