"""Calendar days in a workspace's time zone, as the log's UTC microseconds.

A local day runs from its midnight to the next one: 24 hours most days, 23 or 25 on the days the clocks
change. The page's date filters and its histogram both use `midnight_us`, so a bar of the histogram and the
range it narrows to always hold the same entries.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from activitylog.timeutil import from_us, to_us

#: Days a per-day question may span: ten years, the longest retention period.
MAX_DAYS = 3660
#: The dates a filter may name: whole days whose midnights exist in every time zone, far from datetime's edges.
FIRST_DATE = date(1970, 1, 2)
LAST_DATE = date(9999, 12, 30)


@lru_cache(maxsize=64)
def zone(timezone: str) -> ZoneInfo:
    return ZoneInfo(timezone)


def midnight_us(day: date, timezone: str) -> int:
    """The first moment of `day` in the zone. Where the clocks jump at midnight, the first moment that
    exists (the zone's offset before the jump, as `zoneinfo` resolves a missing time)."""
    return to_us(datetime.combine(day, time(), tzinfo=zone(timezone)))


def day_of(micros: int, timezone: str) -> date:
    """The local date of a moment."""
    return from_us(micros).astimezone(zone(timezone)).date()


def bounds(day: date, timezone: str) -> tuple[int, int]:
    """`day` as the range [since, until) of UTC microseconds."""
    return midnight_us(day, timezone), midnight_us(day + timedelta(days=1), timezone)


def days_between(since_us: int, until_us: int, timezone: str) -> list[tuple[date, int, int]]:
    """Every local day that [since_us, until_us) touches, oldest first, as (date, since, until), each range cut
    to the span given (the first and last days may be partial). Empty when the span is."""
    if until_us <= since_us:
        return []
    first, last = day_of(since_us, timezone), day_of(until_us - 1, timezone)
    count = (last - first).days + 1
    if count > MAX_DAYS:
        raise ValueError(f"{count} days is more than the {MAX_DAYS} a per-day count covers")
    edges = [midnight_us(first + timedelta(days=n), timezone) for n in range(count + 1)]
    return [(first + timedelta(days=n), max(edges[n], since_us), min(edges[n + 1], until_us)) for n in range(count)]


HOUR_US = 3_600_000_000


def hours_of(day: date, timezone: str) -> list[tuple[int, int]]:
    """The hours of a local day as UTC [since, until) ranges: 24, or 23 and 25 on the days the clocks change."""
    since, until = midnight_us(day, timezone), midnight_us(day + timedelta(days=1), timezone)
    return [(start, min(start + HOUR_US, until)) for start in range(since, until, HOUR_US)]
