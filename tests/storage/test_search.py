"""Full-text search on every backend: words, prefixes, phrases, field terms and metadata values match; nothing
of another workspace ever does; retention removes index rows with their entries; the migration indexes the
entries stored before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from activitylog.domain.filters import ActivityFilter
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.storage.base import Store, Workspace
from activitylog.storage.migrate import upgrade
from activitylog.timeutil import DAY_US
from tests.storage.test_migrations import FIRST_RELEASED, plain_sql
from tests.support import factories
from tests.support.factories import event


def found(log: ActivityLog, ws: Workspace, q: str, **filters: object) -> list[str]:
    """The ids of the entries `q` finds (with `filters`), newest first, checked against count and export."""
    where = ActivityFilter.parse(q=q, **filters)  # type: ignore[arg-type]
    ids = [entry.id for entry in log.query(ws.id, where, limit=100).entries]
    assert log.count(ws.id, where) == len(ids)
    assert [row[0] for rows in log.export_rows(ws, where) for row in rows] == ids
    return ids


@pytest.fixture
def entries(log: ActivityLog, ws: Workspace) -> dict[str, str]:
    """A few entries of `ws` by name, oldest first."""
    made = {
        "rename": event(
            "app_name_change",
            actor_id="tm_beth",
            name="Beth-Ann Sher",
            email="beth@acme.test",
            ip="203.0.113.9",
            metadata={"before": "Acme", "after": "Tomás Inc."},
        ),
        "failure": event(
            "admin_login_failure",
            actor_id="tm_sam",
            name="Samuel Adeyemi",
            email="sam@acme.test",
            ip="198.51.100.7",
        ),
        "security": event(
            "security_settings_change",
            actor_id="tm_ciaran",
            name="Ciaran Lee",
            email="ciaran@acme.test",
            ip="203.0.113.200",
        ),
        "logout": event("admin_logout", actor_id="tm_beth", name="Beth-Ann Sher", ip="2001:db8::1"),
    }
    ids = {}
    for n, (name, data) in enumerate(made.items()):
        data["occurred_at"] = (datetime.now(UTC) - timedelta(hours=10 - n)).isoformat()
        ids[name] = log.record_one(ws.id, data)
    return ids


def test_words_match_as_prefixes_case_and_accents_folded(log: ActivityLog, ws: Workspace, entries) -> None:
    assert found(log, ws, "tomas") == [entries["rename"]]
    assert found(log, ws, "TOMÁS inc") == [entries["rename"]]
    assert found(log, ws, "tom") == [entries["rename"]]  # a prefix
    assert found(log, ws, "omas") == []  # not inside a word
    assert set(found(log, ws, "beth")) == {entries["rename"], entries["logout"]}
    assert found(log, ws, "beth tomas") == [entries["rename"]]  # every word must match
    assert found(log, ws, "nothingmatchesthis") == []


def test_phrases_match_whole_words_in_order(log: ActivityLog, ws: Workspace, entries) -> None:
    sentence = log.get_entry(ws.id, entries["security"]).sentence().lower()
    assert "the session timeout from 1 day" in sentence
    assert found(log, ws, '"session timeout"') == [entries["security"]]
    assert found(log, ws, '"the session timeout from 1 day"') == [entries["security"]]
    assert found(log, ws, '"timeout session"') == []
    assert found(log, ws, '"sessio timeout"') == []  # a phrase's words are whole
    assert found(log, ws, "sessio timeo") == [entries["security"]]  # free words are prefixes
    assert found(log, ws, '"acme to tomas"') == [entries["rename"]]


def test_names_emails_ips_and_metadata_values_are_searched(log: ActivityLog, ws: Workspace, entries) -> None:
    assert found(log, ws, "sam@acme.test") == [entries["failure"]]
    assert found(log, ws, "adeyemi") == [entries["failure"]]
    assert found(log, ws, "198.51.100.7") == [entries["failure"]]
    assert found(log, ws, "2001:db8::1") == [entries["logout"]]
    assert found(log, ws, "ciaran@acme.test") == [entries["security"]]


def test_field_terms_narrow_and_combine_with_the_filters(log: ActivityLog, ws: Workspace, entries) -> None:
    assert set(found(log, ws, "actor:beth")) == {entries["rename"], entries["logout"]}
    assert found(log, ws, "actor:sher type:admin_logout") == [entries["logout"]]
    assert found(log, ws, "actor:ciaran") == [entries["security"]]
    assert found(log, ws, "actor:settings") == []  # `actor:` looks at the teammate, not the sentence
    assert found(log, ws, "ip:203.0.113.0/24 beth") == [entries["rename"]]
    assert found(log, ws, "ip:203.0.113.0/24") == [entries["security"], entries["rename"]]
    assert found(log, ws, "type:admin_login_failure") == [entries["failure"]]
    # ANDed with the filter's own fields: a type outside them matches nothing.
    assert found(log, ws, "type:admin_login_failure", types=["admin_logout"]) == []
    assert found(log, ws, "beth", types=["admin_logout"]) == [entries["logout"]]
    assert found(log, ws, "beth", teammates=["tm_sam"]) == []


def test_a_search_never_matches_another_workspace_s_entries(log: ActivityLog, store: Store, ws: Workspace) -> None:
    other = factories.workspace(store, name="Other")
    log.record_one(
        other.id, event(name="Zebedee Quokka", email="zed@other.test", metadata={"before": "A", "after": "Quokka Ltd"})
    )
    mine = log.record_one(ws.id, event(name="Beth-Ann Sher"))
    assert found(log, ws, "quokka") == []
    assert found(log, ws, "actor:zebedee") == []
    assert len(found(log, other, "quokka")) == 1
    assert found(log, other, "actor:beth") == []
    assert found(log, ws, "beth") == [mine]
    since = log.clock() - DAY_US
    where = ActivityFilter.parse(q="quokka", since=datetime.fromtimestamp(since / 1e6, UTC))
    assert sum(count for _, count in log.count_by_day(ws, where)) == 0
    assert sum(count for _, count in log.count_by_day(other, where)) == 1


def test_the_histogram_counts_what_the_search_finds(log: ActivityLog, ws: Workspace, entries) -> None:
    since = datetime.now(UTC) - timedelta(days=3)
    where = ActivityFilter.parse(q="beth", since=since)
    assert sum(count for _, count in log.count_by_day(ws, where)) == 2
    where = ActivityFilter.parse(q="beth", since=since, types=["admin_logout"])
    assert sum(count for _, count in log.count_by_day(ws, where)) == 1


def test_many_matches_take_the_timeline_plan_and_find_the_same(log: ActivityLog, store: Store, ws, monkeypatch) -> None:
    """Past DENSE_SEARCH matches SQLite walks the timeline checking each entry; the answer is the same."""
    import activitylog.storage.sqlite.store as sqlite_store

    start = datetime.now(UTC) - timedelta(hours=5)
    log.record(
        ws.id,
        [
            event(name="Beth-Ann Sher" if n % 3 else "Mei Chen", occurred_at=(start + timedelta(minutes=n)).isoformat())
            for n in range(30)
        ],
    )
    sparse = found(log, ws, "mei")
    monkeypatch.setattr(sqlite_store, "DENSE_SEARCH", 2)
    if hasattr(store, "_search_density"):
        store._search_density.clear()
    assert found(log, ws, "mei") == sparse
    assert len(sparse) == 10
    page = log.query(ws.id, ActivityFilter.parse(q="mei"), limit=4)
    assert [e.id for e in page.entries] == sparse[:4]
    rest = log.query(ws.id, ActivityFilter.parse(q="mei"), limit=100, cursor=page.next_cursor.encode())
    assert [e.id for e in rest.entries] == sparse[4:]


def search_rows(store: Store, ws: Workspace) -> int:
    if hasattr(store, "path"):  # SQLite's FTS5 table has no workspace: its rows are the entries' rowids
        return int(
            store.read(
                "SELECT count(*) FROM activity_search "
                "WHERE rowid IN (SELECT seq FROM activities WHERE workspace_id = ?)",
                (ws.id,),
            )[0][0]
        ) + int(
            store.read("SELECT count(*) FROM activity_search WHERE rowid NOT IN (SELECT seq FROM activities)")[0][0]
        )
    return int(store.read("SELECT count(*) FROM activity_search WHERE workspace_id = ?", (ws.id,))[0][0])


def test_each_entry_has_one_index_row_and_the_purge_removes_it(log: ActivityLog, store: Store, ws, monkeypatch) -> None:
    import activitylog.storage.postgres.purge as postgres_purge
    import activitylog.storage.sqlite.store as sqlite_store

    monkeypatch.setattr(sqlite_store, "PURGE_BATCH", 3)
    monkeypatch.setattr(postgres_purge, "DELETE_BATCH", 3)
    other = factories.workspace(store, name="Other")
    old = [event(name="Old Quokka", occurred_at=(datetime.now(UTC) - timedelta(days=50, hours=n)).isoformat())
           for n in range(7)]  # fmt: skip
    log.record(ws.id, [*old, event(name="New Quokka")])
    log.record(other.id, old)
    assert search_rows(store, ws) == 8
    store.purge(ws.id, log.clock() - 40 * DAY_US)
    assert search_rows(store, ws) == 1
    assert search_rows(store, other) == 7  # another workspace's rows stay
    [kept] = log.query(ws.id, ActivityFilter.parse(q="quokka")).entries
    assert kept.actor.name == "New Quokka"
    assert len(log.query(other.id, ActivityFilter.parse(q="old quokka")).entries) == 7


def test_a_batch_refused_writes_no_index_row(log: ActivityLog, store: Store, ws: Workspace) -> None:
    from activitylog.errors import InvalidInput

    with pytest.raises(InvalidInput):
        log.record(ws.id, [event(name="Zed Quokka"), event(type="no_such_type")])
    assert search_rows(store, ws) == 0
    assert found(log, ws, "quokka") == []


@pytest.fixture(params=["sqlite", "postgres"])
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return str(request.getfixturevalue("empty_postgres_url"))


def test_the_migration_indexes_the_entries_stored_before_it(old_url: str) -> None:
    upgrade(old_url, FIRST_RELEASED)
    run = plain_sql(old_url)
    if not old_url.startswith("sqlite:"):
        run(
            "CREATE TABLE activities_p2025_01 PARTITION OF activities "
            "FOR VALUES FROM (1735689600000000) TO (1738368000000000)"
        )
    for ws in ("ws_old", "ws_two"):
        run(
            "INSERT INTO workspaces (id, name, timezone, retention_days, created_us) "
            f"VALUES ('{ws}', 'Old', 'UTC', 3650, 1)"
        )
    for n, (ws, name, after) in enumerate(
        [("ws_old", "Beth-Ann Sher", "Tomás Inc."), ("ws_two", "Zebedee Quokka", "Other"), ("ws_old", "Sam", "B")]
    ):
        run(
            "INSERT INTO activities (workspace_id, id, type, actor_type, actor_id, actor_name, occurred_us, "
            f"recorded_us, ip, metadata) VALUES ('{ws}', '01JGZ00000000000000000000{n}', 'app_name_change', "
            f"'teammate', 'tm{n}', '{name}', {1736000000000000 + n}, 1736000000000001, '203.0.113.{n}', "
            f"""'{{"before": "Acme", "after": "{after}"}}')"""
        )
    store = open_store(old_url)  # upgrades to head, the search migration among the rest
    try:
        log = ActivityLog(store)
        old = log.workspace("ws_old")
        assert [e.actor.name for e in log.query(old.id, ActivityFilter.parse(q="tomas")).entries] == ["Beth-Ann Sher"]
        assert [e.actor.name for e in log.query(old.id, ActivityFilter.parse(q='"acme to b"')).entries] == ["Sam"]
        assert log.query(old.id, ActivityFilter.parse(q="quokka")).entries == []
        assert len(log.query("ws_two", ActivityFilter.parse(q="actor:quokka")).entries) == 1
        # Entries recorded after the migration are found too, next to the old ones.
        log.record_one(old.id, event(name="Tomás Ruiz"))
        assert len(log.query(old.id, ActivityFilter.parse(q="tomas")).entries) == 2
    finally:
        store.close()


def test_a_page_from_the_newest_matches_is_checked_against_older_rowids(
    log: ActivityLog, store: Store, ws, monkeypatch
) -> None:
    """SQLite looks for a dense search's page among the matches recorded last; an entry recorded earlier but
    more recent in time (a backfill the other way round) is not missed: the check sends the query to the full
    plan."""
    import activitylog.storage.sqlite.store as sqlite_store

    monkeypatch.setattr(sqlite_store, "DENSE_SEARCH", 2)
    monkeypatch.setattr(sqlite_store, "NEWEST_MATCHES", 3)
    now = datetime.now(UTC)
    first = log.record_one(ws.id, event(name="Mei Chen", occurred_at=(now - timedelta(minutes=1)).isoformat()))
    later = [
        log.record_one(ws.id, event(name="Mei Chen", occurred_at=(now - timedelta(hours=5, minutes=n)).isoformat()))
        for n in range(8)
    ]
    where = ActivityFilter.parse(q="mei")
    page = log.query(ws.id, where, limit=3)
    assert [e.id for e in page.entries] == [first, *later[:2]]
    rest = log.query(ws.id, where, limit=3, cursor=page.next_cursor.encode())
    assert [e.id for e in rest.entries] == later[2:5]
    # In recording order (the usual case) the newest matches are the page, found without the full plan.
    other = factories.workspace(store, name="Ordered")
    ordered = [
        log.record_one(other.id, event(name="Mei Chen", occurred_at=(now - timedelta(hours=9 - n)).isoformat()))
        for n in range(8)
    ]
    assert [e.id for e in log.query(other.id, where, limit=3).entries] == ordered[::-1][:3]
    everything = [e.id for e in log.iter_entries(other.id, where)]
    assert everything == ordered[::-1]


@pytest.mark.parametrize("dense", [True, False])
def test_pages_of_a_search_span_days_months_and_years_in_order(
    log: ActivityLog, ws: Workspace, monkeypatch: pytest.MonkeyPatch, dense: bool
) -> None:
    """PostgreSQL looks for a dense search's page in the last day, then 2, 4, ... 512 days, then everything
    (here every search is dense), and reads a sparse one's keys first: entries
    in each stretch, and one timed a little in the future, come in order, page after page, none twice or missed."""
    now = datetime.now(UTC)
    ages = [timedelta(minutes=-4), timedelta(hours=2), timedelta(days=3), timedelta(days=30), timedelta(days=100),
            timedelta(days=300), timedelta(days=340)]  # fmt: skip
    import activitylog.storage.postgres.store as postgres_store

    monkeypatch.setattr(postgres_store, "DENSE_SEARCH", 1 if dense else 10_000)
    ws_long = log.workspace(ws.id)
    log.store.set_retention(ws.id, 3650)
    made = [log.record_one(ws_long.id, event(name="Mei Chen", occurred_at=(now - age).isoformat())) for age in ages]
    log.record_one(ws.id, event(name="Beth-Ann Sher"))
    where = ActivityFilter.parse(q="mei")
    seen: list[str] = []
    cursor = None
    while True:
        page = log.query(ws.id, where, limit=2, cursor=cursor)
        seen += [e.id for e in page.entries]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor.encode()
    assert seen == made
    assert [e.id for e in log.query(ws.id, where, limit=50).entries] == made
    bounded = ActivityFilter.parse(q="mei", since=(now - timedelta(days=50)).isoformat())
    assert [e.id for e in log.query(ws.id, bounded, limit=50).entries] == made[:4]
