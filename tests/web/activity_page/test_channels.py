"""How each entry arrived, on the activity log page (issue 17): a small label in the row ("via API · Deploy bot",
"via console", "system"), the channel in the details with the token's id, nothing for an entry of before
channels, a token's name as text (never markup), and the console's own download logged as the console's."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

from activitylog import tokens
from activitylog.domain.channel import CLI, CONSOLE, SYSTEM, Channel
from activitylog.domain.filters import ActivityFilter
from tests.support import people
from tests.support.activity_page import PageServer, text
from tests.support.factories import event

XSS = "<img src=x onerror=alert(1)>"
ROW = re.compile(r'<article class="entry[^"]*" id="entry-([^"]+)".*?</article>', re.S)


def rows_of(page: str) -> dict[str, str]:
    """Each entry's article by entry id."""
    return {found.group(1): found.group(0) for found in ROW.finditer(page)}


def label_of(article: str) -> str | None:
    found = re.search(r'<span class="via" title="([^"]*)">([^<]*)</span>', article)
    if found is None:
        return None
    assert found.group(1) == found.group(2)
    return html.unescape(found.group(2))


def test_each_row_says_how_its_entry_arrived(page_server: PageServer, org: people.Org, visitors: Any) -> None:
    log = page_server.log
    deploy = tokens.create_token(log, org.id, name="Deploy bot", scopes="write").token
    hostile = tokens.create_token(log, org.id, name=XSS, scopes="write").token
    ids = {
        "old": log.record_one(org.id, event()),  # as before channels were kept
        "console": log.record_one(org.id, event(), channel=CONSOLE),
        "cli": log.record_one(org.id, event(), channel=CLI),
        "system": log.record_one(org.id, event(), channel=SYSTEM),
        "api": log.record_one(org.id, event(), channel=Channel.api(deploy.id)),
        "hostile": log.record_one(org.id, event(), channel=Channel.api(hostile.id)),
        "gone": log.record_one(org.id, event(), channel=Channel.api("tok_unknown")),
    }
    tokens.revoke_token(log, org.id, deploy.id)
    answer = visitors("tm_admin").get("?type=app_name_change")
    assert answer.status_code == 200, answer.text[:500]
    assert XSS not in answer.text  # the token's name is text, everywhere on the page
    articles = rows_of(answer.text)
    assert {name: label_of(articles[entry_id]) for name, entry_id in ids.items()} == {
        "old": None,
        "console": "via console",
        "cli": "via command line",
        "system": "system",
        "api": "via API · Deploy bot (revoked)",
        "hostile": f"via API · {XSS}",
        "gone": "via API · token tok_unknown",
    }
    details = {name: text(articles[entry_id]) for name, entry_id in ids.items()}
    assert "Channel Not recorded (recorded before channels were kept)" in details["old"]
    assert f"Channel via API · Deploy bot (revoked) {deploy.id}" in details["api"]
    assert "Channel via console IP address" in details["console"]
    assert html.escape(XSS, quote=False) in details["hostile"]


def test_details_fetched_alone_show_the_channel(page_server: PageServer, org: people.Org, visitors: Any) -> None:
    log = page_server.log
    issued = tokens.create_token(log, org.id, name=XSS, scopes="write").token
    entry_id = log.record_one(org.id, event(), channel=Channel.api(issued.id))
    old_id = log.record_one(org.id, event())
    admin = visitors("tm_admin")
    details = admin.get(f"/entries/{entry_id}")
    assert details.status_code == 200, details.text[:500]
    assert XSS not in details.text
    assert f"Channel via API · {html.escape(XSS, quote=False)} {issued.id}" in text(details.text)
    assert "Channel Not recorded" in text(admin.get(f"/entries/{old_id}").text)


def test_the_console_s_download_is_logged_as_the_console_s_and_exports_the_channel(
    page_server: PageServer, org: people.Org, visitors: Any
) -> None:
    log = page_server.log
    log.record_one(
        org.id, event(), channel=Channel.api(tokens.create_token(log, org.id, name="Sync", scopes="write").token.id)
    )
    log.record_one(org.id, event())
    answer = visitors("tm_admin").download("type=app_name_change")
    assert answer.status_code == 200, answer.text[:500]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row["Channel"] for row in rows] == ["", "API · Sync"]
    [download] = log.iter_entries(org.id, ActivityFilter(types=("data_export_run",)))
    assert download.via == "console"
