"""The channel value (issue 17): its stored text, how it is read back and shown, and what an entry without one
(recorded before channels were kept) looks like: nothing, never a guess, never an error."""

from __future__ import annotations

import pytest

from activitylog.domain import channel
from activitylog.domain.channel import CLI, CONSOLE, SYSTEM, Channel, TokenName

NAMES = {"tok_1": TokenName("Deploy bot"), "tok_2": TokenName("Old sync", revoked=True)}


@pytest.mark.parametrize(
    ("value", "stored"),
    [(CONSOLE, "console"), (CLI, "cli"), (SYSTEM, "system"), (Channel.api("tok_1"), "api:tok_1"),
     (Channel.scim("tok_9"), "scim:tok_9")],
)  # fmt: skip
def test_a_channel_is_stored_as_its_kind_and_token_and_read_back(value: Channel, stored: str) -> None:
    assert value.stored == stored
    assert channel.parse(stored) == value


@pytest.mark.parametrize("stored", [None, "", "mobile", "api", "console:tok_1", "api:", ":tok_1"])
def test_a_text_that_is_no_channel_reads_as_none(stored: str | None) -> None:
    assert channel.parse(stored) is None
    assert channel.label(stored, NAMES) == ""
    assert channel.describe(stored, NAMES) == ""
    assert channel.channel_json(stored, NAMES) is None


@pytest.mark.parametrize(("kind", "token_id"), [("console", "tok_1"), ("api", None), ("scim", None), ("phone", None)])
def test_a_channel_cannot_be_built_wrong(kind: str, token_id: str | None) -> None:
    with pytest.raises(ValueError, match="channel"):
        Channel(kind, token_id)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("stored", "label", "words"),
    [
        ("console", "via console", "console"),
        ("cli", "via command line", "command line"),
        ("system", "system", "system"),
        ("api:tok_1", "via API · Deploy bot", "API · Deploy bot"),
        ("api:tok_2", "via API · Old sync (revoked)", "API · Old sync (revoked)"),
        ("api:tok_gone", "via API · token tok_gone", "API · token tok_gone"),
        ("scim:tok_1", "via SCIM · Deploy bot", "SCIM · Deploy bot"),
    ],
)
def test_how_a_channel_is_shown(stored: str, label: str, words: str) -> None:
    assert channel.label(stored, NAMES) == label
    assert channel.describe(stored, NAMES) == words


def test_the_api_shape_names_the_token_as_it_is_now() -> None:
    assert channel.channel_json("console", NAMES) == {"kind": "console", "token": None}
    assert channel.channel_json("api:tok_2", NAMES) == {
        "kind": "api",
        "token": {"id": "tok_2", "name": "Old sync", "revoked": True},
    }
    assert channel.channel_json("api:tok_gone", NAMES) == {
        "kind": "api",
        "token": {"id": "tok_gone", "name": None, "revoked": None},
    }


@pytest.mark.parametrize("stored", ["console", "system", "api:tok_1", "scim:tok_2"])
def test_offline_verification_gets_the_stored_text_back_from_the_api_shape(stored: str) -> None:
    assert channel.stored_of(channel.channel_json(stored, NAMES)) == stored


def test_an_api_shape_that_is_no_channel_gives_no_stored_text() -> None:
    assert channel.stored_of(None) is None
    assert channel.stored_of({"kind": 3}) is None
