"""The activity log page's filters as its URL carries them, so any view can be bookmarked and shared.

Parameters (all optional; empty ones are ignored):
- `type` (repeated): activity type codes; none means "All activity";
- `teammate` (repeated): teammate (actor) ids;
- `range`: `today`, `yesterday`, `7d`, `30d`, `90d`, `12m`, `year` (this calendar year so far), each in the
  workspace's time zone and each but `yesterday` ending today; or `custom`;
- `from`, `to`: a custom range's first and last day (YYYY-MM-DD, both inclusive, in the workspace's time
  zone); either alone is open-ended, and either implies `range=custom`;
- `ip`: an IP address or CIDR block;
- `q`: a full-text search in the one query language (`domain.search`: words, "phrases", `actor:`, `type:`,
  `ip:`), ANDed with the rest.

Bad input is refused with the parameter named (`InvalidInput`, a 422), never guessed at and never a 500; types,
teammates and the IP are checked by the one filter parser's functions (domain.filters), with its messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from activitylog.catalog import REGISTRY
from activitylog.domain.days import FIRST_DATE, LAST_DATE, midnight_us
from activitylog.domain.filters import ActivityFilter, check_teammates, check_types, parse_ip, quoted
from activitylog.domain.ipaddr import IPRange
from activitylog.domain.search import MAX_QUERY, Search, parse_search
from activitylog.errors import FieldError, InvalidInput
from activitylog.storage.base import Teammate


def _days_back(back: int) -> Callable[[date], tuple[date, date]]:
    return lambda today: (today - timedelta(days=back), today)


def _yesterday(today: date) -> tuple[date, date]:
    day = today - timedelta(days=1)
    return day, day


def _twelve_months(today: date) -> tuple[date, date]:
    return _year_before(today) + timedelta(days=1), today  # from the same day a year ago, the next day


def _this_year(today: date) -> tuple[date, date]:
    return today.replace(month=1, day=1), today


#: The date presets, in menu order: code -> (label, the first and last day it covers, given today's date).
PRESETS: dict[str, tuple[str, Callable[[date], tuple[date, date]]]] = {
    "today": ("Today", _days_back(0)),
    "yesterday": ("Yesterday", _yesterday),
    "7d": ("Last 7 days", _days_back(6)),
    "30d": ("Last 30 days", _days_back(29)),
    "90d": ("Last 90 days", _days_back(89)),
    "12m": ("Last 12 months", _twelve_months),
    "year": ("This year", _this_year),
}
CUSTOM = "custom"
PARAMETERS = ("type", "teammate", "range", "from", "to", "ip", "q")


@dataclass(frozen=True, slots=True)
class PageFilter:
    types: tuple[str, ...] = ()
    teammates: tuple[str, ...] = ()
    range: str = ""  # "" for all time, a PRESETS code, or CUSTOM
    start: date | None = None  # a custom range's first day
    end: date | None = None  # a custom range's last day (inclusive)
    ip: str = ""
    _ip_range: IPRange | None = field(default=None, compare=False, repr=False)
    q: str = ""  # the search as typed (trimmed)
    _search: Search | None = field(default=None, compare=False, repr=False)

    # Parsing ---------------------------------------------------------------------------------------------

    @classmethod
    def parse(cls, params: QueryParams | Mapping[str, str]) -> PageFilter:
        """From the query string; raises InvalidInput naming every bad parameter."""
        errors: list[FieldError] = []

        def many(name: str) -> list[str]:
            values = params.getlist(name) if isinstance(params, QueryParams) else [params.get(name, "")]
            return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))

        def one(name: str) -> str:
            values = many(name)
            if len(values) > 1:
                errors.append(FieldError(name, "give one value, not several"))
            return values[0] if values else ""

        types = many("type")
        check_types(types, "type", errors)
        teammates = many("teammate")
        check_teammates(teammates, "teammate", errors)
        chosen = one("range")
        if chosen and chosen not in PRESETS and chosen != CUSTOM:
            errors.append(FieldError("range", f"must be one of {', '.join([*PRESETS, CUSTOM])}, not {quoted(chosen)}"))
        start, end = _date(one("from"), "from", errors), _date(one("to"), "to", errors)
        if start and end and end < start:
            errors.append(FieldError("to", f"must be on or after from ({start.isoformat()})"))
        ip_range = parse_ip(one("ip"), errors)
        search = parse_search(one("q"), "q", errors)
        if errors:
            raise InvalidInput(errors)
        if chosen in PRESETS:
            start = end = None  # a preset names its own days
        elif start or end:
            chosen = CUSTOM
        elif chosen == CUSTOM:
            chosen = ""  # a custom range with no day is all time
        return cls(
            tuple(types),
            tuple(teammates),
            chosen,
            start,
            end,
            ip_range.text if ip_range else "",
            ip_range,
            search.text if search else "",
            search,
        )

    @classmethod
    def typed(cls, params: QueryParams, refused: InvalidInput) -> PageFilter:
        """What the admin asked for, to show the form again after `refused`: every parameter that was fine, and
        the IP address and the search as typed (so a typo can be corrected, not retyped). Not a filter to apply."""
        bad = {problem.field for problem in refused.errors}
        kept = [(k, v) for k, v in params.multi_items() if k in PARAMETERS and k not in bad]
        try:
            shown = cls.parse(QueryParams(kept))
        except InvalidInput:
            shown = cls()
        if "ip" in bad:
            typed_ip = next((v.strip() for k, v in params.multi_items() if k == "ip" and v.strip()), "")
            shown = replace(shown, ip=typed_ip[:100], _ip_range=None)
        if "q" in bad:
            typed_q = next((v.strip() for k, v in params.multi_items() if k == "q" and v.strip()), "")
            shown = replace(shown, q=typed_q[: MAX_QUERY * 2], _search=None)
        return shown

    # Meaning ---------------------------------------------------------------------------------------------

    def days(self, today: date) -> tuple[date | None, date | None]:
        """The first and last day (inclusive, local) the filter covers; None for an open end."""
        if self.range in PRESETS:
            return PRESETS[self.range][1](today)
        return self.start, self.end

    def activity_filter(self, timezone: str, today: date) -> ActivityFilter:
        """The one filter model: the days as UTC microseconds in `timezone`, the last day whole."""
        first, last = self.days(today)
        return ActivityFilter(
            types=self.types,
            teammates=self.teammates,
            since_us=midnight_us(first, timezone) if first else None,
            until_us=midnight_us(last + timedelta(days=1), timezone) if last else None,
            ip=self._ip_range,
            search=self._search,
        )

    @property
    def empty(self) -> bool:
        return not (self.types or self.teammates or self.range or self.ip or self.q)

    # The URL ---------------------------------------------------------------------------------------------

    def pairs(self) -> list[tuple[str, str]]:
        pairs = [("type", code) for code in self.types] + [("teammate", t) for t in self.teammates]
        if self.range:
            pairs.append(("range", self.range))
        if self.range == CUSTOM:
            pairs += [(name, day.isoformat()) for name, day in (("from", self.start), ("to", self.end)) if day]
        if self.ip:
            pairs.append(("ip", self.ip))
        if self.q:
            pairs.append(("q", self.q))
        return pairs

    def query(self, **extra: str) -> str:
        """The filter as a query string (without "?"), with `extra` parameters after it."""
        return urlencode([*self.pairs(), *((k, v) for k, v in extra.items() if v)])

    def without_types(self, codes: Iterable[str]) -> PageFilter:
        gone = set(codes)
        return replace(self, types=tuple(c for c in self.types if c not in gone))

    def without_teammate(self, teammate_id: str) -> PageFilter:
        return replace(self, teammates=tuple(t for t in self.teammates if t != teammate_id))

    def without_dates(self) -> PageFilter:
        return replace(self, range="", start=None, end=None)

    def without_ip(self) -> PageFilter:
        return replace(self, ip="", _ip_range=None)

    def without_search(self) -> PageFilter:
        return replace(self, q="", _search=None)

    def on_day(self, day: date, last: date | None = None) -> PageFilter:
        """The same filter narrowed to one day (or to the days from `day` to `last`)."""
        return replace(self, range=CUSTOM, start=day, end=last or day)

    # Words -----------------------------------------------------------------------------------------------

    def date_label(self, today: date) -> str:
        if self.range in PRESETS:
            return PRESETS[self.range][0]
        first, last = self.start, self.end
        if first and last:
            return human_date(first) if first == last else f"{human_date(first)} – {human_date(last)}"
        if first:
            return f"From {human_date(first)}"
        if last:
            return f"Until {human_date(last)}"
        return "All time"


@dataclass(frozen=True, slots=True)
class Chip:
    """An active filter, shown as a removable chip."""

    kind: str
    label: str
    remove: str  # the query string without it


def chips(current: PageFilter, teammates: Mapping[str, Teammate], today: date) -> list[Chip]:
    """The active filters as chips: a whole category chosen is one chip, each other type one, then teammates,
    the date range, the IP and the search."""
    found: list[Chip] = []
    chosen = set(current.types)
    covered: set[str] = set()
    for category, members in REGISTRY.categories().items():
        codes = {t.code for t in members}
        if len(codes) > 1 and codes <= chosen:
            found.append(Chip("Action", f"{category} (all {len(codes)})", current.without_types(codes).query()))
            covered |= codes
    for code in current.types:
        if code not in covered:
            found.append(Chip("Action", REGISTRY[code].label, current.without_types([code]).query()))
    for teammate_id in current.teammates:
        found.append(
            Chip("Teammate", teammate_label(teammate_id, teammates), current.without_teammate(teammate_id).query())
        )
    if current.range:
        found.append(Chip("Date", current.date_label(today), current.without_dates().query()))
    if current.ip:
        found.append(Chip("IP", current.ip, current.without_ip().query()))
    if current.q:
        found.append(Chip("Search", current.q, current.without_search().query()))
    return found


def teammate_label(teammate_id: str, teammates: Mapping[str, Teammate]) -> str:
    found = teammates.get(teammate_id)
    if found is None:
        return teammate_id
    return f"{found.name} (deleted)" if found.deleted else found.name


def human_date(day: date, *, year: bool = True) -> str:
    """ "3 Mar 2026": the day without a leading zero, the month's short name (English, as the console is)."""
    return f"{day.day} {_MONTHS[day.month - 1]}" + (f" {day.year}" if year else "")


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(text: str, name: str, errors: list[FieldError]) -> date | None:
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        errors.append(FieldError(name, f"{quoted(text)} is not a date (YYYY-MM-DD)"))
        return None
    if not FIRST_DATE <= day <= LAST_DATE:
        errors.append(FieldError(name, f"must be between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()}"))
        return None
    return day


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
