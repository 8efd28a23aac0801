"""What the activity log page shows of its entries and of its histogram, ready for the templates.

Everything here is plain text: the templates escape it (an event's `<img onerror=...>` shows as those
characters). Times are shown in the workspace's time zone, with the exact UTC time for a tooltip.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from html import escape
from typing import Any

from activitylog.catalog import Segment, fields
from activitylog.catalog.render import format_value
from activitylog.domain import channel as channels
from activitylog.domain.channel import TokenNames
from activitylog.domain.days import HOUR_US, zone
from activitylog.domain.entry import Entry
from activitylog.timeutil import from_us
from activitylog.web.activity_filters import human_date

_CHANGE_KEYS = ("before", "after")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip
LEVELS = 40  # bar heights the stylesheet knows (.l0 to .l40): inline styles are refused by the CSP
MAX_BARS = 400  # beyond this many days, a bar is a week


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    before: str
    after: str
    changed: bool


@dataclass(frozen=True, slots=True)
class Row:
    """One entry as a row of the page."""

    id: str
    segments: list[Segment]
    label: str
    code: str
    category: str
    day: date
    when: str  # "25 Nov 2026, 14:03" in the workspace's zone
    utc: str  # "2026-11-25 14:03:07.123456 UTC"
    iso: str  # for <time datetime>
    actor_kind: str
    actor_name: str
    actor_email: str | None
    actor_id: str | None
    ip: str | None
    user_agent: str | None
    request_id: str | None
    channel: str  # "via API · Deploy bot", "via console", "system"; "" for an entry recorded before channels
    channel_token_id: str | None  # the token's id, for the details, when it came through one
    recorded_utc: str
    changes: list[Change]
    details: list[tuple[str, str]]  # other metadata, as words
    raw: str  # the metadata as JSON, indented


def rows(entries: Sequence[Entry], timezone: str, token_names: TokenNames | None = None) -> list[Row]:
    """The entries as rows; `token_names` name the tokens of API channels (`tokens.token_names_for`)."""
    tz = zone(timezone)
    names = token_names or {}
    return [_row(entry, tz, names) for entry in entries]


def _row(entry: Entry, tz: Any, names: TokenNames) -> Row:
    moment = from_us(entry.occurred_us)
    local = moment.astimezone(tz)
    metadata = entry.metadata
    actor = entry.actor
    kind = {"teammate": "Teammate", "api_token": "API token", "system": "System"}.get(actor.type, actor.type)
    return Row(
        id=entry.id,
        segments=entry.sentence_segments(),
        label=entry.label,
        code=entry.type,
        category=entry.category,
        day=local.date(),
        when=f"{human_date(local.date())}, {local:%H:%M}",
        utc=f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond:06d} UTC",
        iso=moment.isoformat().replace("+00:00", "Z"),
        actor_kind=kind,
        actor_name=actor.display_name,
        actor_email=actor.email,
        actor_id=actor.id,
        ip=entry.ip,
        user_agent=entry.user_agent,
        request_id=entry.request_id,
        channel=channels.label(entry.via, names),
        channel_token_id=getattr(channels.parse(entry.via), "token_id", None),
        recorded_utc=f"{from_us(entry.recorded_us):%Y-%m-%d %H:%M:%S} UTC",
        changes=changes(metadata),
        details=[
            (fields.label(key), format_value(value))
            for key, value in metadata.items()
            if key not in ("before", "after")
        ],
        raw=json.dumps(metadata, indent=2, ensure_ascii=False, sort_keys=False),
    )


def changes(metadata: Mapping[str, Any]) -> list[Change]:
    """The before/after of a change as rows: one per field that changed when both are objects (in the field's
    words and units: "Session timeout", "1 hour" -> "4 hours"), else one."""
    if "before" not in metadata and "after" not in metadata:
        return []
    before, after = metadata.get("before"), metadata.get("after")
    if isinstance(before, Mapping) or isinstance(after, Mapping):
        old = before if isinstance(before, Mapping) else {}
        new = after if isinstance(after, Mapping) else {}
        keys = list(dict.fromkeys([*old, *new]))
        return [
            Change(
                fields.label(str(key)),
                fields.say(str(key), old[key], _value) if key in old else "—",
                fields.say(str(key), new[key], _value) if key in new else "—",
                True,
            )
            for key in keys
            if old.get(key, _MISSING) != new.get(key, _MISSING)
        ]
    return [Change("Value", _value(before), _value(after), before != after)]


_MISSING = object()


def _value(value: Any) -> str:
    if isinstance(value, Mapping | list):
        return format_value(value) if value else json.dumps(value)
    return format_value(value)


def day_heading(day: date, today: date) -> str:
    """ "Today", "Yesterday", "Tuesday, 3 December" this year, "Monday, 2 December 2025" in another year."""
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    name = f"{_WEEKDAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]}"
    return name if day.year == today.year else f"{name} {day.year}"


# The histogram ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    first: date
    last: date
    count: int
    level: int  # 0 to LEVELS
    label: str  # "Tue 24 Nov 2026: 1,234 entries"
    selected: bool
    month: str = ""  # under the bar where a month starts: "Mar", or "Jan 2027" (empty: no label)


@dataclass(frozen=True, slots=True)
class Histogram:
    bars: list[Bar]
    total: int
    busiest: Bar | None
    weekly: bool
    tallest: int = 0  # the y-axis' top
    hourly: bool = False  # a one-day range: a bar per hour of it

    @property
    def unit(self) -> str:
        return "hour" if self.hourly else "week" if self.weekly else "day"

    @property
    def first(self) -> date | None:
        return self.bars[0].first if self.bars else None

    @property
    def last(self) -> date | None:
        return self.bars[-1].last if self.bars else None


def histogram(
    counts: Sequence[tuple[date, int]], selected: tuple[date | None, date | None], *, weekly: bool | None = None
) -> Histogram:
    """Bars of entries per day (per week, starting on the first day, when the range is longer than MAX_BARS
    days, or when `weekly` says so); heights relative to the tallest bar; month labels where months start."""
    weekly = len(counts) > MAX_BARS if weekly is None else weekly
    groups: list[tuple[date, date, int]] = []
    step = 7 if weekly else 1
    for start in range(0, len(counts), step):
        chunk = counts[start : start + step]
        groups.append((chunk[0][0], chunk[-1][0], sum(count for _, count in chunk)))
    tallest = max((count for _, _, count in groups), default=0)
    bars = []
    for first, last, count in groups:
        level = 0 if count == 0 else max(1, math.ceil(count / tallest * LEVELS))
        when = _bar_day(first) if first == last else f"{human_date(first)} – {human_date(last)}"
        bars.append(Bar(first, last, count, level, f"{when}: {entries_text(count)}", selected == (first, last)))
    # The busiest bar, when there is one to tell apart: some bar has fewer entries (and not none).
    counted = [bar.count for bar in bars if bar.count]
    busiest = max(bars, key=lambda bar: bar.count) if counted and min(counted) < tallest else None
    return Histogram(_label_months(bars), sum(bar.count for bar in bars), busiest, weekly, tallest)


def hourly(day: date, counts: Sequence[tuple[int, int]], timezone: str) -> Histogram:
    """A bar per hour of one local day (`counts`: each hour's start in UTC microseconds, and its count), labelled
    by local time ("14:00-15:00: 12 entries"), ticks at 00:00, 06:00, 12:00 and 18:00."""
    tallest = max((count for _, count in counts), default=0)
    tz = zone(timezone)
    bars = []
    for start, count in counts:
        local = from_us(start).astimezone(tz)
        end = from_us(start + HOUR_US).astimezone(tz)
        level = 0 if count == 0 else max(1, math.ceil(count / tallest * LEVELS))
        tick = f"{local:%H:%M}" if local.minute == 0 and local.hour % 6 == 0 else ""
        label = f"{human_date(day)}, {local:%H:%M}–{end:%H:%M}: {entries_text(count)}"
        bars.append(Bar(day, day, count, level, label, False, tick))
    counted = [bar.count for bar in bars if bar.count]
    busiest = max(bars, key=lambda bar: bar.count) if counted and min(counted) < tallest else None
    return Histogram(bars, sum(counted), busiest, False, tallest, hourly=True)


MAX_MONTH_LABELS = 12  # more would run into each other on a phone


def _label_months(bars: list[Bar]) -> list[Bar]:
    """The bars, those where a month starts (a day bar on the 1st, a week bar holding it) carrying the month's
    short name, and its year at January and at the first label; over long ranges every 2nd, 3rd... month."""
    starts = [n for n, bar in enumerate(bars) if bar.first.day == 1 or bar.first.month != bar.last.month]
    if len(bars) < 2 or not starts:
        return bars
    every = math.ceil(len(starts) / MAX_MONTH_LABELS)
    labelled = list(bars)
    for shown, n in enumerate(starts[::every]):
        bar = bars[n]
        month = bar.first if bar.first.day == 1 else bar.last.replace(day=1)
        name = _MONTHS[month.month - 1][:3]
        labelled[n] = replace(bar, month=f"{name} {month.year}" if shown == 0 or month.month == 1 else name)
    return labelled


def _bar_day(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()][:3]} {human_date(day)}"


def entries_text(count: int) -> str:
    return f"{count:,} {'entry' if count == 1 else 'entries'}"


SVG_WIDTH, SVG_HEIGHT = 720, 72


def histogram_svg(chart: Histogram) -> str:
    """The bars as an SVG image: heights by count, each bar titled with its label (escaped: a label is text)."""
    peak = max((bar.count for bar in chart.bars), default=0) or 1
    width = SVG_WIDTH / max(len(chart.bars), 1)
    gap = 1 if width >= 3 else 0
    rects = []
    for n, bar in enumerate(chart.bars):
        height = 0 if bar.count == 0 else max(2.0, SVG_HEIGHT * bar.count / peak)
        rects.append(
            f'<rect x="{n * width:.2f}" y="{SVG_HEIGHT - height:.2f}" width="{max(width - gap, 0.5):.2f}" '
            f'height="{height:.2f}" fill="{"#3b5bdb" if bar.selected else "#8da2e8"}">'
            f"<title>{escape(bar.label)}</title></rect>"
        )
    title = escape(f"Entries per {chart.unit}: {entries_text(chart.total)}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" '
        f'preserveAspectRatio="none" role="img"><title>{title}</title>{"".join(rects)}</svg>'
    )
