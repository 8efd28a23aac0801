"""The activity log page's filters as the URL carries them: parsing, meaning, the URL back, the chips."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qsl

import pytest
from starlette.datastructures import QueryParams

from activitylog.catalog import REGISTRY
from activitylog.domain.days import midnight_us
from activitylog.errors import InvalidInput
from activitylog.storage.base import Teammate
from activitylog.web.activity_filters import PageFilter, chips

TODAY = date(2026, 11, 25)
ZONE = "Europe/Dublin"


def parse(query: str) -> PageFilter:
    return PageFilter.parse(QueryParams(query))


def refused(query: str) -> dict[str, str]:
    with pytest.raises(InvalidInput) as raised:
        parse(query)
    assert raised.value.status in (400, 422)
    return {e.field: e.message for e in raised.value.errors}


def test_nothing_is_all_activity_of_all_time() -> None:
    current = parse("")
    assert current.empty
    assert current.days(TODAY) == (None, None)
    where = current.activity_filter(ZONE, TODAY)
    assert (where.types, where.teammates, where.since_us, where.until_us, where.ip) == ((), (), None, None, None)
    assert current.query() == ""


def test_every_parameter() -> None:
    current = parse("type=role_creation&type=app_name_change&teammate=tm_1&teammate=tm%202&range=7d&ip=203.0.113.9/24")
    assert current.types == ("role_creation", "app_name_change")
    assert current.teammates == ("tm_1", "tm 2")
    assert current.ip == "203.0.113.0/24"  # as a block
    where = current.activity_filter(ZONE, TODAY)
    assert where.since_us == midnight_us(TODAY - timedelta(days=6), ZONE)
    assert where.until_us == midnight_us(TODAY + timedelta(days=1), ZONE)
    assert where.ip is not None
    assert where.ip.text == "203.0.113.0/24"


@pytest.mark.parametrize(
    ("preset", "first"),
    [
        ("today", TODAY),
        ("7d", date(2026, 11, 19)),
        ("30d", date(2026, 10, 27)),
        ("90d", date(2026, 8, 28)),
        ("12m", date(2025, 11, 26)),
        ("year", date(2026, 1, 1)),
    ],
)
def test_presets_end_today_and_include_it_whole(preset: str, first: date) -> None:
    current = parse(f"range={preset}")
    assert current.days(TODAY) == (first, TODAY)
    where = current.activity_filter(ZONE, TODAY)
    assert where.until_us == midnight_us(date(2026, 11, 26), ZONE)


@pytest.mark.parametrize("zone", [ZONE, "Pacific/Auckland", "America/Los_Angeles"])
def test_yesterday_is_the_whole_day_before_today_in_the_workspace_zone(zone: str) -> None:
    current = parse("range=yesterday")
    assert current.days(TODAY) == (date(2026, 11, 24), date(2026, 11, 24))
    where = current.activity_filter(zone, TODAY)
    assert (where.since_us, where.until_us) == (midnight_us(date(2026, 11, 24), zone), midnight_us(TODAY, zone))
    assert current.date_label(TODAY) == "Yesterday"
    assert parse("range=yesterday").days(date(2027, 1, 1)) == (date(2026, 12, 31), date(2026, 12, 31))


@pytest.mark.parametrize("zone", [ZONE, "Pacific/Auckland", "America/Los_Angeles"])
def test_this_year_runs_from_the_first_of_january_to_the_end_of_today_in_the_workspace_zone(zone: str) -> None:
    current = parse("range=year")
    where = current.activity_filter(zone, TODAY)
    assert (where.since_us, where.until_us) == (
        midnight_us(date(2026, 1, 1), zone),
        midnight_us(TODAY + timedelta(days=1), zone),
    )
    assert current.date_label(TODAY) == "This year"
    assert parse("range=year").days(date(2027, 1, 1)) == (date(2027, 1, 1), date(2027, 1, 1))  # New Year's Day


def test_twelve_months_from_a_leap_day() -> None:
    assert parse("range=12m").days(date(2028, 2, 29)) == (date(2027, 3, 1), date(2028, 2, 29))


def test_a_custom_range_includes_its_whole_last_day_in_the_workspace_zone() -> None:
    current = parse("range=custom&from=2026-03-28&to=2026-03-29")
    where = current.activity_filter(ZONE, TODAY)
    assert where.since_us == midnight_us(date(2026, 3, 28), ZONE)
    assert where.until_us == midnight_us(date(2026, 3, 30), ZONE)
    # 29 March 2026 is 23 hours long in Dublin: the range is 47 hours, not 48.
    assert where.until_us - where.since_us == 47 * 3600 * 1_000_000


def test_dates_imply_a_custom_range_and_a_preset_wins_over_dates() -> None:
    assert parse("from=2026-11-01").range == "custom"
    assert parse("from=2026-11-01").days(TODAY) == (date(2026, 11, 1), None)
    assert parse("to=2026-11-01").activity_filter(ZONE, TODAY).since_us is None
    preset = parse("range=today&from=2020-01-01&to=2020-01-02")
    assert preset.days(TODAY) == (TODAY, TODAY)
    assert "from" not in preset.query()
    assert parse("range=custom").range == ""  # a custom range with no day is all time


def test_blank_values_are_ignored() -> None:
    assert parse("type=&teammate=&range=&from=&to=&ip=").empty


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("type=nope", "type", "unknown activity type 'nope'"),
        ("type=" + "x," * 3, "type", "unknown activity type"),
        ("range=tomorrow", "range", "must be one of today, yesterday, 7d, 30d, 90d, 12m, year, custom"),
        ("range=7d&range=30d", "range", "give one value"),
        ("from=2026-13-01", "from", "is not a date (YYYY-MM-DD)"),
        ("from=20261101", "from", "is not a date"),
        ("from=2026-11-01T10:00", "from", "is not a date"),
        ("to=0001-01-01", "to", "must be between 1970-01-02 and 9999-12-30"),
        ("to=9999-12-31", "to", "must be between"),
        ("from=2026-11-02&to=2026-11-01", "to", "must be on or after from (2026-11-02)"),
        ("ip=300.1.1.1", "ip", "is not an IP address or CIDR block"),
        ("ip=1.2.3.4&ip=5.6.7.8", "ip", "give one value"),
        ("teammate=" + "x" * 201, "teammate", "at most 200 printable characters"),
        ("teammate=a%00b", "teammate", "printable"),
        ("&".join(f"teammate=t{n}" for n in range(201)), "teammate", "at most 200 values"),
    ],
)
def test_bad_input_names_the_parameter(query: str, field: str, words: str) -> None:
    assert words in refused(query)[field]


def test_every_bad_parameter_is_named_at_once() -> None:
    assert set(refused("type=nope&range=x&from=x&to=y&ip=z")) == {"type", "range", "from", "to", "ip"}


def test_the_url_round_trips() -> None:
    query = "type=role_creation&teammate=tm+1&range=custom&from=2026-11-01&to=2026-11-03&ip=2001%3Adb8%3A%3A%2F32"
    current = parse(query)
    assert parse(current.query()) == current
    assert dict(parse_qsl(current.query(cursor="abc")))["cursor"] == "abc"
    day = current.on_day(date(2026, 11, 2))
    assert (day.range, day.start, day.end, day.types) == ("custom", date(2026, 11, 2), date(2026, 11, 2), current.types)


def test_chips_name_each_filter_and_remove_just_it() -> None:
    security = [t.code for t in REGISTRY if t.category == "Security"]
    current = parse(
        "&".join(f"type={c}" for c in [*security, "app_name_change"])
        + "&teammate=tm_gone&teammate=tm_x&range=30d&ip=10.0.0.1"
    )
    directory = {"tm_gone": Teammate("ws", "tm_gone", "Jonah Okafor", status="deleted")}
    found = chips(current, directory, TODAY)
    labels = [(chip.kind, chip.label) for chip in found]
    assert labels == [
        ("Action", f"Security (all {len(security)})"),
        ("Action", "Workspace name change"),
        ("Teammate", "Jonah Okafor (deleted)"),
        ("Teammate", "tm_x"),
        ("Date", "Last 30 days"),
        ("IP", "10.0.0.1"),
    ]
    without_security = parse(found[0].remove)
    assert without_security.types == ("app_name_change",)
    assert without_security.teammates == current.teammates
    assert parse(found[4].remove).range == ""
    assert parse(found[5].remove).ip == ""


def test_date_labels() -> None:
    assert parse("from=2026-03-03&to=2026-03-03").date_label(TODAY) == "3 Mar 2026"
    assert parse("from=2026-03-03&to=2026-04-01").date_label(TODAY) == "3 Mar 2026 – 1 Apr 2026"
    assert parse("from=2026-03-03").date_label(TODAY) == "From 3 Mar 2026"
    assert parse("to=2026-03-03").date_label(TODAY) == "Until 3 Mar 2026"
    assert parse("range=90d").date_label(TODAY) == "Last 90 days"
