"""The demo workspace: every activity type, a realistic shape, the same demo for the same seed, and a command
scripts can rely on. One small demo is built per module and read by most tests, to keep the file fast."""

from __future__ import annotations

import importlib
import ipaddress
import json
import re
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from click.testing import CliRunner

from activitylog import tokens
from activitylog.accounts import passwords
from activitylog.accounts.signin import token_hash
from activitylog.catalog import REGISTRY
from activitylog.catalog.security import security_settings
from activitylog.cli import main
from activitylog.demo import ADMIN, WORKSPACE_ID, create_demo, generate
from activitylog.domain import channel
from activitylog.domain.accounts import (
    AUTHENTICATOR_SIGN_IN,
    LOGGED_SIGN_IN_METHODS,
    PASSWORD_SIGN_IN,
    SIGN_IN_METHODS,
)
from activitylog.domain.entry import Entry
from activitylog.domain.filters import ActivityFilter
from activitylog.domain.permissions import SETTINGS, TEAMMATES
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.accounts import invites, member_by_email
from activitylog.storage.base import StoreReader, Teammate
from activitylog.timeutil import DAY_US, MICROS, from_us, now_us
from tests.support.servers import start_server, stop_server

EVENTS = 1500
SEED = 7
NOW = now_us()  # one "now" for the whole module, so two demos built here can be compared
TEN_MINUTES = 10 * 60 * MICROS
DUBLIN = ZoneInfo("Europe/Dublin")


@dataclass
class Demo:
    url: str
    entries: list[Entry]  # oldest first
    teammates: dict[str, Teammate]


def load(url: str) -> tuple[list[Entry], dict[str, Teammate]]:
    store = open_store(url)
    try:
        log = ActivityLog(store)
        entries = list(reversed(list(log.iter_entries(WORKSPACE_ID, ActivityFilter()))))
        return entries, {t.id: t for t in log.teammates(WORKSPACE_ID)}
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    store = open_store(url)
    try:
        result = create_demo(ActivityLog(store), events=EVENTS, seed=SEED, now_us=NOW)
    finally:
        store.close()
    assert result.entries == EVENTS
    return Demo(url, *load(url))


def within(entries: list[Entry], span_us: int) -> int:
    """The most entries of `entries` (oldest first) that fall within any window of `span_us`."""
    most, start = 0, 0
    for end, entry in enumerate(entries):
        while entry.occurred_us - entries[start].occurred_us > span_us:
            start += 1
        most = max(most, end - start + 1)
    return most


# Content -----------------------------------------------------------------------------------------------


def test_each_entry_arrives_the_way_its_actor_would_send_it(demo: Demo) -> None:
    """Issue 17: a teammate's entries through the console, a token's through the API as that token, the
    product's own as the system."""
    expected = {"teammate": "console", "system": "system"}
    for entry in demo.entries:
        if entry.actor.type == "api_token":
            assert entry.via == f"api:{entry.actor.id}", entry
        else:
            assert entry.via == expected[entry.actor.type], entry
    assert {e.via for e in demo.entries if e.actor.type == "api_token"} > {"api:tok_5f2c9a"}


def test_every_catalog_type_appears_and_every_sentence_renders(demo: Demo) -> None:
    assert len(demo.entries) == EVENTS
    assert {e.type for e in demo.entries} == set(REGISTRY.codes())
    # A sentence falls back to 'performed “Label”' when the metadata lacks what its template needs.
    fallbacks = [e.type for e in demo.entries if "performed “" in e.sentence()]
    assert fallbacks == []


def test_entries_lie_within_the_last_year(demo: Demo) -> None:
    assert demo.entries[0].occurred_us >= NOW - 364 * DAY_US
    assert demo.entries[-1].occurred_us <= NOW
    assert demo.entries[-1].occurred_us - demo.entries[0].occurred_us > 350 * DAY_US  # the whole year


def test_logins_are_the_most_common_and_cluster_in_dublin_working_hours(demo: Demo) -> None:
    assert Counter(e.type for e in demo.entries).most_common(1)[0][0] == "admin_login_success"
    logins = [from_us(e.occurred_us).astimezone(DUBLIN) for e in demo.entries if e.type == "admin_login_success"]
    working = [t for t in logins if t.weekday() < 5 and 8 * 60 <= t.hour * 60 + t.minute < 18 * 60 + 30]
    assert len(working) >= 0.85 * len(logins)


