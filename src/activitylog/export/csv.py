"""CSV export of entries: the same columns everywhere (page download, API, CLI), safe in a spreadsheet.

Invariants:
- no event value can become a formula, whatever separator the spreadsheet splits on (`,` in most locales, `;`
  where the decimal mark is a comma, tab): OWASP's rule, applied at every place a cell can begin. A value that
  starts (after any spaces and quotes) with =, +, -, @, or starts with a tab or a line break, is prefixed with
  a single quote. And a value where a formula character follows a separator (`,`, `;`, tab or line break,
  then any spaces and quotes) gets a single quote before that character: a spreadsheet that splits on `;`
  starts a new cell mid-value there, where our quoting cannot reach, so the first quote alone would not do
  (`Sam;=1+2` becomes `Sam;'=1+2`). A guarded cell is always quoted;
- cells are quoted as RFC 4180 says (when they hold a quote, comma or line break), so any reader agrees;
- rows stream from keyset pages of raw rows: memory stays constant however many entries there are;
- times are ISO 8601 with the workspace's UTC offset at that moment;
- a download (the console's Download CSV, `GET /v1/events.csv`, `activitylog export`: `export.runner.export_csv`)
  starts with the UTF-8 byte-order mark, `BOM`, so Excel on Windows reads "Tomás" and not "TomÃ¡s"; text for a
  pipe (`activitylog query --format csv`, `stream`) has none.

This is the export's hot loop: a year of a busy workspace is millions of rows, and the budget per row is a
few microseconds. So it works on raw rows in `domain.stored.READ_FIELDS` order, not Entry objects, and
memoises the cells that repeat together (logs repeat themselves: the same teammate, from the same address
and browser, logging in the same way, day after day). The memo caches are bounded. Entry ids are UUIDs we
generate, so they never need quoting.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from activitylog.catalog import REGISTRY, render
from activitylog.domain.channel import TokenNames, describe
from activitylog.domain.entry import Actor, Entry
from activitylog.domain.stored import (
    ACTOR_EMAIL,
    ACTOR_ID,
    ACTOR_NAME,
    ACTOR_TYPE,
    ID,
    IP,
    METADATA,
    OCCURRED_US,
    REQUEST_ID,
    TYPE,
    USER_AGENT,
    VIA,
    row_of,
)  # fmt: skip

COLUMNS = (
    "Activity",
    "Date and time",
    "Teammate name",
    "IP address",
    "Teammate email",
    "Activity type",
    "Details",
    "User agent",
    "Request ID",
    "Entry ID",
    "Channel",
)
# Where a spreadsheet may begin a cell inside a value: after a separator it splits on, or a line break; a
# formula character there, after any spaces and quotes, gets a single quote in front.
_INNER_FORMULA = re.compile(r'([,;\t\r\n][\s"]*)(?=[=+\-@])')
_LEADING_FORMULA = re.compile(r'[\s"]*[=+\-@]|[\t\r\n]')

#: A raw row: id, type, actor_type, actor_id, actor_name, actor_email, occurred_us, recorded_us, ip,
#: user_agent, metadata (JSON text), request_id, idempotency_key, via (the channel's stored text, or None).
Row = Sequence[Any]


def _guarded(value: str) -> str | None:
    """The value with a single quote at each place a spreadsheet could start a formula; None if it has none."""
    first = value[0]
    lead = (first in '=+-@"' or first.isspace()) and _LEADING_FORMULA.match(value) is not None
    # Most values hold no separator (ids, names, addresses): a few scans in C, and no regular expression.
    separated = "," in value or ";" in value or "\t" in value or "\n" in value or "\r" in value
    if separated and _INNER_FORMULA.search(value) is not None:
        inner = _INNER_FORMULA.sub(r"\1'", value)
        return "'" + inner if lead else inner
    return "'" + value if lead else None


def safe(value: str | None) -> str:
    """A cell value a spreadsheet shows as text, never runs, whatever separator it splits on."""
    if not value:
        return ""
    guarded = _guarded(value)
    return value if guarded is None else guarded


def cell(value: str | None) -> str:
    """One CSV cell: guarded against formulas (and then quoted, as OWASP advises), quoted when it must be."""
    if not value:
        return ""
    guarded = _guarded(value)
    if guarded is not None:
        return '"' + guarded.replace('"', '""') + '"'
    if '"' in value or "," in value or "\n" in value or "\r" in value:  # RFC 4180
        return '"' + value.replace('"', '""') + '"'
    return value


@lru_cache(maxsize=65_536)
def _repeating_cells(
    code: str,
    actor_type: str,
    actor_id: str | None,
    actor_name: str | None,
    actor_email: str | None,
    ip: str | None,
    user_agent: str | None,
    metadata: str,
) -> tuple[str, str]:
    """The cells that repeat together (who, from where, with what, doing what): the Activity cell, and the
    cells from Teammate name to User agent joined."""
    actor = Actor(actor_type, actor_id, actor_name)  # type: ignore[arg-type]
    sentence = render(REGISTRY.get(code), code, actor.display_name, json.loads(metadata))
    name = actor_name if actor_type == "teammate" else actor.display_name
    details = "" if metadata == "{}" else metadata
    return cell(sentence), ",".join(
        [cell(name), cell(ip), cell(actor_email), cell(code), cell(details), cell(user_agent)]
    )


@cache
def _times_of_day() -> tuple[str, ...]:
    return tuple(f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60))


class LocalTime:
    """ISO 8601 local times for one timezone, with the offset and the date text worked out once per day.

    A UTC day whose first and last second share an offset has that offset throughout (no zone changes its
    offset and back within a day); a day with a transition is computed row by row, exactly. The time of day
    comes from a table of the day's 86,400 "HH:MM:SS" texts, built once per process.
    """

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        # UTC day -> (offset seconds, "+01:00"), or None on a transition day.
        self._days: dict[int, tuple[int, str] | None] = {}
        self._dates: dict[int, str] = {}  # local day number -> "2026-03-29T"
        self._clock = _times_of_day()

    def _offset_at(self, seconds: int) -> tuple[int, str]:
        offset = datetime.fromtimestamp(seconds, UTC).astimezone(self.zone).utcoffset() or timedelta(0)
        total = int(offset.total_seconds())
        hours, minutes = divmod(abs(total) // 60, 60)
        return total, f"{'-' if total < 0 else '+'}{hours:02d}:{minutes:02d}"

    def iso(self, occurred_us: int) -> str:
        seconds = occurred_us // 1_000_000
        day = seconds // 86_400
        found = self._days.get(day, False)
        if found is False:
            first, last = self._offset_at(day * 86_400), self._offset_at(day * 86_400 + 86_399)
            found = self._days[day] = first if first == last else None
        offset, suffix = found if found is not None else self._offset_at(seconds)  # type: ignore[misc]
        local_day, second_of_day = divmod(seconds + offset, 86_400)
        date = self._dates.get(local_day)
        if date is None:
            date = self._dates[local_day] = (datetime(1970, 1, 1) + timedelta(days=local_day)).strftime("%Y-%m-%dT")
        return date + self._clock[second_of_day] + suffix


HEADER = ",".join(COLUMNS) + "\r\n"
#: What a downloaded file starts with: Excel opens a CSV as the system's ANSI code page unless it sees this.
BOM = "\ufeff"


class ChannelCells(dict[str | None, str]):
    """The Channel cell of each stored channel text, made once per distinct text (a workspace has a handful:
    console, command line, system, one per token), so the column costs a dictionary lookup per row. The token's
    name is a value someone typed: guarded like every other cell."""

    def __init__(self, names: TokenNames) -> None:
        super().__init__({None: ""})
        self.names = names

    def __missing__(self, via: str | None) -> str:
        made = self[via] = cell(describe(via, self.names))
        return made


def stream_rows(
    pages: Iterable[Sequence[Row]], timezone: str = "UTC", *, bom: bool = False, token_names: TokenNames | None = None
) -> Iterator[str]:
    """The CSV text, header first (after the byte-order mark with `bom`), then one chunk per page of raw rows;
    `token_names` name the tokens of the Channel column (their ids alone without them)."""
    iso = LocalTime(timezone).iso
    cells = _repeating_cells
    channel_cells = ChannelCells(token_names or {})
    # The row's positions as locals: read a dozen times per row, a million rows a file.
    type_, actor_type, actor_id, name, email = TYPE, ACTOR_TYPE, ACTOR_ID, ACTOR_NAME, ACTOR_EMAIL
    ip, user_agent, metadata, occurred, request_id, entry_id = IP, USER_AGENT, METADATA, OCCURRED_US, REQUEST_ID, ID
    via = VIA
    yield BOM + HEADER if bom else HEADER
    for page in pages:
        lines: list[str] = []
        append = lines.append
        for r in page:
            activity, middle = cells(
                r[type_], r[actor_type], r[actor_id], r[name], r[email], r[ip], r[user_agent], r[metadata]
            )
            append(
                f"{activity},{iso(r[occurred])},{middle},{cell(r[request_id])},{r[entry_id]},{channel_cells[r[via]]}\r\n"
            )
        yield "".join(lines)


def entry_as_row(entry: Entry) -> tuple[Any, ...]:
    """An Entry as a raw row, for exporting entries already in memory (a page, a test)."""
    return row_of(entry, json.dumps(entry.metadata, ensure_ascii=False, separators=(",", ":")))


def stream(
    entries: Iterable[Entry], timezone: str = "UTC", *, chunk_rows: int = 500, token_names: TokenNames | None = None
) -> Iterator[str]:
    """The CSV text of Entry objects, in chunks of `chunk_rows` rows."""

    def pages() -> Iterator[list[tuple[Any, ...]]]:
        page: list[tuple[Any, ...]] = []
        for entry in entries:
            page.append(entry_as_row(entry))
            if len(page) >= chunk_rows:
                yield page
                page = []
        if page:
            yield page

    return stream_rows(pages(), timezone, token_names=token_names)
