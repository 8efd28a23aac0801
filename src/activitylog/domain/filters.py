"""The one filter model shared by the page, the API, the CSV export and the CLI, so they never disagree.

A filter combines freely: any of several activity types, any of several teammates (actor ids), a time range
(`since` inclusive, `until` exclusive, both UTC), an IP address or CIDR block, and a full-text search
(`domain.search`: words, phrases and field terms, each ANDed with the rest). An empty part matches all.
`describe()` gives the filter as words for a filter bar, a CSV file name or a log line.

One parser: `ActivityFilter.parse` for instants (API, Intercom, CLI) and the console page's own parse of days
(web.activity_filters) check types, teammates and the IP with the same functions here, so a mistake gets the
same message everywhere; each surface only names the fields as its clients know them (`FieldNames`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from activitylog.catalog import REGISTRY
from activitylog.domain.ipaddr import IPRange
from activitylog.domain.search import Search, parse_search
from activitylog.errors import FieldError, InvalidInput
from activitylog.timeutil import from_us, to_us

MAX_VALUES = 200  # types or teammates in one filter: enough for any menu, small enough for one SQL IN
MAX_ID = 200  # a teammate id in a filter (an actor id is at most this long)


@dataclass(frozen=True, slots=True)
class FieldNames:
    """How a surface names the filter's fields in its errors: the library's names by default."""

    types: str = "types"
    teammates: str = "teammates"
    since: str = "since"
    until: str = "until"
    ip: str = "ip"
    search: str = "q"


LIBRARY = FieldNames()  # the library and the CLI


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    types: tuple[str, ...] = ()
    teammates: tuple[str, ...] = ()
    since_us: int | None = None
    until_us: int | None = None
    ip: IPRange | None = None
    search: Search | None = None

    @classmethod
    def parse(
        cls,
        *,
        types: Iterable[str] | str | None = None,
        teammates: Iterable[str] | str | None = None,
        since: str | datetime | None = None,
        until: str | datetime | None = None,
        ip: str | None = None,
        q: str | None = None,
        names: FieldNames = LIBRARY,
    ) -> ActivityFilter:
        """Build a filter from user input; raises InvalidInput naming every bad field as `names` says."""
        errors: list[FieldError] = []
        type_codes = _values(types)
        check_types(type_codes, names.types, errors)
        teammate_ids = _values(teammates)
        check_teammates(teammate_ids, names.teammates, errors)
        since_us = until_us = None
        try:
            since_us = _time(since, names.since)
        except InvalidInput as problem:
            errors.extend(problem.errors)
        try:
            until_us = _time(until, names.until)
        except InvalidInput as problem:
            errors.extend(problem.errors)
        if since_us is not None and until_us is not None and since_us >= until_us:
            errors.append(FieldError(names.until, f"must be later than {names.since}"))
        ip_range = parse_ip(ip, errors, names.ip)
        search = parse_search(q, names.search, errors)
        if errors:
            raise InvalidInput(errors)
        return cls(type_codes, teammate_ids, since_us, until_us, ip_range, search)

    def as_dict(self) -> dict[str, Any]:
        """The filter as JSON-able data (for a worker process); `from_dict` reads it back."""
        return {
            "types": list(self.types),
            "teammates": list(self.teammates),
            "since_us": self.since_us,
            "until_us": self.until_us,
            "ip": self.ip.text if self.ip else None,
            "q": self.search.text if self.search else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ActivityFilter:
        ip = data.get("ip")
        errors: list[FieldError] = []
        search = parse_search(data.get("q"), LIBRARY.search, errors)  # it parsed before it was written
        if errors:
            raise InvalidInput(errors)
        return cls(
            tuple(data.get("types", ())),
            tuple(data.get("teammates", ())),
            data.get("since_us"),
            data.get("until_us"),
            IPRange.parse(ip) if ip else None,
            search,
        )

    def clamp(self, earliest_us: int) -> ActivityFilter:
        """The same filter, never reaching before `earliest_us` (the retention cut-off)."""
        if self.since_us is not None and self.since_us >= earliest_us:
            return self
        return replace(self, since_us=earliest_us)

    def describe(self) -> str:
        parts = []
        if self.types:
            labels = [REGISTRY[code].label if code in REGISTRY else code for code in self.types]
            parts.append("activity: " + ", ".join(labels))
        if self.teammates:
            parts.append("teammates: " + ", ".join(self.teammates))
        if self.since_us is not None:
            parts.append("since " + from_us(self.since_us).isoformat())
        if self.until_us is not None:
            parts.append("before " + from_us(self.until_us).isoformat())
        if self.ip is not None:
            parts.append("IP " + self.ip.text)
        if self.search is not None:
            parts.append(self.search.describe())
        return "; ".join(parts) or "all activity"


def _values(raw: Iterable[str] | str | None) -> tuple[str, ...]:
    """Accept repeated values and comma-separated lists alike; keep order, drop blanks and repeats."""
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else list(raw)
    seen: dict[str, None] = {}
    for item in items:
        for part in str(item).split(","):
            if part.strip():
                seen[part.strip()] = None
    return tuple(seen)


def _time(value: str | datetime | None, field: str) -> int | None:
    """ISO 8601 with an offset, a plain date (midnight UTC), or Unix seconds; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _in_range(to_us(value), value, field)
    text = value.strip()
    digits = text.removeprefix("-")
    if digits.isascii() and digits.isdigit():  # ASCII: "²" is a digit to str.isdigit, not to int()
        if len(digits) > 12:  # never a time a datetime can hold (and int() refuses thousands of digits)
            raise InvalidInput.single(field, f"{quoted(value)} is out of range: years 1 to 9999 only")
        return _in_range(int(text) * 1_000_000, value, field)
    try:
        if len(text) == 10:
            return _in_range(to_us(datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)), value, field)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidInput.single(field, f"{quoted(value)} is not an ISO 8601 date or time") from None
    if moment.tzinfo is None:
        raise InvalidInput.single(field, f"{quoted(value)} needs a UTC offset, e.g. {text[:40]}Z")
    return _in_range(to_us(moment), value, field)