def test_teammates_use_a_few_ips_of_both_families_and_one_user_agent(demo: Demo) -> None:
    ips: dict[str, Counter[str]] = defaultdict(Counter)
    agents: dict[str, set[str | None]] = defaultdict(set)
    for entry in demo.entries:
        if entry.actor.type == "teammate" and entry.ip != "198.51.100.77":  # the failed-login streak's address
            assert entry.actor.id is not None
            assert entry.ip is not None
            ips[entry.actor.id][entry.ip] += 1
            agents[entry.actor.id].add(entry.user_agent)
    assert all(1 <= len(used) <= 3 for used in ips.values())
    assert all(len(used) == 1 for used in agents.values())
    versions = {ipaddress.ip_address(ip).version for used in ips.values() for ip in used}
    assert versions == {4, 6}
    assert all(used.most_common(1)[0][1] > 1 for used in ips.values())  # addresses repeat


def test_api_tokens_and_the_system_act_a_little(demo: Demo) -> None:
    actors = Counter(e.actor.type for e in demo.entries)
    assert actors["api_token"] > 0
    assert actors["system"] > 0
    assert actors["api_token"] + actors["system"] < 0.1 * EVENTS
    assert any(e.type == "data_export_run" and e.actor.type == "api_token" for e in demo.entries)


# The console -------------------------------------------------------------------------------------------

SIGNING_IN = ("admin_login_success", "admin_login_failure", "admin_unauthorized_sign_in_method")
_SELECTED = re.compile(r'<option value="(\d+)" selected>')
_CHECKED = re.compile(r'name="(require_two_factor|sign_in_methods)" value="(\w+)"[^>]* checked')
_KEPT = re.compile(r"Activity is kept for <strong>(\d+) days</strong>")


def security_page(demo: Demo, folder: Path) -> str:
    """Settings > Security of the demo as its admin sees it, served by `activitylog serve` over the demo's
    database (a session written as a sign-in writes it, without the entry)."""
    session = secrets.token_urlsafe(32)
    store = open_store(demo.url, migrate=False)
    try:
        with store.transaction(WORKSPACE_ID) as tx:
            tx.execute(
                "INSERT INTO sessions (token_hash, workspace_id, teammate_id, csrf_token, stage, created_us, "
                "last_seen_us) VALUES (?, ?, ?, ?, 'complete', ?, ?)",
                (token_hash(session), WORKSPACE_ID, ADMIN.id, secrets.token_urlsafe(32), now_us(), now_us()),
            )
    finally:
        store.close()
    env = (("ACTIVITYLOG_RETENTION_INTERVAL_HOURS", "0"), ("ACTIVITYLOG_COOKIE_SECURE", "false"))
    process, base_url = start_server(demo.url, folder / "server.log", *env)
    try:
        page = httpx.get(f"{base_url}/a/{WORKSPACE_ID}/settings/security", cookies={"al_session": session}, timeout=30)
    finally:
        stop_server(process)
    assert page.status_code == 200, page.text
    return page.text


def last_after(demo: Demo, code: str) -> dict[str, object]:
    newest = [e for e in demo.entries if e.type == code][-1]
    after: dict[str, object] = newest.metadata["after"]
    return after


def test_the_history_ends_in_the_state_the_security_page_shows(demo: Demo, tmp_path: Path) -> None:
    """Issue 17 bug 5: the last security change said two-factor required and a 4 h timeout while Security
    showed 1 h and not required. The newest change of each setting is what the page shows."""
    page = security_page(demo, tmp_path)
    [timeout] = _SELECTED.findall(page)
    checked = _CHECKED.findall(page)
    shown = security_settings(
        session_timeout_minutes=int(timeout), require_two_factor=("require_two_factor", "1") in checked
    )
    assert last_after(demo, "security_settings_change") == shown
    allowed = {value for name, value in checked if name == "sign_in_methods"}
    assert last_after(demo, "app_authentication_method_change") == {m: m in allowed for m in SIGN_IN_METHODS}
    assert last_after(demo, "app_data_retention_change") == {"retention_days": int(_KEPT.findall(page)[0])}


def test_sign_ins_use_only_the_ways_in_the_console_offers(demo: Demo) -> None:
    """Issue 17 bug 5: the log was full of SAML and Google sign-ins the console cannot configure."""
    used = Counter(e.metadata["sign_in_method"] for e in demo.entries if e.type in SIGNING_IN)
    assert set(used) <= set(LOGGED_SIGN_IN_METHODS), used
    assert used[PASSWORD_SIGN_IN] > 0
    assert used[AUTHENTICATOR_SIGN_IN] > 0
    for entry in demo.entries:
        if entry.type == "app_authentication_method_change":
            assert set(entry.metadata["before"]) == set(entry.metadata["after"]) == set(SIGN_IN_METHODS)
    # Sessions end as the console ends them.
    reasons = {e.metadata["reason"] for e in demo.entries if e.type == "admin_logout"}
    assert reasons == {"signed out from the web app", "session timed out after inactivity"}


