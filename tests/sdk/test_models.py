"""The SDK's models read what a server sends, including what an older or newer one sends: an event's `via`
(issue 17) is a Channel when it has a channel's shape, None when it is missing, null or anything else."""

from __future__ import annotations

from typing import Any

import pytest

from activitylog.sdk import Channel, Event

BASE: dict[str, Any] = {
    "id": "0190a1b2-0000-7000-8000-000000000001",
    "type": "app_name_change",
    "actor": {"type": "teammate", "id": "tm_1", "name": "Ada"},
    "occurred_at": "2026-12-01T10:00:00Z",
    "recorded_at": "2026-12-01T10:00:00.000123Z",
}


def test_an_api_channel_names_its_token() -> None:
    via = {"kind": "api", "token": {"id": "tok_1", "name": "Deploy bot", "revoked": False}}
    assert Event.from_json({**BASE, "via": via}).via == Channel("api", "tok_1", "Deploy bot", False)
    assert Event.from_json({**BASE, "via": {"kind": "console", "token": None}}).via == Channel("console")


@pytest.mark.parametrize("via", [None, "console", 3, {"token": None}, {"kind": 1}, []])
def test_anything_else_is_no_channel(via: Any) -> None:
    assert Event.from_json({**BASE, "via": via}).via is None


def test_an_older_server_without_via_and_a_newer_kind_are_read() -> None:
    assert Event.from_json(BASE).via is None
    odd = {"kind": "mobile", "token": {"id": 5, "name": None, "revoked": "no"}}
    assert Event.from_json({**BASE, "via": odd}).via == Channel("mobile")
