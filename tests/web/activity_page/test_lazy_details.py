"""A further batch fetched by the page's script leaves each entry's details out and names where to fetch them;
the details route answers one entry of the viewer's workspace, escaped, with the log's permission only. Without
the script (no HX-Request) every batch keeps its details. And a day's first and last entries are marked."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from activitylog.domain.permissions import PERMISSIONS, SETTINGS
from activitylog.timeutil import MICROS, iso, now_us
from tests.support import people
from tests.support.activity_page import PageServer, Visitor
from tests.support.factories import event

HOUR = 3600 * MICROS
HTMX = {"HX-Request": "true"}
XSS = "<img src=x onerror=alert(1)>"
DETAILS = re.compile(r'hx-get="([^"]+/entries/[^"]+)" hx-trigger="toggle once, retry"')


def seed(server: PageServer, org: people.Org, count: int = 60) -> list[str]:
    """`count` entries an hour apart, newest first; the oldest carries markup in its user agent."""
    now = now_us()
    batch = [
        event("app_name_change", occurred_at=iso(now - (n + 1) * HOUR), user_agent=XSS if n == count - 1 else None)
        for n in range(count)
    ]
    inserted: list[str] = server.log.record(org.id, batch).inserted
    return inserted


def second_batch(admin: Visitor, **headers: str) -> httpx.Response:
    first = admin.get()
    found = re.search(r'hx-get="([^"]+)"[^>]*hx-trigger="intersect once, click"', first.text)
    assert found is not None
    return admin.http.get(html.unescape(found.group(1)), headers=headers)


def test_a_batch_the_script_fetched_names_each_entrys_details_instead_of_holding_them(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    ids = seed(page_server, org)
    lazy = second_batch(admin, **HTMX)
    assert lazy.status_code == 200
    links = [html.unescape(link) for link in DETAILS.findall(lazy.text)]
    assert [link.rsplit("/", 1)[1] for link in links] == ids[50:]  # the 10 oldest, newest first
    assert "Raw metadata" not in lazy.text
    assert lazy.text.count("data-details-pending") == 10
    whole = second_batch(admin)  # without the script: a page of its own, details in
    assert whole.text.count("Raw metadata") == 10
    assert DETAILS.search(whole.text) is None


def test_the_details_route_answers_one_entry_escaped(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    ids = seed(page_server, org)
    answer = admin.http.get(f"{admin.page}/entries/{ids[-1]}", headers=HTMX)
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<div class="entry-details">')
    assert f"<code>{ids[-1]}</code>" in answer.text
    assert "Raw metadata" in answer.text
    assert "<html" not in answer.text
    assert XSS not in answer.text
    assert html.escape(XSS, quote=False) in answer.text


def test_details_of_an_unknown_or_another_workspaces_entry_are_not_found(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    other = people.org(page_server.log.store)
    (theirs,) = page_server.log.record(other.id, [event("app_name_change")]).inserted
    for entry_id in (theirs, "01a00000-0000-7000-8000-000000000000", "x%2F..%2Fy"):
        answer = admin.http.get(f"{admin.page}/entries/{entry_id}", headers=HTMX)
        assert answer.status_code == 404, entry_id
        assert "Raw metadata" not in answer.text  # the 404 page, never the other workspace's entry


@pytest.mark.parametrize("teammate", ["tm_manager", "tm_support"])
def test_details_need_the_logs_permission(
    visitors: Any, page_server: PageServer, org: people.Org, teammate: str
) -> None:
    (entry_id,) = page_server.log.record(org.id, [event("app_name_change")]).inserted
    answer = visitors(teammate).get(f"/entries/{entry_id}", headers=HTMX)
    assert answer.status_code == 403
    assert PERMISSIONS[SETTINGS] in answer.text
    assert entry_id not in answer.text


def test_a_days_first_and_last_entries_are_marked(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    seed(page_server, org, 50)
    page = admin.get().text
    articles = re.findall(r'(<h3 class="day[^"]*"><time[^>]*>[^<]*</time></h3>)?\s*<article class="entry([^"]*)"', page)
    assert len(articles) == 50
    for index, (heading, classes) in enumerate(articles):
        assert ("day-start" in classes) == bool(heading), index
        next_starts_a_day = index == len(articles) - 1 or bool(articles[index + 1][0])
        assert ("day-end" in classes) == next_starts_a_day, index
    assert sum(bool(heading) for heading, _ in articles) >= 2  # 50 hours: at least two days
