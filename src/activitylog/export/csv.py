"""CSV export of entries: the same columns everywhere (page download, API, CLI), safe in a spreadsheet.

Invariants:
- a cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return) is
  prefixed with a single quote, as OWASP advises, so no event value can become a formula;
- rows stream: memory stays constant however many entries there are;
- times are ISO 8601 with the workspace's UTC offset.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from activitylog.domain.entry import Entry

COLUMNS = (
    "Activity",
    "Date and time",
    "IP address",
    "Teammate name",
    "Teammate email",
    "Activity type",
    "Details",
    "User agent",
    "Request ID",
    "Entry ID",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: str | None) -> str:
    """A cell value a spreadsheet shows as text, never runs."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def row(entry: Entry, zone: ZoneInfo) -> list[str]:
    moment = datetime.fromtimestamp(entry.occurred_us / 1_000_000, zone)
    details = json.dumps(entry.metadata, ensure_ascii=False, separators=(", ", ": ")) if entry.metadata else ""
    return [
        safe(entry.sentence()),
        moment.isoformat(timespec="seconds"),
        safe(entry.ip),
        safe(entry.actor.display_name if entry.actor.type != "teammate" else entry.actor.name),
        safe(entry.actor.email),
        entry.type,
        safe(details),
        safe(entry.user_agent),
        safe(entry.request_id),
        entry.id,
    ]


def stream(entries: Iterable[Entry], timezone: str = "UTC", *, chunk_rows: int = 500) -> Iterator[str]:
    """The CSV text in chunks of about `chunk_rows` rows, header first."""
    zone = ZoneInfo(timezone)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    pending = 0
    for entry in entries:
        writer.writerow(row(entry, zone))
        pending += 1
        if pending >= chunk_rows:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()