# Times a filter may name: a day inside datetime's years at either end, so that showing one in any timezone
# (a CSV file name, a filter bar) never leaves the years 1 to 9999.
EARLIEST_US = to_us(datetime(1, 1, 2, tzinfo=UTC))
LATEST_US = to_us(datetime(9999, 12, 30, tzinfo=UTC))


def _in_range(micros: int, value: object, field: str) -> int:
    if not EARLIEST_US <= micros <= LATEST_US:
        raise InvalidInput.single(field, f"{quoted(value)} is out of range: years 1 to 9999 only")
    return micros


def check_types(codes: Sequence[str], name: str, errors: list[FieldError]) -> None:
    """Activity type codes of a filter: known ones, at most MAX_VALUES; what is wrong is added to `errors`."""
    unknown = [code for code in codes if code not in REGISTRY]
    if unknown:
        errors.append(FieldError(name, f"unknown activity type {quoted(unknown[0])}"))
    if len(codes) > MAX_VALUES:
        errors.append(FieldError(name, f"at most {MAX_VALUES} values"))


def check_teammates(teammate_ids: Sequence[str], name: str, errors: list[FieldError]) -> None:
    """Teammate ids of a filter: at most MAX_VALUES, each at most MAX_ID printable characters (no id holds
    anything else, and PostgreSQL cannot even compare a NUL); what is wrong is added to `errors`."""
    if len(teammate_ids) > MAX_VALUES:
        errors.append(FieldError(name, f"at most {MAX_VALUES} values"))
    if any(len(t) > MAX_ID or not t.isprintable() for t in teammate_ids):
        errors.append(FieldError(name, f"a teammate id is at most {MAX_ID} printable characters"))


def parse_ip(text: str | None, errors: list[FieldError], name: str = "ip") -> IPRange | None:
    """The IP filter (an address or CIDR block), None for none; a bad one is added to `errors`, naming `name`."""
    if not text:
        return None
    try:
        return IPRange.parse(text)
    except ValueError:
        errors.append(FieldError(name, f"{quoted(text)} is not an IP address or CIDR block"))
        return None


def quoted(value: object) -> str:
    """The value as the client sent it, for a message: quoted, and cut short when long."""
    text = repr(value if not isinstance(value, datetime) else value.isoformat())
    return text if len(text) <= 60 else text[:57] + "..."
