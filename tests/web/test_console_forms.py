"""What the console's forms offer before anything is posted: the time-zone picker (canonical zones with their
UTC offsets, and the workspace's own zone even when it is an alias) and the invitation form's default role."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from activitylog.service import ActivityLog
from activitylog.web.timezones import canonical_timezones, timezone_options, utc_offset
from tests.support import people
from tests.support.console import Browsers, entries

_OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')
_TZ_SELECT = re.compile(r'<select id="timezone" name="timezone">(.*?)</select>', re.S)
_INVITE_SELECT = re.compile(r'action="[^"]*/settings/teammates/invite".*?<select name="role_id">(.*?)</select>', re.S)
WINTER, SUMMER = datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC)


def options(select: str) -> list[tuple[str, bool, str]]:
    return [
        (html.unescape(value), bool(chosen), html.unescape(label)) for value, chosen, label in _OPTION.findall(select)
    ]


def _links() -> set[str]:
    from importlib.resources import files

    data = files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    return {line.split()[2] for line in data.splitlines() if line.startswith("L ")}


# The time-zone picker ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "at", "offset"),
    [
        ("Europe/Paris", WINTER, "UTC+01:00"),
        ("Europe/Paris", SUMMER, "UTC+02:00"),
        ("America/New_York", WINTER, "UTC-05:00"),
        ("Asia/Kolkata", SUMMER, "UTC+05:30"),
        ("America/St_Johns", WINTER, "UTC-03:30"),
        ("Pacific/Chatham", WINTER, "UTC+13:45"),
        ("UTC", SUMMER, "UTC+00:00"),
    ],
)
def test_an_offset_is_the_zones_at_that_moment(zone: str, at: datetime, offset: str) -> None:
    assert utc_offset(zone, at) == offset


def test_the_picker_offers_canonical_zones_only() -> None:
    zones = canonical_timezones()
    assert {"Europe/Paris", "Europe/Dublin", "America/New_York", "Asia/Kolkata", "Europe/Kyiv"} <= set(zones)
    assert zones[-1] == "UTC"
    aliases = {"US/Eastern", "GB", "Etc/GMT+5", "Etc/UTC", "Asia/Calcutta", "Europe/Kiev", "America/Buenos_Aires"}
    assert not aliases & set(zones)
    assert _links() & set(zones) == {"UTC"}  # no link of the tz database but UTC (which names Etc/UTC)
    assert all("/" in zone for zone in zones[:-1])
    assert list(zones[:-1]) == sorted(zones[:-1])


def test_each_option_shows_its_offset_and_a_stored_alias_is_kept() -> None:
    shown = dict(timezone_options("Europe/Dublin", WINTER))
    assert shown["Europe/Paris"] == "Europe/Paris (UTC+01:00)"
    assert shown["UTC"] == "UTC"
    assert "US/Eastern" not in shown
    alias = timezone_options("US/Eastern", WINTER)
    assert alias[0] == ("US/Eastern", "US/Eastern (UTC-05:00)")
    assert [value for value, _ in alias].count("US/Eastern") == 1


def test_the_workspace_page_shows_offsets_and_no_alias(browsers: Browsers) -> None:
    page = browsers("tm_admin").get("settings/workspace")
    assert page.status_code == 200
    select = _TZ_SELECT.search(page.text)
    assert select is not None
    found = options(select.group(1))
    by_value = {value: label for value, _, label in found}
    now = datetime.now(UTC)
    assert by_value["Europe/Paris"] == f"Europe/Paris ({utc_offset('Europe/Paris', now)})"
    assert re.fullmatch(r"Europe/Paris \(UTC\+0[12]:00\)", by_value["Europe/Paris"])
    assert not {"US/Eastern", "GB", "Etc/GMT+5", "Asia/Calcutta"} & set(by_value)
    assert [value for value, chosen, _ in found if chosen] == ["Europe/Dublin"]


def test_a_workspace_whose_zone_is_an_alias_sees_it_chosen_and_keeps_it(
    browsers: Browsers, web_log: ActivityLog
) -> None:
    org = people.org(web_log.store, timezone="US/Eastern")
    admin = browsers("tm_admin", org=org)
    page = admin.get("settings/workspace")
    select = _TZ_SELECT.search(page.text)
    assert select is not None
    found = options(select.group(1))
    assert [(value, label) for value, chosen, label in found if chosen] == [
        ("US/Eastern", f"US/Eastern ({utc_offset('US/Eastern', datetime.now(UTC))})")
    ]
    # Saving the page as it is keeps the zone and logs no change of it.
    saved = admin.post("settings/workspace", {"name": "Acme", "timezone": "US/Eastern"})
    assert saved.status_code == 303
    assert web_log.store.get_workspace(org.id).timezone == "US/Eastern"  # type: ignore[union-attr]
    assert entries(web_log, org.id) == []


# The invitation form --------------------------------------------------------------------------------------


def test_an_invitation_offers_the_least_privileged_role_first(browsers: Browsers) -> None:
    page = browsers("tm_admin").get("settings/teammates")
    assert page.status_code == 200
    select = _INVITE_SELECT.search(page.text)
    assert select is not None
    found = options(select.group(1))
    assert {value for value, _, _ in found} == set(people.ROLES)
    assert [value for value, chosen, _ in found if chosen] == ["role_support"]  # Support: no permission at all
