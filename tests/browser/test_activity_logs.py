"""Settings > Teammate activity logs in a real browser: signing in, scrolling, every filter, a row's details,
the histogram, the CSV download, escaping, the 403 page, keyboard use and a phone-sized screen.

Every test also checks that the page raised no console error (a refusal by the Content-Security-Policy is
one) and opened no dialog (an `alert` from an event's markup would be one): see the `tab` fixture.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from activitylog import tokens
from activitylog.domain.channel import Channel
from activitylog.domain.days import day_of, midnight_us
from activitylog.domain.filters import ActivityFilter
from activitylog.timeutil import iso, now_us
from tests.browser.conftest import XSS, ZONE, Site, Tab, open_tab
from tests.support import people
from tests.support.factories import event

ENTRIES = "#entries article.entry"


def shown(page: Any) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(ENTRIES, "els => els.map(e => e.id.slice('entry-'.length))")
    return ids


def expected(site: Site, where: ActivityFilter) -> list[str]:
    return [e.id for e in site.log.iter_entries(site.org.id, where)]


def query_of(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def wait_for_chart(page: Any) -> None:
    page.wait_for_selector("#histogram .plot:not([hidden]) .bars, #histogram .chart-empty")


def test_sign_in_and_open_the_page(chromium: Any, site: Site) -> None:
    context, tab = open_tab(chromium, None)
    page = tab.page
    page.goto(site.page + "?range=30d")
    assert "/sign-in" in page.url
    page.get_by_label("Email").fill(people.Org.email("tm_auditor"))
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site.page + "?range=30d")  # back where the teammate was going
    assert page.get_by_role("heading", level=1).inner_text() == "Teammate activity logs"
    assert page.locator(ENTRIES).count() == 50
    wait_for_chart(page)
    nav = page.get_by_role("navigation", name="Settings")
    assert nav.get_by_role("link", name="Teammate activity logs").get_attribute("aria-current") == "page"
    context.close()
    assert tab.errors == []


def test_scrolling_loads_the_next_entries_with_the_filters_until_the_end(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page + "?teammate=tm_admin&teammate=tm_gone")
    want = expected(site, ActivityFilter(teammates=("tm_admin", "tm_gone")))
    assert len(want) > 100
    assert page.locator(ENTRIES).count() == 50
    for loaded in (100, len(want)):
        page.locator("#more").scroll_into_view_if_needed()
        page.locator(ENTRIES).nth(loaded - 1).wait_for()  # (no wait_for_function: the page's CSP refuses eval)
    page.locator("#end-of-log").wait_for()
    assert shown(page) == want
    assert page.locator("#more").count() == 0
    assert "That's every entry that matches these filters." in page.locator("#end-of-log").inner_text()
    assert page.get_attribute("#entries", "aria-busy") == "false"


def test_the_action_filter_searches_the_catalog_by_category(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page)
    page.locator("#action-picker summary").click()
    search = page.get_by_label("Search actions")
    assert search.evaluate("e => e === document.activeElement")
    search.fill("role creat")
    visible = page.locator("#action-picker [data-option]:visible")
    assert visible.all_inner_texts() == ["Role creation"]
    page.get_by_label("Role creation").check()
    search.fill("name change")
    page.get_by_label("Workspace name change").check()
    assert page.locator("#action-picker [data-summary]").inner_text() == "2 actions"
    page.locator("#action-picker").get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"type="))
    assert query_of(page) == {"type": ["role_creation", "app_name_change"]}  # menu order; nothing empty
    assert shown(page) == expected(site, ActivityFilter(types=("app_name_change", "role_creation")))[:50]
    chips = page.get_by_role("group", name="Active filters")
    chip_texts = [" ".join(t.split()) for t in chips.get_by_role("link").all_inner_texts()]
    assert chip_texts[:2] == ["Action: Role creation ×", "Action: Workspace name change ×"]
    # A whole category at once.
    page.locator("#action-picker summary").click()
    page.get_by_label("Search actions").fill("")
    page.locator("#action-picker [data-group]", has_text="Security").locator("[data-group-toggle]").check()
    page.locator("#action-picker").get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "security_settings_change" in query_of(page)["type"]
    assert page.get_by_role("link", name=re.compile(r"Remove filter Action: Security \(all \d+\)")).count() == 1


def test_the_teammate_filter_includes_deleted_teammates(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page)
    page.locator("#teammate-picker summary").click()
    option = page.locator("#teammate-picker [data-option]", has_text="Jonah Okafor")
    assert "Deleted" in option.inner_text()
    page.get_by_label("Search teammates").fill("jon")
    assert page.locator("#teammate-picker [data-option]:visible").count() == 1
    option.locator("input").check()
    page.get_by_label("Search teammates").press("Enter")  # Enter in the search box does not submit
    assert "teammate" not in page.url
    page.locator("#teammate-picker").get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile("teammate=tm_gone"))
    assert shown(page) == expected(site, ActivityFilter(teammates=("tm_gone",)))[:50]
    assert page.get_by_role("link", name="Remove filter Teammate: Jonah Okafor (deleted)").count() == 1


def test_date_presets_and_a_custom_range(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page)
    page.get_by_label("Date", exact=True).select_option("7d")  # applies at once
    page.wait_for_url(re.compile("range=7d"))
    today = day_of(now_us(), ZONE)
    week = ActivityFilter(since_us=midnight_us(today - timedelta(days=6), ZONE))
    assert shown(page) == expected(site, week)[:50]
    assert page.get_by_role("link", name="Remove filter Date: Last 7 days").count() == 1
    # A custom range, both days whole, in the workspace's time zone.
    page.get_by_label("Date", exact=True).select_option("custom")
    first, last = today - timedelta(days=5), today - timedelta(days=3)
    page.locator("#from").fill(first.isoformat())
    page.locator("#to").fill(last.isoformat())
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile("range=custom"))
    assert query_of(page) == {"range": ["custom"], "from": [first.isoformat()], "to": [last.isoformat()]}
    days = ActivityFilter(since_us=midnight_us(first, ZONE), until_us=midnight_us(last + timedelta(days=1), ZONE))
    assert shown(page) == expected(site, days)[:50]


def test_filters_combine_and_chips_remove_them(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page + "?type=admin_login_success&type=role_creation&teammate=tm_admin&range=90d&ip=203.0.113.0/24")
    today = day_of(now_us(), ZONE)
    where = ActivityFilter.parse(types="admin_login_success,role_creation", teammates="tm_admin", ip="203.0.113.0/24")
    combined = ActivityFilter(
        where.types, where.teammates, midnight_us(today - timedelta(days=89), ZONE), None, where.ip
    )
    assert shown(page) == expected(site, combined)[:50]
    assert page.get_by_label("IP address").input_value() == "203.0.113.0/24"
    page.get_by_role("link", name="Remove filter IP: 203.0.113.0/24").click()
    page.wait_for_load_state()
    assert "ip" not in query_of(page)
    assert query_of(page)["type"] == ["admin_login_success", "role_creation"]
    page.get_by_role("link", name="Clear all").click()
    page.wait_for_url(site.page)
    assert page.get_by_role("group", name="Active filters").count() == 0


def test_a_row_opens_to_show_its_details(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page + "?type=security_settings_change")
    row = page.locator(ENTRIES).first
    assert row.locator("strong.actor").inner_text() == "Ada Admin"
    when = row.locator("time.when")
    assert re.fullmatch(r"\d{1,2} \w{3} \d{4}, 10:00", when.inner_text())
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:00:00\.000000 UTC", when.get_attribute("title"))
    assert row.locator(".ip").inner_text().endswith("2001:db8::42")
    details = row.locator(".entry-details")
    assert not details.is_visible()
    row.locator("summary").focus()
    page.keyboard.press("Enter")  # the keyboard opens it
    assert details.is_visible()
    assert details.locator("table.changes tbody tr").inner_text().split("\t") == ["Session timeout", "1 day", "8 hours"]
    assert "Firefox/128.0" in details.inner_text()
    assert "req-security-1" in details.inner_text()
    assert '"session_timeout_hours": 24' in details.locator("pre.raw").inner_text()


def test_values_from_events_are_shown_as_text(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page + "?teammate=tm_x")
    row = page.locator(ENTRIES).first
    assert row.locator("strong.actor").inner_text() == XSS
    row.locator("summary").click()
    assert XSS in row.locator(".ua").inner_text()
    assert XSS in row.locator("pre.raw").inner_text()
    assert page.locator("img").count() == 0  # no element was made from the markup
    assert page.get_by_role("link", name=f"Remove filter Teammate: {XSS}").count() == 1  # its chip, as text
    assert tab.dialogs == []


def test_clicking_a_bar_narrows_to_that_day(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page + "?range=7d&type=admin_login_success")
    wait_for_chart(page)
    bars = page.locator("#histogram .bar")
    assert bars.count() == 7
    title = bars.nth(3).get_attribute("title")
    day = day_of(now_us(), ZONE) - timedelta(days=3)
    count = len(
        expected(
            site,
            ActivityFilter(
                ("admin_login_success",), (), *(midnight_us(d, ZONE) for d in (day, day + timedelta(days=1)))
            ),
        )
    )
    assert title.endswith(f": {count} {'entry' if count == 1 else 'entries'}")
    bars.nth(3).click()
    page.wait_for_url(re.compile("range=custom"))
    assert query_of(page) == {"type": ["admin_login_success"], "range": ["custom"], "from": [day.isoformat()],
                              "to": [day.isoformat()]}  # fmt: skip
    assert page.locator(ENTRIES).count() == count
    wait_for_chart(page)
    # One day: a bar per hour of it, which together hold the day's entries.
    hours = page.locator("#histogram .plot:not([hidden]) .bar")
    assert 23 <= hours.count() <= 25
    labels = hours.evaluate_all("bars => bars.map(b => b.getAttribute('aria-label'))")
    assert sum(int(re.sub(r"\D", "", label.rsplit(":", 1)[1])) for label in labels) == count


def test_the_histogram_is_one_tab_stop_with_arrow_keys(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page + "?range=30d")
    wait_for_chart(page)
    bars = page.locator("#histogram .bar")
    assert bars.count() == 30
    last = bars.nth(29)
    assert last.get_attribute("tabindex") == "0"
    assert page.locator('#histogram .bar[tabindex="0"]').count() == 1
    last.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert (
        page.evaluate("document.activeElement.dataset.day") == (day_of(now_us(), ZONE) - timedelta(days=2)).isoformat()
    )
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.dataset.day") == bars.nth(0).get_attribute("data-day")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("from="))


def test_download_is_the_filtered_entries_as_the_api_answers(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page + "?type=role_creation&type=app_name_change&teammate=tm_admin&teammate=tm_auditor&range=12m")
    with page.expect_download() as started:
        page.get_by_role("button", name="Download CSV").click()
    download = started.value
    today = day_of(now_us(), ZONE)
    first = today.replace(year=today.year - 1) + timedelta(days=1)
    assert download.suggested_filename == f"activity-acme-{first.isoformat()}-to-{today.isoformat()}.csv"
    with open(download.path(), encoding="utf-8", newline="") as saved:
        text = saved.read()
    api = httpx.get(
        f"{site.base_url}/v1/events.csv",
        params={"type": "role_creation,app_name_change", "teammate": "tm_admin,tm_auditor",
                "since": iso(midnight_us(first, ZONE))},
        headers={"Authorization": f"Bearer {site.token}"},
    )  # fmt: skip
    assert api.status_code == 200
    assert text == api.text
    assert text.count("\r\n") - 1 == len(
        expected(site, ActivityFilter(("role_creation", "app_name_change"), ("tm_admin", "tm_auditor")))
    )
    [logged] = site.log.query(site.org.id, ActivityFilter(("data_export_run",), ("tm_admin",)), limit=1).entries
    assert logged.metadata["filters"]["type"] == ["role_creation", "app_name_change"]


def test_without_the_permission_the_page_is_a_403(chromium: Any, site: Site) -> None:
    context, tab = open_tab(chromium, None)
    tab.expect_errors = True
    page = tab.page
    page.goto(f"{site.base_url}/a/{site.org.id}/sign-in")
    page.get_by_label("Email").fill(people.Org.email("tm_support"))
    page.get_by_label("Password").fill(people.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile("/settings/account"))
    nav = page.get_by_role("navigation", name="Settings")
    assert nav.get_by_role("link", name="Teammate activity logs").count() == 0
    answer = page.goto(site.page)
    assert answer is not None
    assert answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You don't have access to this page"
    assert "Can access general and security settings" in page.locator("main").inner_text()
    context.close()


def test_keyboard_only(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page)
    page.keyboard.press("Tab")  # the skip link first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.locator("#action-picker summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("#action-picker").get_attribute("open") is not None
    # The picker moves focus to its search box when it opens (on the toggle event): type only once it has.
    page.wait_for_function("document.activeElement && document.activeElement.matches('#action-picker [data-search]')")
    page.keyboard.type("logout")
    page.keyboard.press("Tab")  # to the first option that matches
    page.keyboard.press("Space")
    page.keyboard.press("Escape")  # closes, back on the picker
    assert page.locator("#action-picker").get_attribute("open") is None
    assert page.evaluate("document.activeElement.closest('details').id") == "action-picker"
    assert page.locator("#action-picker [data-summary]").inner_text() == "Teammate logout"
    page.get_by_label("IP address").focus()
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_url(re.compile("type=admin_logout"))
    assert query_of(page) == {"type": ["admin_logout"]}
    # "Load older entries" by keyboard: focus moves to the first new entry.
    page.goto(site.page)
    page.locator("#more .more-link").focus()
    page.keyboard.press("Enter")
    page.locator(ENTRIES).nth(50).wait_for()
    page.locator("summary:focus").wait_for()
    assert page.evaluate(
        "document.activeElement.closest('article') === document.querySelectorAll('#entries article.entry')[50]"
    )


def test_readable_on_a_phone(chromium: Any, signed_in_state: str, site: Site) -> None:
    context, tab = open_tab(chromium, signed_in_state, width=390, height=844)
    page = tab.page
    # A year of daily bars too (issue 17 bug 1: 365 bars and their gaps made the page 429 px wide).
    for query in ("?range=12m", "", "?range=30d"):
        page.goto(site.page + query)
        wait_for_chart(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, query
        for name in ("Download CSV", "Apply filters"):
            box = page.get_by_role("button", name=name).bounding_box()
            assert box is not None
            assert box["x"] >= 0, (query, name, box)
            assert box["x"] + box["width"] <= 390, (query, name, box)
    page.locator(ENTRIES).first.locator("summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for name in ("Download CSV", "Apply filters"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box is not None
        assert box["width"] > 300  # full width, easy to hit
    context.close()
    assert tab.errors == []


def test_a_mistyped_ip_stays_in_its_field_with_one_reason_beside_it(tab: Tab, site: Site) -> None:
    """Issue 17 bug 4: applying `10.0.0.300` emptied the field and showed the reason twice."""
    tab.expect_errors = True  # the refused filter answers 422, as it should
    page = tab.page
    page.goto(site.page)
    page.fill("#ip", "10.0.0.300")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"ip=10\.0\.0\.300"))

    field = page.locator("#ip")
    assert field.input_value() == "10.0.0.300"
    assert field.get_attribute("aria-invalid") == "true"
    assert page.locator("#ip-error").inner_text() == "'10.0.0.300' is not an IP address or CIDR block"
    assert page.locator("main").inner_text().count("is not an IP address or CIDR block") == 1
    field.fill("10.0.0.30")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"ip=10\.0\.0\.30(&|$)"))
    assert page.locator("#ip-error").count() == 0


@pytest.mark.parametrize(
    ("typed", "finds", "misses"),
    [
        ("failed", "Teammate login failure", None),
        ("sign in", "Teammate login failure", "Unassign unsnoozed"),
        ("log-in", "Teammate login success", "Unassign unsnoozed"),
        ("admin_login", "Teammate login success", None),
        ("remove teammate", "Teammate deletion", None),
    ],
)
def test_the_action_search_knows_codes_and_everyday_words(
    tab: Tab, site: Site, typed: str, finds: str, misses: str | None
) -> None:
    """Issue 17 bug 9: "failed" found nothing, "sign in" matched "Unassign unsnoozed", codes found nothing."""
    page = tab.page
    page.goto(site.page)
    page.locator("#action-picker summary").click()
    page.get_by_label("Search actions").fill(typed)
    visible = page.locator("#action-picker [data-option]:visible").all_inner_texts()
    assert finds in visible, visible
    if misses:
        assert not any(text.startswith(misses) for text in visible), visible


def test_the_date_menu_by_keyboard_browses_then_applies_and_focus_comes_back(tab: Tab, site: Site) -> None:
    """Issue 17 bug 3: ArrowDown on the Date select applied "Today" at once and focus fell to <body>; after any
    apply (the date, a histogram bar) the admin tabbed 14 times to get back."""
    page = tab.page
    page.goto(site.page)
    wait_for_chart(page)
    page.focus("#range")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # browsing: All time -> Today -> Yesterday -> Last 7 days, nothing applied yet
    assert "range=" not in page.url
    assert page.evaluate("document.activeElement.id") == "range"

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"range=7d"))
    page.wait_for_function("document.activeElement && document.activeElement.id === 'range'", timeout=30_000)

    wait_for_chart(page)
    page.locator(".bar[tabindex='0']").focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"range=custom"))
    wait_for_chart(page)
    page.locator("#histogram .bar:focus").wait_for()  # back on the chart: that day's, by the hour


def test_yesterday_and_this_year_are_in_the_date_menu_and_apply_by_keyboard(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page)
    wait_for_chart(page)
    options = page.locator("#range option").all_inner_texts()
    assert options == [
        "All time", "Today", "Yesterday", "Last 7 days", "Last 30 days", "Last 90 days", "Last 12 months",
        "This year", "Custom range…",
    ]  # fmt: skip
    page.focus("#range")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # All time -> Today -> Yesterday: browsing, nothing applied yet
    assert "range=" not in page.url
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"range=yesterday"))
    page.wait_for_function("document.activeElement && document.activeElement.id === 'range'", timeout=30_000)
    today = day_of(now_us(), ZONE)
    yesterday = ActivityFilter(since_us=midnight_us(today - timedelta(days=1), ZONE), until_us=midnight_us(today, ZONE))
    assert shown(page) == expected(site, yesterday)[:50]
    assert page.get_by_role("link", name="Remove filter Date: Yesterday").count() == 1

    wait_for_chart(page)
    page.focus("#range")
    page.keyboard.press("End")  # Custom range…
    page.keyboard.press("ArrowUp")  # This year
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"range=year"))
    page.wait_for_function("document.activeElement && document.activeElement.id === 'range'", timeout=30_000)
    this_year = ActivityFilter(since_us=midnight_us(today.replace(month=1, day=1), ZONE))
    assert shown(page) == expected(site, this_year)[:50]
    assert page.get_by_role("link", name="Remove filter Date: This year").count() == 1
    wait_for_chart(page)


def test_without_javascript_the_histogram_is_an_image_drawn_on_the_server(
    chromium: Any, signed_in_state: str, site: Site
) -> None:
    """Issue 17 bug 11: without JavaScript the histogram was an empty card."""
    context = chromium.new_context(storage_state=signed_in_state, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.page + "?range=30d")
        image = page.locator("#histogram img.chart-image")
        image.wait_for(timeout=30_000)
        page.wait_for_function("document.querySelector('#histogram img').complete", timeout=30_000)
        assert page.evaluate("document.querySelector('#histogram img').naturalWidth") > 0
        svg = context.request.get(site.base_url + image.get_attribute("src"))
        assert svg.status == 200
        assert svg.headers["content-type"].startswith("image/svg+xml")
        assert svg.text().count("<rect ") == 30
        assert "<script" not in svg.text()
    finally:
        context.close()


def test_an_entry_of_a_further_batch_fetches_its_details_when_opened(tab: Tab, site: Site) -> None:
    """Further batches leave details out (a page scrolled far would hold hundreds of thousands of nodes, and
    each batch would cost more than the last: bench/scroll_bench.py); opening an entry brings them in."""
    page = tab.page
    page.goto(site.page)
    page.locator("#more").scroll_into_view_if_needed()
    row = page.locator(ENTRIES).nth(60)
    row.wait_for()
    assert row.locator("[data-details-pending]").count() == 1
    entry_id = row.get_attribute("id").removeprefix("entry-")
    row.locator("summary").focus()
    page.keyboard.press("Enter")  # the keyboard opens it
    details = row.locator(".entry-details")
    details.get_by_text("Raw metadata").wait_for()
    assert row.locator("[data-details-pending]").count() == 0
    assert entry_id in details.locator("dl.facts").inner_text()
    assert page.evaluate("document.activeElement.closest('article').id") == f"entry-{entry_id}"  # focus stays
    # A day's last entry keeps its rounded corner only when the next entry starts another day, across batches.
    marks = page.eval_on_selector_all(
        ENTRIES,
        """rows => rows.map((row, i) => {
             const next = rows[i + 1], before = next && next.previousElementSibling;
             return [row.classList.contains('day-end'), !next || !!(before && before.matches('h3.day'))];
           })""",
    )
    assert len(marks) > 50
    assert [day_end for day_end, _ in marks] == [starts for _, starts in marks]


def test_the_count_of_matches_and_of_entries_shown_follows_the_scroll(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(site.page + "?teammate=tm_admin&teammate=tm_gone")
    total = len(expected(site, ActivityFilter(teammates=("tm_admin", "tm_gone"))))
    assert total > 100
    count = page.locator("#match-count")
    wait_for_chart(page)
    count.get_by_text(f"{total:,} entries match · showing 50").wait_for()
    page.locator("#more").scroll_into_view_if_needed()
    count.get_by_text(f"{total:,} entries match · showing 100").wait_for()
    assert page.locator(ENTRIES).count() == 100
    page.goto(site.page + "?teammate=tm_x")
    one = len(expected(site, ActivityFilter(teammates=("tm_x",))))
    wait_for_chart(page)
    word = "entry matches" if one == 1 else "entries match"
    count.get_by_text(f"{one:,} {word} · showing {min(one, 50)}").wait_for()


def test_the_histogram_has_a_scale_month_labels_and_bars_wide_enough(
    chromium: Any, signed_in_state: str, site: Site
) -> None:
    """A y-axis (the tallest bar's count), month names where months start, bars at least 4 px wide (a year is
    weeks, on a desktop and on a phone), and the count of the bar under the keyboard shown beside the chart."""
    for width, height in ((1280, 900), (390, 844)):
        context, tab = open_tab(chromium, signed_in_state, width=width, height=height)
        page = tab.page
        page.goto(site.page + "?range=12m")
        wait_for_chart(page)
        shown = page.locator("#histogram .plot:not([hidden])")
        assert shown.count() == 1
        bars = shown.locator(".bar")
        assert 52 <= bars.count() <= 54  # weeks: 365 days would be narrower than 4 px
        widths = page.eval_on_selector_all(
            "#histogram .plot:not([hidden]) .bar", "bars => bars.map(b => b.getBoundingClientRect().width)"
        )
        assert min(widths) >= 4, (width, min(widths))
        counts = [int(re.sub(r"\D", "", label.rsplit(":", 1)[1])) for label in bars.evaluate_all(
            "bars => bars.map(b => b.getAttribute('aria-label'))")]  # fmt: skip
        assert shown.locator(".y-axis span").first.inner_text() == f"{max(counts):,}"
        months = shown.locator(".bar[data-month]").evaluate_all("bars => bars.map(b => b.dataset.month)")
        assert 12 <= len(months) <= 13
        assert re.fullmatch(r"[A-Z][a-z]{2} \d{4}", months[0])
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        bars.last.focus()
        page.keyboard.press("ArrowLeft")
        focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert re.search(r": [\d,]+ (entry|entries)$", focused)
        assert shown.page.locator("#histogram .chart-hint").inner_text() == focused
        context.close()
        assert tab.errors == []
    context, tab = open_tab(chromium, signed_in_state)
    tab.page.goto(site.page + "?range=30d")
    wait_for_chart(tab.page)
    assert tab.page.locator("#histogram .plot:not([hidden]) .bar").count() == 30  # days: wide enough
    assert tab.page.locator("#histogram [data-weeks]").count() == 0
    context.close()


def test_the_teammate_filter_the_custom_range_and_the_ip_by_keyboard_alone(tab: Tab, site: Site) -> None:
    """Keyboard only, no pointer: the teammate picker (open, search, tick, close), an IP block, "Custom range…"
    opening its date fields with focus in the first, then a preset chosen by arrows: Enter applies them all."""
    page = tab.page
    page.goto(site.page)
    wait_for_chart(page)
    page.locator("#teammate-picker summary").focus()
    page.keyboard.press("Enter")
    page.locator("#teammate-picker [data-search]:focus").wait_for()
    page.keyboard.type("Ada")
    page.keyboard.press("Tab")  # to the first teammate that matches
    page.keyboard.press("Space")
    page.keyboard.press("Escape")
    assert page.locator("#teammate-picker [data-summary]").inner_text() == "Ada Admin"
    page.get_by_label("IP address").focus()
    page.keyboard.type("203.0.113.0/24")
    page.focus("#range")
    page.keyboard.press("End")  # browsing to "Custom range…": nothing applied yet
    page.keyboard.press("Enter")
    page.locator("#from:focus").wait_for()  # the custom fields open, focus in the first
    assert "ip=" not in page.url
    page.focus("#range")
    page.keyboard.press("Home")
    for _ in range(4):  # All time -> Today -> Yesterday -> Last 7 days -> Last 30 days
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("ip="))
    assert query_of(page) == {"teammate": ["tm_admin"], "range": ["30d"], "ip": ["203.0.113.0/24"]}
    since = midnight_us(day_of(now_us(), ZONE) - timedelta(days=29), ZONE)
    want = expected(
        site, ActivityFilter(teammates=("tm_admin",), since_us=since, ip=ActivityFilter.parse(ip="203.0.113.0/24").ip)
    )
    assert shown(page) == want[:50]
    page.locator("#range:focus").wait_for()  # focus comes back to what applied


def test_details_that_fail_to_load_say_so_and_load_on_try_again(tab: Tab, site: Site) -> None:
    page = tab.page
    tab.expect_errors = True  # the first details request answers 503, on purpose
    failures = []

    def once_unavailable(route: Any) -> None:
        if not failures:
            failures.append(route.request.url)
            route.fulfill(status=503, body="unavailable")
        else:
            route.continue_()

    page.route(lambda url: "/activity-logs/entries/" in url, once_unavailable)
    page.goto(site.page)
    page.locator("#more").scroll_into_view_if_needed()
    row = page.locator(ENTRIES).nth(60)
    row.wait_for()
    row.locator("summary").focus()
    page.keyboard.press("Enter")
    problem = row.get_by_text("The details could not be loaded.")
    problem.wait_for()
    assert failures
    row.get_by_role("button", name="Try again").focus()
    page.keyboard.press("Enter")
    row.locator(".entry-details").get_by_text("Raw metadata").wait_for()
    assert not problem.is_visible()
    tab.errors[:] = [e for e in tab.errors if "503" not in e and "Response Status Error" not in e]


def test_a_custom_range_by_keyboard_alone(tab: Tab, site: Site) -> None:
    """The date fields by keys: digits fill a field's segments in turn, Tab goes on to the next field, Enter
    applies; the range is both days whole, in the workspace's time zone, and focus comes back to the field."""
    page = tab.page
    page.goto(site.page)
    wait_for_chart(page)
    page.focus("#range")
    page.keyboard.press("End")  # "Custom range…"
    page.keyboard.press("Enter")
    page.locator("#from:focus").wait_for()
    today = day_of(now_us(), ZONE)
    first, last = today - timedelta(days=5), today - timedelta(days=3)
    # Chromium's date field takes its segments in the browser locale's order (en-US: month, day, year).
    page.keyboard.type(first.strftime("%m%d%Y"))
    assert page.locator("#from").input_value() == first.isoformat()
    # Tab leaves the field after its last segment (Chromium may keep one more stop inside it): at most two.
    for _ in range(2):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "to":
            break
    page.locator("#to:focus").wait_for()
    page.keyboard.type(last.strftime("%m%d%Y"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("range=custom"))
    assert query_of(page) == {"range": ["custom"], "from": [first.isoformat()], "to": [last.isoformat()]}
    days = ActivityFilter(since_us=midnight_us(first, ZONE), until_us=midnight_us(last + timedelta(days=1), ZONE))
    assert shown(page) == expected(site, days)[:50]
    page.locator("#to:focus").wait_for()  # focus comes back to what applied


def test_far_batches_are_parked_and_come_back_unchanged(tab: Tab, site: Site) -> None:
    """However far the admin scrolls, only the batches near the viewport stay in the document (bug 7): the
    others stand parked as empty boxes of their height, and come back as they were when scrolled to. The
    window is narrowed here (the page's defaults are 8 batches and four screens) to show it on a short log."""
    page = tab.page
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(site.page)
    want = expected(site, ActivityFilter())
    assert len(want) > 150
    page.eval_on_selector("#entries", "list => { list.dataset.windowFrom = '2'; list.dataset.windowMargin = '0px'; }")
    first_row = page.locator(f"#entry-{want[0]} summary")
    first_row.click()  # opened: it must still be open when its batch comes back
    page.evaluate("document.activeElement.blur()")  # (a batch holding the focus is never parked: see below)
    for loaded in range(100, len(want), 50):
        page.locator("#more").scroll_into_view_if_needed()
        page.locator(f"#entry-{want[loaded - 1]}").wait_for(state="attached")
    page.locator("#more").scroll_into_view_if_needed()
    page.locator("#end-of-log").wait_for()
    height = page.evaluate("document.documentElement.scrollHeight")
    # The first batch, far above, is parked: its rows are out of the document, a box of its height stands in.
    page.locator(".batch-parked").first.wait_for(state="attached")
    assert page.locator(f"#entry-{want[0]}").count() == 0
    assert page.eval_on_selector(".batch-parked", "box => box.getBoundingClientRect().height") > 500
    assert page.get_attribute(".batch-parked", "aria-hidden") == "true"
    assert len(shown(page)) < len(want)
    assert page.locator("#match-count").inner_text().endswith(f"showing {len(want):,}")  # counted, not walked
    # Back to the top: the first batch returns as it was (still open) and the page kept its height.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(f"#entry-{want[0]} details[open]").wait_for()
    assert page.evaluate("document.documentElement.scrollHeight") == height
    assert shown(page)[:50] == want[:50]
    # A batch holding the focus stays, however far away it gets.
    first_row.focus()
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.locator(f"#entry-{want[-1]}").wait_for()
    assert page.locator(f"#entry-{want[0]}").count() == 1
    assert page.evaluate("document.activeElement.closest('article').id") == f"entry-{want[0]}"


def test_a_search_typed_and_entered_filters_the_rows_the_count_and_the_csv(tab: Tab, site: Site) -> None:
    """Issue 17's search box: type, press Enter; the rows, the URL, the count and the CSV form follow the search,
    and focus comes back to the box after the page reloads."""
    page = tab.page
    page.goto(site.page + "?range=30d")
    box = page.get_by_label("Search", exact=True)
    box.fill("actor:audrey role")
    box.press("Enter")
    page.wait_for_url(re.compile(r"[?&]q=actor%3Aaudrey\+role"))
    want = [e.id for e in site.log.iter_entries(site.org.id, ActivityFilter.parse(q="actor:audrey role"))]
    assert 0 < len(want) < 50
    page.locator("#end-of-log").wait_for()
    assert shown(page) == want
    assert query_of(page)["q"] == ["actor:audrey role"]
    assert query_of(page)["range"] == ["30d"]
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.locator("#q").input_value() == "actor:audrey role"
    wait_for_chart(page)
    word = "entry matches" if len(want) == 1 else "entries match"
    page.locator("#match-count").get_by_text(f"{len(want):,} {word}").wait_for()
    action = page.locator("form.download").get_attribute("action") or ""
    assert parse_qs(urlsplit(action).query)["q"] == ["actor:audrey role"]
    with page.expect_download() as started:
        page.get_by_role("button", name="Download CSV").click()
    with open(started.value.path(), encoding="utf-8", newline="") as saved:
        assert saved.read().count("\r\n") - 1 == len(want)
    # A search chip removes just the search.
    page.get_by_role("link", name="Remove filter Search: actor:audrey role").click()
    page.wait_for_url(re.compile(r"range=30d$"))
    assert len(shown(page)) == 50


def test_a_row_says_how_its_entry_arrived_and_a_token_s_name_is_text(tab: Tab, site: Site) -> None:
    """Issue 17: an entry sent by a token named as markup shows "via API · <that name>" in its row and its
    details, as characters; nothing runs and no element is made of it. (Last in the file: it adds an entry.)"""
    token = tokens.create_token(site.log, site.org.id, name=XSS, scopes="write").token
    site.log.record_one(site.org.id, event(actor_id="tm_via", name="Quentin Channel"), channel=Channel.api(token.id))
    page = tab.page
    page.goto(site.page + "?teammate=tm_via")
    row = page.locator(ENTRIES).first
    assert row.locator(".via").inner_text() == f"via API · {XSS}"
    assert row.locator(".via").get_attribute("title") == f"via API · {XSS}"
    row.locator("summary").click()
    assert row.locator(".channel").inner_text() == f"via API · {XSS} {token.id}"
    assert page.locator("img").count() == 0
    assert tab.dialogs == []
