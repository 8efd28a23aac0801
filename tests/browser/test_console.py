"""The console's settings pages in Chromium (issue 17, "Safer console"): the invite link's Copy button, a
confirmation before revoking a token or removing a teammate (with script and without), the time-zone picker,
and all of it on a phone-sized screen.

Each test makes the token or teammate it revokes or removes, so the shared workspace keeps its own."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from activitylog import tokens
from activitylog.domain.filters import ActivityFilter
from activitylog.web.mount import ROUTERS
from tests.browser.conftest import Site, Tab, open_tab

DEADLINE = 30_000  # ms: generous, the machine is shared


@pytest.fixture
def console_tab(chromium: Any, signed_in_state: str, site: Site) -> Iterator[Tab]:
    """A tab signed in as the admin, allowed to read and write the clipboard."""
    context, opened = open_tab(chromium, signed_in_state)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base_url)
    yield opened
    context.close()
    assert opened.dialogs == []
    assert opened.errors == []


def settings(site: Site, page: str) -> str:
    return f"{site.base_url}/a/{site.org.id}/settings/{page}"


def new_token(site: Site) -> tuple[str, str, str]:
    """(id, name, secret) of a new read token of the workspace."""
    name = f"Confirm me {secrets.token_hex(3)}"
    issued = tokens.create_token(site.log, site.org.id, name=name, scopes="read")
    return issued.token.id, name, issued.secret


def active_tokens(site: Site) -> set[str]:
    return {t.id for t in tokens.list_tokens(site.log, site.org.id) if t.revoked_us is None}


def new_teammate(site: Site) -> tuple[str, str]:
    """(id, name) of a new active teammate of the workspace, with no role."""
    teammate_id, name = f"tm_confirm_{secrets.token_hex(3)}", f"Casey Confirm {secrets.token_hex(2)}"
    with site.log.store.transaction(site.org.id) as tx:
        tx.execute(
            "INSERT INTO teammates (workspace_id, id, name, email, status, kind) "
            "VALUES (?, ?, ?, ?, 'active', 'member')",
            (site.org.id, teammate_id, name, f"{teammate_id}@example.test"),
        )
    return teammate_id, name


def status_of(site: Site, teammate_id: str) -> str:
    rows = site.log.store.read(
        "SELECT status FROM teammates WHERE workspace_id = ? AND id = ?", (site.org.id, teammate_id)
    )
    return str(rows[0][0])


def posts(page: Any) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    return sent


# Copy ---------------------------------------------------------------------------------------------------------


def test_the_invite_link_copies_to_the_clipboard_by_keyboard(console_tab: Tab, site: Site) -> None:
    page = console_tab.page
    page.goto(settings(site, "teammates"))
    page.get_by_label("Email").fill(f"copy.{secrets.token_hex(3)}@example.test")
    page.get_by_role("button", name="Send invitation").click()
    link = page.get_by_label("Invitation link")
    link.wait_for(timeout=DEADLINE)
    value = link.input_value()
    assert re.fullmatch(rf"{re.escape(site.base_url)}/a/{site.org.id}/join/\S+", value)

    link.focus()
    page.keyboard.press("Tab")  # the Copy button is the next tab stop
    copy = page.get_by_role("button", name="Copy link")
    expect(copy).to_be_focused(timeout=DEADLINE)
    page.keyboard.press("Enter")
    expect(page.locator("[data-copy-status]")).to_have_text("Copied to the clipboard.", timeout=DEADLINE)
    assert page.evaluate("navigator.clipboard.readText()") == value

    page.evaluate("navigator.clipboard.writeText('something else')")
    copy.click()  # and by pointer
    expect(page.locator("[data-copy-status]")).to_have_text("Copied to the clipboard.", timeout=DEADLINE)
    assert page.evaluate("navigator.clipboard.readText()") == value


# Confirmations ------------------------------------------------------------------------------------------------


def test_revoking_a_token_asks_first_and_cancelling_keeps_it(console_tab: Tab, site: Site) -> None:
    token_id, name, secret = new_token(site)
    page = console_tab.page
    page.goto(settings(site, "api-tokens"))
    sent = posts(page)
    row = page.locator("tr", has_text=name)
    question = row.get_by_text(f"Revoke the token {name}?")
    expect(question).to_be_hidden()

    row.locator("summary", has_text="Revoke").click()
    expect(question).to_be_visible(timeout=DEADLINE)
    assert sent == []  # asking is not revoking
    row.get_by_role("link", name="Cancel").click()
    expect(question).to_be_hidden(timeout=DEADLINE)
    expect(row.locator("summary")).to_be_focused()
    assert page.url == settings(site, "api-tokens")
    assert sent == []
    assert token_id in active_tokens(site)

    row.locator("summary").press("Enter")  # by keyboard: open, then Escape closes
    expect(question).to_be_visible(timeout=DEADLINE)
    page.keyboard.press("Tab")
    expect(row.get_by_role("button", name=f"Yes, revoke {name}")).to_be_focused()
    page.keyboard.press("Escape")
    expect(question).to_be_hidden(timeout=DEADLINE)
    assert token_id in active_tokens(site)
    assert tokens.authenticate(site.log, secret) is not None

    row.locator("summary").click()
    row.get_by_role("button", name=f"Yes, revoke {name}").click()
    page.wait_for_url(re.compile(r"done=token_revoked"), timeout=DEADLINE)
    assert token_id not in active_tokens(site)
    assert tokens.authenticate(site.log, secret) is None
    expect(page.locator("tr", has_text=name)).to_contain_text("Revoked")


def test_removing_a_teammate_asks_first_and_cancelling_keeps_them(console_tab: Tab, site: Site) -> None:
    teammate_id, name = new_teammate(site)
    page = console_tab.page
    page.goto(settings(site, "teammates"))
    sent = posts(page)
    row = page.locator("tr", has_text=name)
    question = row.get_by_text(f"Remove {name}?")
    expect(question).to_be_hidden()

    row.locator("summary.button", has_text="Remove").click()
    expect(question).to_be_visible(timeout=DEADLINE)
    assert sent == []
    row.get_by_role("link", name="Cancel").click()
    expect(question).to_be_hidden(timeout=DEADLINE)
    assert sent == []
    assert status_of(site, teammate_id) == "active"

    # Only one question at a time: opening another closes this one.
    other = page.locator("tr", has_text="Audrey Auditor")
    row.locator("summary.button").click()
    other.locator("summary.button", has_text="Remove").click()
    expect(other.get_by_text("Remove Audrey Auditor?")).to_be_visible(timeout=DEADLINE)
    expect(question).to_be_hidden(timeout=DEADLINE)
    other.get_by_role("link", name="Cancel").click()

    # Confirmed by keyboard.
    row.locator("summary.button").focus()
    page.keyboard.press("Enter")
    expect(question).to_be_visible(timeout=DEADLINE)
    page.keyboard.press("Tab")
    expect(row.get_by_role("button", name=f"Yes, remove {name}")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"done=removed"), timeout=DEADLINE)
    assert status_of(site, teammate_id) == "deleted"
    assert status_of(site, "tm_auditor") == "active"


def test_without_javascript_the_confirmation_still_asks_and_cancel_goes_back(
    chromium: Any, signed_in_state: str, site: Site
) -> None:
    token_id, name, _ = new_token(site)
    context = chromium.new_context(storage_state=signed_in_state, java_script_enabled=False)
    try:
        page = context.new_page()
        sent = posts(page)
        page.goto(settings(site, "api-tokens"))
        row = page.locator("tr", has_text=name)
        question = row.get_by_text(f"Revoke the token {name}?")
        expect(question).to_be_hidden()
        row.locator("summary", has_text="Revoke").click()  # a <details>: it opens without script
        expect(question).to_be_visible(timeout=DEADLINE)
        row.get_by_role("link", name="Cancel").click()  # a link back to the page
        page.wait_for_load_state()
        expect(page.locator("tr", has_text=name).get_by_text(f"Revoke the token {name}?")).to_be_hidden()
        assert sent == []
        assert token_id in active_tokens(site)

        row = page.locator("tr", has_text=name)
        row.locator("summary").click()
        row.get_by_role("button", name=f"Yes, revoke {name}").click()
        page.wait_for_url(re.compile(r"done=token_revoked"), timeout=DEADLINE)
        assert token_id not in active_tokens(site)

        # Without script there is no Copy button (it could not copy), only the field to copy from.
        page.goto(settings(site, "api-tokens"))
        page.get_by_label("Name").fill("no script")
        page.get_by_role("button", name="Create token").click()
        page.get_by_label("The new API token").wait_for(timeout=DEADLINE)
        expect(page.get_by_role("button", name="Copy token")).to_be_hidden()
    finally:
        context.close()


# The time-zone picker ---------------------------------------------------------------------------------------


def test_the_time_zone_picker_shows_offsets_and_no_aliases(console_tab: Tab, site: Site) -> None:
    page = console_tab.page
    page.goto(settings(site, "workspace"))
    picker = page.get_by_label("Time zone")
    labels = picker.locator("option").all_inner_texts()
    assert any(re.fullmatch(r"Europe/Paris \(UTC\+0[12]:00\)", label) for label in labels), labels[:5]
    assert any(re.fullmatch(r"Asia/Kolkata \(UTC\+05:30\)", label) for label in labels)
    values = picker.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert not {"US/Eastern", "GB", "Etc/GMT+5", "Asia/Calcutta", "Europe/Kiev"} & set(values)
    assert picker.input_value() == "Europe/Dublin"  # the workspace's zone, chosen
    assert re.fullmatch(r"Europe/Dublin \(UTC\+0[01]:00\)", picker.locator("option:checked").inner_text())


# A phone ------------------------------------------------------------------------------------------------------

#: GET routes of the console that answer a piece of a page or an image, not a page to read on a phone.
FRAGMENTS = {
    "/a/{workspace_id}/settings/activity-logs/entries",
    "/a/{workspace_id}/settings/activity-logs/entries/{entry_id}",
    "/a/{workspace_id}/settings/activity-logs/histogram",
    "/a/{workspace_id}/settings/activity-logs/histogram.svg",
}


def console_pages() -> list[str]:
    """Every page route of the console, from its routers: a new page is checked without being listed here."""
    routes: list[Any] = [route for router in ROUTERS for route in router.routes]
    paths = sorted({route.path for route in routes if "GET" in route.methods})
    assert set(paths) >= FRAGMENTS, FRAGMENTS - set(paths)  # the list names routes that exist
    return [path for path in paths if path not in FRAGMENTS]


def test_every_console_page_fits_a_phone(chromium: Any, signed_in_state: str, site: Site) -> None:
    """At 390 px no page of the console scrolls sideways: each page route, signed in and signed out (where it
    sends a visitor to sign in, that page is checked), with a live invitation link and a spent one."""
    context, tab = open_tab(chromium, signed_in_state, width=390, height=844)
    page = tab.page
    try:
        page.goto(settings(site, "teammates"))
        page.get_by_label("Email").fill(f"fits.{secrets.token_hex(3)}@example.test")
        page.get_by_role("button", name="Send invitation").click()
        invite_link = page.locator("input.copy").input_value(timeout=DEADLINE)
        entry = site.log.query(site.org.id, ActivityFilter(), limit=1).entries[0]
        paths = [
            path.format(workspace_id=site.org.id, entry_id=entry.id, token=token)
            for path in console_pages()
            for token in (["no-such-invitation", invite_link.rsplit("/", 1)[1]] if "{token}" in path else [""])
        ]
        assert len(paths) >= 12
        signed_out, visitor = open_tab(chromium, None, width=390, height=844)
        try:
            for browser in (page, visitor.page):
                for path in paths:
                    answer = browser.goto(site.base_url + path)
                    assert answer is not None, path
                    assert answer.status < 500, path
                    width = browser.evaluate("document.documentElement.scrollWidth")
                    assert width <= 390, (path, browser.url, width)
        finally:
            signed_out.close()
        assert unexpected(visitor.errors) == []
    finally:
        context.close()
    assert unexpected(tab.errors) == []


def unexpected(errors: list[str]) -> list[str]:
    """The browser's errors but the 404 the unknown invitation link answers on purpose."""
    return [error for error in errors if not error.endswith("/join/no-such-invitation")]


def test_the_settings_pages_fit_a_phone(chromium: Any, signed_in_state: str, site: Site) -> None:
    new_token(site)
    new_teammate(site)
    context, tab = open_tab(chromium, signed_in_state, width=390, height=844)
    page = tab.page
    try:
        for name in ("workspace", "teammates", "api-tokens"):
            page.goto(settings(site, name))
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
        for name, opener in (("teammates", "Remove"), ("api-tokens", "Revoke")):
            page.goto(settings(site, name))
            page.locator("summary", has_text=opener).last.click()
            page.locator("details[open] .confirm-panel").wait_for(timeout=DEADLINE)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
            box = page.locator("details[open] button.danger").bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= 390, (name, box)
        page.goto(settings(site, "teammates"))
        page.get_by_label("Email").fill(f"phone.{secrets.token_hex(3)}@example.test")
        page.get_by_role("button", name="Send invitation").click()
        page.get_by_role("button", name="Copy link").wait_for(timeout=DEADLINE)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = page.get_by_role("button", name="Copy link").bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= 390
    finally:
        context.close()
    assert tab.errors == []
