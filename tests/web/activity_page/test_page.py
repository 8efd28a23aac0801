"""Settings > Teammate activity logs over real HTTP: the page, its further entries, its histogram, its CSV.

Permissions, the filters in the URL, batches that follow one another without gaps, bad input as a 4xx that
names the parameter, every event value escaped, and a download that holds exactly the filtered entries and
is logged by the teammate who made it.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest

from activitylog import tokens
from activitylog.domain.cursor import Cursor
from activitylog.domain.days import day_of, hours_of, midnight_us
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.permissions import PERMISSIONS, SETTINGS
from activitylog.service import ActivityLog
from activitylog.timeutil import MICROS, iso, now_us
from activitylog.web import activity_view
from tests.support import people
from tests.support.activity_page import PageServer, Visitor, text
from tests.support.factories import event

ZONE = "Europe/Dublin"
HOUR = 3600 * MICROS
XSS = "<img src=x onerror=alert(1)>"
ENTRY = re.compile(r'<article class="entry[^"]*" id="entry-([^"]+)"')


def seed(log: ActivityLog, org: people.Org, count: int = 130) -> list[str]:
    """`count` entries an hour apart, newest first in the answer: three types, three teammates, two IPs."""
    now = now_us()
    types = ("app_name_change", "admin_login_success", "role_creation")
    batch = [
        event(
            types[n % 3],
            actor_id=people.PEOPLE[n % 3][0],
            name=people.PEOPLE[n % 3][1],
            ip=("203.0.113.7", "198.51.100.9")[n % 2],
            occurred_at=iso(now - (n + 1) * HOUR),
        )
        for n in range(count)
    ]
    return log.record(org.id, batch).inserted[::-1][::-1]


def ids(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text[:2000]
    return ENTRY.findall(answer.text)


def expected(log: ActivityLog, org: people.Org, where: ActivityFilter) -> list[str]:
    return [e.id for e in log.iter_entries(org.id, where)]


def next_link(answer: httpx.Response) -> str | None:
    found = re.search(r'hx-get="([^"]+)"[^>]*hx-trigger="intersect once, click"', answer.text)
    return html.unescape(found.group(1)) if found else None


# Permissions ---------------------------------------------------------------------------------------------------

ROUTES = ["", "/entries", "/histogram", "/histogram.svg"]


@pytest.mark.parametrize("teammate", ["tm_admin", "tm_auditor"])
@pytest.mark.parametrize("path", ROUTES)
def test_the_settings_permission_opens_everything(visitors: Any, teammate: str, path: str) -> None:
    answer = visitors(teammate).get(path)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assert re.fullmatch(r"app;dur=\d+\.\d", answer.headers["server-timing"])


@pytest.mark.parametrize("teammate", ["tm_manager", "tm_support"])
@pytest.mark.parametrize("path", ROUTES)
def test_without_the_permission_a_403_names_it(visitors: Any, teammate: str, path: str) -> None:
    answer = visitors(teammate).get(path)
    assert answer.status_code == 403
    assert PERMISSIONS[SETTINGS] in answer.text
    assert "You don&#39;t have access to this page" in answer.text


@pytest.mark.parametrize("teammate", ["tm_manager", "tm_support"])
def test_without_the_permission_nothing_downloads_and_nothing_is_logged(
    visitors: Any, page_server: PageServer, org: people.Org, teammate: str
) -> None:
    seed(page_server.log, org, 3)
    before = page_server.log.count(org.id, ActivityFilter())
    answer = visitors(teammate).download()
    assert answer.status_code == 403
    assert PERMISSIONS[SETTINGS] in answer.text
    assert page_server.log.count(org.id, ActivityFilter()) == before


def test_nobody_signed_in_goes_to_sign_in_and_comes_back(visitors: Any, org: people.Org) -> None:
    answer = visitors().get("?range=7d")
    assert answer.status_code == 303
    assert (
        answer.headers["location"]
        == f"/a/{org.id}/sign-in?"
        + httpx.QueryParams({"next": f"/a/{org.id}/settings/activity-logs?range=7d"}).__str__()
    )


def test_a_fragment_without_a_session_sends_the_whole_page_to_sign_in(visitors: Any, org: people.Org) -> None:
    page = f"http://testserver/a/{org.id}/settings/activity-logs?type=role_creation"
    answer = visitors().get("/entries?cursor=x", headers={"HX-Request": "true", "HX-Current-URL": page})
    assert answer.status_code == 204
    target = urlsplit(answer.headers["hx-redirect"])
    assert target.path == f"/a/{org.id}/sign-in"
    assert parse_qs(target.query)["next"] == [f"/a/{org.id}/settings/activity-logs?type=role_creation"]


# The list ------------------------------------------------------------------------------------------------------


def test_newest_first_in_batches_that_follow_each_other(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    seed(page_server.log, org)
    everything = expected(page_server.log, org, ActivityFilter())
    first = admin.get()
    seen = ids(first)
    assert len(seen) == 50
    link = next_link(first)
    batches = 1
    while link is not None:
        answer = admin.http.get(link)
        seen += ids(answer)
        link = next_link(answer)
        batches += 1
        assert "<html" not in answer.text  # a fragment, not a page
    assert seen == everything
    assert batches == 3
    assert 'id="end-of-log"' in answer.text
    assert "That's the whole log" in answer.text


def test_each_batch_keeps_the_filters(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    seed(page_server.log, org, 120)
    query = "type=role_creation&type=app_name_change&teammate=tm_admin&teammate=tm_auditor&range=30d"
    where = ActivityFilter(
        ("role_creation", "app_name_change"),
        ("tm_admin", "tm_auditor"),
        midnight_us(day_of(now_us(), ZONE) - timedelta(days=29), ZONE),
    )
    want = expected(page_server.log, org, where)
    assert 50 < len(want) < 100
    first = admin.get(f"?{query}")
    link = next_link(first)
    assert link is not None
    assert parse_qs(urlsplit(link).query)["type"] == ["role_creation", "app_name_change"]
    rest = admin.http.get(link)
    assert ids(first) + ids(rest) == want
    assert next_link(rest) is None
    assert "That's every entry that matches these filters." in rest.text


def test_a_no_script_link_opens_the_page_at_the_next_batch(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    seed(page_server.log, org, 130)
    first = admin.get("?ip=203.0.113.7")
    found = re.search(r'<a class="more-link" href="([^"]+)"', first.text)
    assert found is not None
    older = admin.http.get(html.unescape(found.group(1)))
    assert "Showing older entries" in older.text
    assert ids(first) + ids(older) == expected(page_server.log, org, ActivityFilter.parse(ip="203.0.113.7"))


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("type=role_creation", {"types": ["role_creation"]}),
        ("teammate=tm_auditor", {"teammates": ["tm_auditor"]}),
        ("ip=198.51.100.0/24", {"ip": "198.51.100.0/24"}),
        ("type=admin_login_success&teammate=tm_manager&ip=203.0.113.7", None),
    ],
)
def test_each_filter_and_a_combination(
    admin: Visitor, page_server: PageServer, org: people.Org, query: str, filters: dict[str, Any] | None
) -> None:
    seed(page_server.log, org, 40)
    where = (
        ActivityFilter.parse(**filters)
        if filters
        else ActivityFilter.parse(types="admin_login_success", teammates="tm_manager", ip="203.0.113.7")
    )
    assert ids(admin.get(f"?{query}")) == expected(page_server.log, org, where)[:50]


def test_a_custom_range_includes_its_last_day_whole(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    today = day_of(now_us(), ZONE)
    day = today - timedelta(days=3)
    start, end = midnight_us(day, ZONE), midnight_us(day + timedelta(days=1), ZONE)
    edges = [start - 1, start, end - 1, end]
    written = page_server.log.record(org.id, [event(occurred_at=iso(t)) for t in edges]).inserted
    answer = admin.get(f"?from={day.isoformat()}&to={day.isoformat()}")
    assert ids(answer) == [written[2], written[1]]
    assert "Custom range" in answer.text


def test_yesterday_is_the_day_before_today_whole_in_the_workspace_zone(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    today = day_of(now_us(), ZONE)
    start, end = midnight_us(today - timedelta(days=1), ZONE), midnight_us(today, ZONE)
    edges = [start - 1, start, end - 1, end]
    written = page_server.log.record(org.id, [event(occurred_at=iso(t)) for t in edges]).inserted
    answer = admin.get("?range=yesterday")
    assert ids(answer) == [written[2], written[1]]
    assert "Remove filter Date: Yesterday" in answer.text
    assert '<option value="yesterday" selected>Yesterday</option>' in answer.text


def test_this_year_starts_on_the_first_of_january_in_the_workspace_zone(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    now = now_us()
    start = midnight_us(day_of(now, ZONE).replace(month=1, day=1), ZONE)
    kept = now - 360 * 24 * HOUR  # within the workspace's retention of 365 days
    edges = [t for t in (start - 1, start, now - 60 * MICROS) if t > kept]
    written = page_server.log.record(org.id, [event(occurred_at=iso(t)) for t in edges]).inserted
    answer = admin.get("?range=year")
    assert ids(answer) == [w for w, t in zip(written, edges, strict=True) if t >= start][::-1]
    assert "Remove filter Date: This year" in answer.text


@pytest.mark.parametrize(
    ("day", "heading"),
    [
        (date(2026, 12, 5), "Today"),
        (date(2026, 12, 4), "Yesterday"),
        (date(2026, 12, 1), "Tuesday, 1 December"),
        (date(2026, 1, 1), "Thursday, 1 January"),
        (date(2025, 12, 31), "Wednesday, 31 December 2025"),
        (date(2025, 12, 2), "Tuesday, 2 December 2025"),
    ],
)
def test_a_day_heading_names_the_year_only_when_it_is_not_this_one(day: date, heading: str) -> None:
    assert activity_view.day_heading(day, date(2026, 12, 5)) == heading


def test_the_page_heads_days_of_an_earlier_year_with_their_year(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    page_server.log.set_retention(org.id, 800)
    today = day_of(now_us(), ZONE)
    last_year = date(today.year - 1, 12, 2)
    this_year = today - timedelta(days=2)
    for day in (last_year, this_year):
        page_server.log.record_one(org.id, event(occurred_at=iso(midnight_us(day, ZONE) + 12 * HOUR)))
    page = admin.get().text
    weekday = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    assert f'<time datetime="{last_year}">{weekday[last_year.weekday()]}, 2 December {last_year.year}</time>' in page
    shown = f"{weekday[this_year.weekday()]}, {this_year.day} {this_year:%B}"
    if this_year.year != today.year:  # the first two days of January
        shown += f" {this_year.year}"
    assert f'<time datetime="{this_year}">{shown}</time>' in page


def test_the_empty_states(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    assert "No activity yet" in admin.get().text
    seed(page_server.log, org, 2)
    answer = admin.get("?type=role_deletion")
    assert "No activity matches these filters" in answer.text
    assert 'id="more"' not in answer.text


def test_a_row_shows_its_sentence_time_ip_and_details(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    at = midnight_us(day_of(now_us(), ZONE) - timedelta(days=2), ZONE) + 14 * HOUR + 5 * 60 * MICROS
    metadata = {"before": {"session_timeout_hours": 24, "require_two_factor_auth": False},
                "after": {"session_timeout_hours": 8, "require_two_factor_auth": True}}  # fmt: skip
    page_server.log.record_one(
        org.id,
        event("security_settings_change", actor_id="tm_admin", name="Ada Admin", occurred_at=iso(at),
              ip="2001:db8::7", metadata=metadata, request_id="req-42", user_agent="Firefox/128.0"),
    )  # fmt: skip
    page = admin.get().text
    words = text(page)
    assert (
        '<strong class="actor">Ada Admin</strong> changed the session timeout from 1 day to 8 hours and two-factor '
        "authentication from not required to required." in page
    )
    local = day_of(at, ZONE)
    assert f"{local.day} {local.strftime('%b %Y')}, 14:05" in words  # the workspace's time...
    assert re.search(r'title="\d{4}-\d\d-\d\d \d\d:05:00\.000000 UTC"', page)  # ...and UTC on hover
    assert "2001:db8::7" in words
    assert "Session timeout 1 day 8 hours" in words  # what changed, in words and units, never raw keys
    assert "Two-factor authentication not required required" in words
    assert "Firefox/128.0" in words
    assert "req-42" in words
    assert "&#34;session_timeout_hours&#34;: 24" in page  # the raw metadata


def test_a_permission_change_says_what_it_granted(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    settings, teammates = "can_access_general_and_security_settings", "can_manage_teammates_seats_and_permissions"
    metadata = {"admin": {"id": "tm_sam", "name": "Sam Support"},
                "before": {"role": "Support", settings: False, teammates: False},
                "after": {"role": "Auditor", settings: True, teammates: False}}  # fmt: skip
    page_server.log.record_one(
        org.id, event("admin_permission_change", actor_id="tm_admin", name="Ada Admin", metadata=metadata)
    )
    page = admin.get().text
    words = text(page)
    assert (
        '<strong class="actor">Ada Admin</strong> changed Sam Support&#39;s permissions: role from Support to '
        "Auditor; now can access general and security settings." in page
    )
    # The table: labels and words, only what changed (the teammates permission stayed off).
    assert "Role Support Auditor" in words
    assert "Can access general and security settings not granted granted" in words
    assert "Can manage teammates, seats and permissions" not in words


def test_every_value_from_an_event_is_text(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    page_server.log.record_one(
        org.id,
        event("app_name_change", actor_id="tm_x", name=XSS, ip="203.0.113.5", user_agent=XSS,
              metadata={"before": XSS, "after": "</pre><script>alert(2)</script>", "note": XSS}, request_id="r<b>1"),
    )  # fmt: skip
    for answer in (admin.get(), admin.get("?teammate=tm_x"), admin.get("/entries?teammate=tm_x")):
        page = answer.text
        assert XSS not in page
        assert "<script>alert(2)" not in page
        assert "r<b>1" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
    chips = admin.get("?teammate=" + XSS).text
    assert XSS not in chips


# Bad input -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/entries", "/histogram", "/histogram.svg"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=nope", "type"),
        ("range=fortnight", "range"),
        ("from=2026-02-30", "from"),
        ("from=2026-11-05&to=2026-11-01", "to"),
        ("ip=not-an-ip", "ip"),
        ("to=99999-01-01", "to"),
        ("ip=1.1.1.1&ip=2.2.2.2", "ip"),
    ],
)
def test_bad_filters_are_a_4xx_naming_the_parameter(admin: Visitor, path: str, query: str, field: str) -> None:
    answer = admin.get(f"{path}?{query}")
    assert answer.status_code == 422
    named = f"<strong>{field}</strong>" in answer.text or f"{field}: " in answer.text
    assert named or f'id="{field}-error"' in answer.text  # the IP's reason shows at its field


def test_a_bad_ip_keeps_what_was_typed_and_says_so_once_next_to_the_field(admin: Visitor) -> None:
    """Issue 17 bug 4: `10.0.0.300` emptied the field and the reason showed twice (banner and card)."""
    answer = admin.get("?ip=10.0.0.300&type=role_creation&range=30d")
    assert answer.status_code == 422
    assert 'value="10.0.0.300"' in answer.text
    assert 'aria-invalid="true" aria-describedby="ip-error"' in answer.text
    assert answer.text.count("is not an IP address or CIDR block") == 1
    assert 'value="role_creation" checked' in answer.text  # the good filters stay chosen too
    assert 'class="alert"' not in answer.text
    assert 'class="chips"' not in answer.text  # nothing was applied, so no chip says it was


@pytest.mark.parametrize("path", ["", "/entries"])
def test_a_bad_cursor_is_a_422_like_a_bad_filter(admin: Visitor, path: str) -> None:
    for cursor in ("nonsense!", "Zm9v", "a" * 500, Cursor(10**22, "abc").encode(), "Zm9v&cursor=Zm9v"):
        answer = admin.get(f"{path}?cursor={cursor}")
        assert answer.status_code == 422, answer.text[:300]
        assert "<strong>cursor</strong>" in answer.text or "cursor: " in answer.text


def test_garbage_never_breaks_the_page(admin: Visitor) -> None:
    garbage = ["type=%00", "teammate=%ff%fe", "from=%00", "range=%0a", "ip=1.2.3.4/99", "ip=%3Cscript%3E",
               "from=-1-01-01", "cursor=%00", "type=" + "a" * 5000, "x=1&y=2",
               "from=2026-11-01&from=2026-11-02"]  # fmt: skip
    for query in garbage:
        for path in ("", "/entries", "/histogram", "/histogram.svg"):
            answer = admin.get(f"{path}?{query}")
            assert answer.status_code in (200, 400, 422), (query, path, answer.status_code)


# The histogram -------------------------------------------------------------------------------------------------


def test_the_histogram_counts_the_filtered_entries_per_local_day(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    seed(page_server.log, org, 100)
    answer = admin.get("/histogram?type=role_creation&range=7d")
    assert answer.status_code == 200
    bars = re.findall(r'<a class="bar[^"]*" href="([^"]+)" title="([^"]+)"', answer.text)
    assert len(bars) == 7
    today = day_of(now_us(), ZONE)
    for n, (href, title) in enumerate(bars):
        day = today - timedelta(days=6 - n)
        query = parse_qs(urlsplit(html.unescape(href)).query)
        assert query == {
            "type": ["role_creation"],
            "range": ["custom"],
            "from": [day.isoformat()],
            "to": [day.isoformat()],
        }
        since, until = midnight_us(day, ZONE), midnight_us(day + timedelta(days=1), ZONE)
        count = page_server.log.count(org.id, ActivityFilter(("role_creation",), (), since, until))
        assert title.endswith(f": {count:,} {'entry' if count == 1 else 'entries'}")
    total = page_server.log.count(
        org.id, ActivityFilter(("role_creation",), (), midnight_us(today - timedelta(days=6), ZONE))
    )
    assert f"<strong>{total} entries</strong>" in answer.text


def test_the_histogram_of_all_time_starts_at_the_first_entry(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    assert "Nothing to chart yet" in admin.get("/histogram").text
    seed(page_server.log, org, 50)  # two days and a bit
    bars = re.findall(r'<a class="bar', admin.get("/histogram").text)
    assert 3 <= len(bars) <= 4


def test_a_one_day_histogram_has_a_bar_per_hour(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    """A one-day range (yesterday, or a day's bar clicked) charts the hours of that day, in local time."""
    yesterday = day_of(now_us(), ZONE) - timedelta(days=1)
    at = midnight_us(yesterday, ZONE)
    hours = hours_of(yesterday, ZONE)
    local = [datetime.fromtimestamp(since / MICROS, ZoneInfo(ZONE)).hour for since, _ in hours]
    two, three = local.index(14), local.index(3)  # not 14 and 3 on the day the clocks change
    moments = [hours[two][0] + 5 * MICROS, hours[two][0] + 50 * 60 * MICROS, hours[three][0]]  # 14:00 twice, 03:00
    page_server.log.record(org.id, [event("role_creation", occurred_at=iso(m)) for m in [*moments, at - 1]])
    for query in ("range=yesterday", f"range=custom&from={yesterday}&to={yesterday}"):
        answer = admin.get(f"/histogram?{query}")
        assert answer.status_code == 200
        bars = re.findall(r'<span class="bar" role="img" title="([^"]+)"', answer.text)
        assert len(bars) == len(hours)  # 24, or 23 / 25 the day the clocks change
        assert '<a class="bar' not in answer.text  # an hour is not a filter: nothing to narrow to
        counts = [int(re.sub(r"\D", "", title.rsplit(":", 1)[1])) for title in bars]
        assert sum(counts) == 3  # the entry a microsecond before midnight is the day before's
        assert counts[two] == 2
        assert counts[three] == 1
        assert re.search(r"14:00–15:00: 2 entries$", html.unescape(bars[two]))
        assert "<strong>3 entries</strong>" in answer.text
        assert 'data-month="12:00"' in answer.text  # ticks every six hours
    image = admin.get("/histogram.svg?range=yesterday")
    assert image.status_code == 200
    assert "Entries per hour: 3 entries" in image.text


# The CSV -------------------------------------------------------------------------------------------------------


def csv_rows(answer: httpx.Response) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text[:500]
    assert answer.content.startswith(b"\xef\xbb\xbf")  # Download CSV starts with the UTF-8 byte-order mark
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))


