"""The search language, parsed once for every surface: what each term means, and every mistake named `q`."""

from __future__ import annotations

import pytest

from activitylog.domain import search
from activitylog.domain.entry import Actor
from activitylog.domain.filters import ActivityFilter, FieldNames
from activitylog.domain.search import MAX_QUERY, MAX_TERMS, Phrase, document, fold, parse_search, words
from activitylog.errors import FieldError, InvalidInput


def parsed(text: str):
    errors: list[FieldError] = []
    search = parse_search(text, "q", errors)
    assert errors == [], errors
    assert search is not None
    return search


def refused(text: str) -> list[str]:
    """The messages `text` is refused with; each names the field `q`."""
    with pytest.raises(InvalidInput) as caught:
        ActivityFilter.parse(q=text)
    assert {problem.field for problem in caught.value.errors} == {"q"}
    return [problem.message for problem in caught.value.errors]


def test_the_issue_example_parses_into_field_terms_and_a_phrase() -> None:
    search = parsed('actor:beth type:admin_login_failure ip:203.0.113.0/24 "security settings"')
    assert search.phrases == (Phrase(("beth",), prefix=True, column="actor"), Phrase(("security", "settings"), False))
    assert search.types == ("admin_login_failure",)
    assert search.ip is not None
    assert search.ip.text == "203.0.113.0/24"
    assert search.text == 'actor:beth type:admin_login_failure ip:203.0.113.0/24 "security settings"'


def test_free_words_are_prefixes_folded_and_split_as_the_index_splits_them() -> None:
    search = parsed("  Tomás  beth@Acme.TEST 203.0.113.9 ")
    assert search.phrases == (
        Phrase(("tomas",)),
        Phrase(("beth", "acme", "test")),
        Phrase(("203", "0", "113", "9")),
    )
    assert search.text == "Tomás  beth@Acme.TEST 203.0.113.9"
    assert fold("ÉCOLE Straße") == "ecole strasse"
    assert words("tm_beth-ann") == ["tm", "beth", "ann"]


def test_teammate_is_actor_and_quoted_field_values_are_phrases() -> None:
    assert parsed('teammate:"Beth-Ann Sher"').phrases == (Phrase(("beth", "ann", "sher"), False, "actor"),)
    assert parsed("ACTOR:sam").phrases == (Phrase(("sam",), True, "actor"),)
    assert parsed("type:app_name_change type:admin_logout type:app_name_change").types == (
        "app_name_change",
        "admin_logout",
    )


def test_punctuation_and_colons_inside_words_are_not_fields() -> None:
    assert parsed("10:30 !!! ok").phrases == (Phrase(("10", "30")), Phrase(("ok",)))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('"security settings', "quote is not closed"),
        ('"', "quote is not closed"),
        ("colour:red", "unknown field 'colour'"),
        ("type:nonsense", "unknown activity type 'nonsense'"),
        ("type:", "type: needs a value"),
        ("actor: beth", "actor: needs a value"),
        ('actor:""', "actor: needs a value"),
        ("ip:300.1.1.1", "is not an IP address or CIDR block"),
        ("ip:203.0.113.1 ip:203.0.113.2", "one ip: term at most"),
        ("!!! ...", "has no words to search for"),
        (" ".join(["w"] * (MAX_TERMS + 1)), f"at most {MAX_TERMS}"),
        ("x" * (MAX_QUERY + 1), f"at most {MAX_QUERY} characters"),
    ],
)
def test_bad_syntax_is_refused_naming_q_and_the_reason(text: str, reason: str) -> None:
    messages = refused(text)
    assert any(reason in message for message in messages), messages


def test_every_problem_is_reported_at_once_and_a_surface_may_rename_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        ActivityFilter.parse(q="type:nope colour:red", ip="nope", names=FieldNames(search="search"))
    fields = [problem.field for problem in caught.value.errors]
    assert fields.count("search") == 2
    assert "ip" in fields


def test_blank_is_no_search_and_the_filter_round_trips_and_says_it() -> None:
    assert ActivityFilter.parse(q="   ").search is None
    where = ActivityFilter.parse(types=["admin_logout"], q='actor:beth "signed out"')
    assert ActivityFilter.from_dict(where.as_dict()) == where
    assert where.describe().endswith('search "actor:beth "signed out""')


def test_an_entry_is_found_by_its_sentence_people_ip_and_metadata_values() -> None:
    actor = Actor("teammate", "tm_beth", "Beth-Ann Sher", "beth@acme.test")
    who, body = document("app_name_change", actor, "203.0.113.9", {"before": "Acme", "after": "Tomás Inc."})
    assert who == "beth ann sher beth acme test tm beth"
    assert body.startswith("beth ann sher changed the workspace name from acme to tomas inc")
    assert "203 0 113 9" in body
    _, nested = document(
        "app_name_change", actor, None, {"before": "A", "after": "B", "deep": {"list": ["Quokka", 42]}}
    )
    assert nested.endswith("quokka 42")
    _, keys = document("app_name_change", actor, None, {"before": "A", "after": "B", "secretkeyname": "v"})
    assert "secretkeyname" not in keys  # values, not keys


def test_a_document_is_made_once_for_identical_entries_and_again_for_any_difference() -> None:
    from activitylog.domain.prepared import Prepared, entry_row

    def prepared(name: str, after: str) -> Prepared:
        metadata = {"before": "Acme", "after": after}
        import json

        row = entry_row("ws", "id1", "app_name_change", "teammate", "tm1", name, None, 1, 1, "203.0.113.9", None,
                        None, json.dumps(metadata), None, None, "console")  # fmt: skip
        return Prepared(row, metadata)

    first = search.document_of(prepared("Beth", "Quokka Inc"))
    assert search.document_of(prepared("Beth", "Quokka Inc")) is first  # reused
    assert "wombat" in search.document_of(prepared("Beth", "Wombat Inc"))[1]
    assert search.document_of(prepared("Sam", "Quokka Inc"))[0] == "sam tm1"