# People ------------------------------------------------------------------------------------------------


def test_the_directory_has_roles_an_admin_a_pending_invitation_and_a_deleted_teammate(demo: Demo) -> None:
    teammates = demo.teammates
    assert 10 <= len(teammates) <= 15
    admin = teammates[ADMIN.id]
    assert (admin.name, admin.email, admin.role) == ("Beth-Ann Sher", "beth-ann@acme.test", "Admin")
    assert {"Admin", "Support", "Support lead"} <= {t.role for t in teammates.values()}
    statuses = Counter(t.status for t in teammates.values())
    assert statuses["deleted"] >= 1
    assert statuses["invited"] == 0  # an invited person is an invitation until they join, as in the console


def test_the_invited_person_is_a_pending_invitation_the_console_can_manage(demo: Demo) -> None:
    """Issue 17 bug 8: Mei Chen showed as Invited but not under Pending invitations, so nobody could cancel or
    change her invitation. It is the invitation of the story's last `admin_invite_creation` for her."""
    store = open_store(demo.url)
    try:
        pending = invites(StoreReader(store), WORKSPACE_ID)
    finally:
        store.close()
    [mei] = pending
    made = [
        e for e in demo.entries if e.type == "admin_invite_creation" and e.metadata["invitee"]["email"] == mei.email
    ]
    assert mei.email == "mei.chen@acme.test"
    assert (mei.created_us, mei.invited_by) == (made[-1].occurred_us, made[-1].actor.id)
    assert mei.role_id is not None
    assert mei.email not in {t.email for t in demo.teammates.values()}
    assert not any(e.actor.email == mei.email for e in demo.entries)


def test_a_deleted_teammate_keeps_their_name_on_entries_from_before_their_removal(demo: Demo) -> None:
    removal = next(e for e in demo.entries if e.type == "admin_deletion")
    removed = demo.teammates[removal.metadata["admin"]["id"]]
    assert removed.deleted
    theirs = [e for e in demo.entries if e.actor.id == removed.id]
    assert theirs
    assert all(e.actor.name == removed.name for e in theirs)
    assert max(e.occurred_us for e in theirs) < removal.occurred_us
    assert removal.occurred_us < NOW - 30 * DAY_US  # partway through the year


# Bursts ------------------------------------------------------------------------------------------------


def test_a_failed_login_streak_comes_from_one_unfamiliar_ip(demo: Demo) -> None:
    failures: dict[str | None, list[Entry]] = defaultdict(list)
    for entry in demo.entries:
        if entry.type == "admin_login_failure":
            failures[entry.ip].append(entry)
    ip, streak = max(failures.items(), key=lambda item: within(item[1], TEN_MINUTES))
    assert within(streak, TEN_MINUTES) >= 10
    assert not any(e.ip == ip for e in demo.entries if e.type == "admin_login_success")
    assert "wrong password" in {e.metadata["reason"] for e in streak}


def test_one_admin_changes_many_permissions_within_minutes(demo: Demo) -> None:
    changes: dict[str | None, list[Entry]] = defaultdict(list)
    for entry in demo.entries:
        if entry.type == "admin_permission_change":
            changes[entry.actor.id].append(entry)
    assert max(within(entries, TEN_MINUTES) for entries in changes.values()) >= 5


# Determinism -------------------------------------------------------------------------------------------


def _content(entries: list[Entry]) -> list[tuple[object, ...]]:
    return [(e.id, e.type, e.actor, e.occurred_us, e.ip, e.user_agent, e.metadata) for e in entries]


def test_the_same_seed_gives_the_same_demo_and_another_seed_another(demo: Demo) -> None:
    def drafts(seed: int) -> list[tuple[object, ...]]:
        return [(d.code, d.actor.actor(), d.us, d.ip, d.metadata) for d in generate(**kwargs, seed=seed)]

    kwargs = {"events": 600, "now_us": NOW, "window_days": 364}
    assert drafts(SEED) == drafts(SEED)
    assert drafts(SEED) != drafts(SEED + 1)