def test_the_csv_is_exactly_the_filtered_entries_and_the_api_agrees(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    seed(page_server.log, org, 120)
    query = "type=admin_login_success&type=role_creation&teammate=tm_manager&teammate=tm_auditor&range=30d"
    answer = admin.download(query)
    got = csv_rows(answer)
    today = day_of(now_us(), ZONE)
    since = midnight_us(today - timedelta(days=29), ZONE)
    where = ActivityFilter(("admin_login_success", "role_creation"), ("tm_manager", "tm_auditor"), since)
    assert [r["Entry ID"] for r in got] == expected(page_server.log, org, where)
    assert answer.headers["x-total-count"] == str(len(got))
    first = (today - timedelta(days=29)).isoformat()
    assert (
        answer.headers["content-disposition"]
        == f'attachment; filename="activity-acme-{first}-to-{today.isoformat()}.csv"'
    )
    token = tokens.create_token(page_server.log, org.id, name="compare", scopes="read").secret
    api = admin.http.get(
        "/v1/events.csv",
        params={"type": "admin_login_success,role_creation", "teammate": "tm_manager,tm_auditor", "since": iso(since)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.text == api.text


def test_the_download_is_logged_by_the_viewer(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    seed(page_server.log, org, 10)
    answer = admin.download("type=role_creation&ip=198.51.100.9", {})
    rows = csv_rows(answer)
    [logged] = page_server.log.query(org.id, ActivityFilter(("data_export_run",)), limit=5).entries
    assert (logged.actor.type, logged.actor.id, logged.actor.name) == ("teammate", "tm_admin", "Ada Admin")
    assert logged.ip == "127.0.0.1"
    assert logged.user_agent == "pytest-activity-page/1.0"
    assert logged.request_id == answer.headers["x-request-id"]
    assert logged.metadata["rows"] == len(rows)
    assert logged.metadata["filters"]["type"] == ["role_creation"]
    assert logged.metadata["filters"]["ip"] == "198.51.100.9"
    # The file is what was there when it was asked for: the earlier download's entry, never its own.
    assert [r["Activity type"] for r in csv_rows(admin.download())].count("data_export_run") == 1
    assert 'filename="activity-acme-all-time.csv"' in admin.download().headers["content-disposition"]


def test_the_download_needs_its_form(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    before = page_server.log.count(org.id, ActivityFilter())
    no_token = admin.download(csrf=False)
    assert no_token.status_code == 403
    no_format = admin.http.post(f"{admin.page}/download", data={"csrf_token": admin.csrf})
    assert no_format.status_code == 400
    assert "format" in no_format.text
    bad_filter = admin.download("range=forever")
    assert bad_filter.status_code == 422
    assert "range" in bad_filter.text
    cross_site = admin.http.post(
        f"{admin.page}/download",
        data={"csrf_token": admin.csrf, "format": "csv"},
        headers={"Origin": "https://evil.test"},
    )
    assert cross_site.status_code == 403
    assert page_server.log.count(org.id, ActivityFilter()) == before
