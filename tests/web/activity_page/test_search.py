"""The activity log page's search box over real HTTP: `?q=` filters the rows, every batch, the histogram and
the CSV alike; a bad search is a 422 that keeps what was typed and says why next to the box."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlencode, urlsplit

from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.timeutil import MICROS, iso, now_us
from tests.support import people
from tests.support.activity_page import PageServer, Visitor
from tests.web.activity_page.test_page import csv_rows, ids, next_link

HOUR = 3600 * MICROS


def seed(log: ActivityLog, org: people.Org, count: int) -> list[str]:
    """`count` entries an hour apart, newest first: every third one's workspace is renamed to "Quokka n"."""
    now = now_us()
    batch = []
    for n in range(count):
        kind = "app_name_change" if n % 3 == 0 else "admin_login_success"
        metadata = {"before": "Acme", "after": f"Quokka {n}"} if kind == "app_name_change" else None
        tid, name, _ = people.PEOPLE[n % 2]
        batch.append(event_of(kind, tid, name, iso(now - (n + 1) * HOUR), metadata))
    log.record(org.id, batch)
    return [e.id for e in log.iter_entries(org.id, ActivityFilter())]


def event_of(kind: str, tid: str, name: str, at: str, metadata: dict[str, str] | None) -> dict[str, object]:
    from tests.support.factories import event

    return event(kind, actor_id=tid, name=name, occurred_at=at, metadata=metadata)


def searched(log: ActivityLog, org: people.Org, q: str) -> list[str]:
    return [e.id for e in log.iter_entries(org.id, ActivityFilter.parse(q=q))]


def test_the_search_filters_the_rows_and_every_batch_keeps_it(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    seed(page_server.log, org, 240)
    want = searched(page_server.log, org, "quokka")
    assert len(want) == 80
    first = admin.get("?" + urlencode({"q": "quokka"}))
    assert 'name="q" value="quokka"' in first.text
    link = next_link(first)
    assert link is not None
    assert parse_qs(urlsplit(link).query)["q"] == ["quokka"]
    rest = admin.http.get(link)
    assert ids(first) + ids(rest) == want
    assert "That's every entry that matches these filters." in rest.text
    # The chip names the search and removes just it.
    assert "Search:</span> quokka" in first.text


def test_the_search_combines_with_the_filters_and_field_terms(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    seed(page_server.log, org, 30)
    q = "actor:ada quokka"
    want = searched(page_server.log, org, q)
    assert 0 < len(want) < 10
    assert ids(admin.get("?" + urlencode({"q": q}))) == want
    assert ids(admin.get("?" + urlencode({"q": "quokka", "teammate": "tm_manager"}))) == [
        e.id for e in page_server.log.iter_entries(org.id, ActivityFilter.parse(q="quokka", teammates=["tm_manager"]))
    ]
    assert ids(admin.get("?" + urlencode({"q": "type:admin_login_success quokka"}))) == []


def test_the_histogram_counts_what_the_search_shows(admin: Visitor, page_server: PageServer, org: people.Org) -> None:
    seed(page_server.log, org, 60)
    answer = admin.get("/histogram?" + urlencode({"q": "quokka", "range": "7d"}))
    assert answer.status_code == 200
    assert "<strong>20 entries</strong>" in answer.text
    for href in (html.unescape(h) for h in re.findall(r'<a class="bar[^"]*" href="([^"]+)"', answer.text)):
        assert parse_qs(urlsplit(href).query)["q"] == ["quokka"]  # a day's bar keeps the search


def test_download_csv_exports_exactly_what_the_search_shows(
    admin: Visitor, page_server: PageServer, org: people.Org
) -> None:
    seed(page_server.log, org, 40)
    page = admin.get("?" + urlencode({"q": '"acme to quokka"'}))
    assert f'action="{admin.page}/download?q=%22acme+to+quokka%22"' in page.text  # the form carries q
    want = searched(page_server.log, org, '"acme to quokka"')
    assert ids(page) == want
    rows = csv_rows(admin.download(urlencode({"q": '"acme to quokka"'})))
    assert [row["Entry ID"] for row in rows] == want
    assert len(rows) == 14
    # The download's own entry says the search in its sentence, so the same search finds it next time.
    assert len(searched(page_server.log, org, '"acme to quokka"')) == 15
    [logged] = page_server.log.query(org.id, ActivityFilter(("data_export_run",)), limit=5).entries
    assert logged.metadata["filters"]["q"] == '"acme to quokka"'


def test_a_bad_search_keeps_what_was_typed_and_says_why_next_to_the_box(admin: Visitor) -> None:
    for path in ("", "/entries", "/histogram"):
        answer = admin.get(path + "?" + urlencode({"q": 'colour:red "open', "type": "role_creation"}))
        assert answer.status_code == 422, (path, answer.text[:300])
    answer = admin.get("?" + urlencode({"q": 'colour:red "open', "type": "role_creation"}))
    assert 'value="colour:red &#34;open"' in answer.text or 'value="colour:red &quot;open"' in answer.text
    assert 'id="q-error"' in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert "unknown field" in answer.text
    assert 'value="role_creation" checked' in answer.text  # the good filters stay chosen
    assert "Correct the search above" in answer.text