def test_the_command_builds_the_same_demo_as_the_module(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `activitylog.cli.demo` the attribute is the command; the module is reached through importlib.
    monkeypatch.setattr(importlib.import_module("activitylog.cli.demo"), "now_us", lambda: NOW)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ["--database-url", url, "demo", "--events", str(EVENTS), "--seed", str(SEED), "--json"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    entries, teammates = load(url)
    # The command also issues the demo's API token, which the log records as the system's doing.
    entries = [e for e in entries if not (e.type == "api_token_creation" and e.actor.type == "system")]
    assert _content(entries) == _content(demo.entries)  # same ids, types, metadata, IPs and times
    assert teammates == demo.teammates


# The command -------------------------------------------------------------------------------------------


def test_json_output_and_second_runs(sqlite_url: str) -> None:
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, ["--database-url", sqlite_url, "demo", "--events", "500", *args])
        return result.exit_code, result.output

    code, output = run("--json")
    assert code == 0, output
    created = json.loads(output)
    assert created["workspace_id"] == "ws_acme"
    assert created["workspace_name"] == "Acme"
    assert created["database_url"] == sqlite_url
    assert created["entries"] == 500
    admin = created["admin"]
    assert {k: admin[k] for k in ("id", "name", "email")} == {
        "id": ADMIN.id,
        "name": "Beth-Ann Sher",
        "email": "beth-ann@acme.test",
    }
    # The printed sign-ins: the admin has both permissions, the other teammate lacks the log's.
    assert admin["permissions"] == [SETTINGS, TEAMMATES]
    assert len(admin["password"]) >= 12
    other = created["without_log_permission"]
    assert SETTINGS not in other["permissions"]
    assert created["sign_in_path"] == "/a/ws_acme/sign-in"
    assert len(created["teammates"]) >= 10
    assert created["created"] is True
    assert created["api_token"].startswith("al_")
    assert created["api_token_scopes"] == ["read", "write"]

    code, output = run()
    assert code == 1
    assert "already exists" in output
    assert "--if-empty" in output

    code, output = run("--if-empty")
    assert code == 0
    assert "nothing to create" in output
    assert "API token (read, write; shown once): al_" in output
    code, output = run("--if-empty", "--json")
    again = json.loads(output)
    assert code == 0
    assert again["created"] is False
    # Passwords are new on every run (only hashes are kept); the new one is the one that works.
    assert again["admin"]["password"] != admin["password"]
    store = open_store(sqlite_url, migrate=False)
    try:
        found = member_by_email(StoreReader(store), "ws_acme", again["admin"]["email"])
        assert found is not None
        assert passwords.verify(found.password_hash, again["admin"]["password"])
        assert not passwords.verify(found.password_hash, admin["password"])
    finally:
        store.close()
    assert again["api_token"] != created["api_token"]  # secrets are not stored: each run issues a new one
    # The demo, the two tokens issued since and the revocation of the one each replaced, each logged (counted
    # before this run's own revocation).
    assert again["entries"] == 503


def test_the_summary_names_the_workspace_and_too_small_a_demo_is_refused(sqlite_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--database-url", sqlite_url, "demo", "--events", "500"])
    assert result.exit_code == 0, result.output
    assert "ws_acme" in result.output
    assert "500 entries" in result.output
    assert "Beth-Ann Sher" in result.output
    small = runner.invoke(main, ["--database-url", sqlite_url + "2", "demo", "--events", "10"])
    assert small.exit_code == 2
    assert "--events" in small.output


def test_the_story_s_api_tokens_are_the_console_s(demo: Demo) -> None:
    """Settings > API tokens lists the tokens the history creates and acts as, revoked where it revokes them, so
    their entries name them ("via API · SIEM export", not an unknown token's id)."""
    store = open_store(demo.url, migrate=False)
    try:
        log = ActivityLog(store)
        stored = {t.id: t for t in tokens.list_tokens(log, WORKSPACE_ID)}
        names = tokens.token_names(log, WORKSPACE_ID)
    finally:
        store.close()
    created = {e.metadata["token"]["id"]: e for e in demo.entries if e.type == "api_token_creation"}
    revoked = {e.metadata["token"]["id"]: e for e in demo.entries if e.type == "api_token_revocation"}
    acting = {e.actor.id for e in demo.entries if e.actor.type == "api_token"}
    assert set(stored) == set(created) | set(revoked) | acting
    for token_id, entry in created.items():
        assert stored[token_id].name == entry.metadata["token"]["name"]
        assert stored[token_id].created_us == entry.occurred_us
    for token_id, entry in revoked.items():
        assert stored[token_id].revoked_us == entry.occurred_us
    assert {t.revoked_us is None for t in stored.values()} == {True, False}  # some active, one revoked
    siem = next(e for e in demo.entries if e.via == "api:tok_5f2c9a")
    assert channel.label(siem.via, names) == "via API · SIEM export"
