"""Bad input gets the right 4xx with the field and the reason, never a 500, and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from activitylog.api.schemas import ErrorResponse
from tests.api.conftest import Server
from tests.support.factories import event
from tests.support.servers import Tenant


def problem(answer: httpx.Response, status: int, code: str, field: str | None) -> ErrorResponse:
    assert answer.status_code == status, answer.text
    body = ErrorResponse.model_validate(answer.json())
    assert body.error.code == code
    assert body.error.field == field
    assert body.request_id == answer.headers["x-request-id"]
    return body


def count(http: httpx.Client, tenant: Tenant) -> int:
    return len(http.get("/v1/events", params={"limit": 500}, headers=tenant.headers()).json()["data"])


def test_malformed_json_is_400_naming_the_body(http: httpx.Client, tenant: Tenant) -> None:
    answer = http.post(
        "/v1/events",
        content=b'{"type": "app_name_change",',
        headers={**tenant.headers(), "content-type": "application/json"},
    )
    problem(answer, 400, "bad_request", "body")
    problem(http.post("/v1/events", content=b"", headers=tenant.headers()), 400, "bad_request", "body")
    problem(http.post("/v1/events", content=b"\xff\xfe{", headers=tenant.headers()), 400, "bad_request", "body")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**event(), "type": 42}, "type"),
        ({**event(), "actor": "beth"}, "actor"),
        ({**event(), "occurred_at": "yesterday"}, "occurred_at"),
        ({**event(), "occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),  # no offset
        ({**event(), "metadata": []}, "metadata"),
        ({**event(), "ip": "999.0.0.1"}, "ip"),
        ({**event(), "colour": "red"}, "colour"),
        (event(metadata={"before": 42, "after": "x"}), "metadata.before"),
        (event(metadata={"before": "a\ud800", "after": "x"}), "metadata"),  # JSON's "\ud800": a lone surrogate
        (event(type="no_such_type"), "type"),
        ("just a string", "body"),
        ({"events": "nope"}, "events"),
        ({"events": []}, "events"),
        ({"events": [event()], "extra": 1}, "extra"),
    ],
)
def test_wrong_values_are_422_naming_the_field(http: httpx.Client, tenant: Tenant, body: object, field: str) -> None:
    before = count(http, tenant)
    # Serialised here, escaping as JSON does (httpx would refuse to send a lone surrogate as UTF-8).
    content = json.dumps(body).encode()
    headers = {**tenant.headers(), "content-type": "application/json"}
    problem(http.post("/v1/events", content=content, headers=headers), 422, "invalid", field)
    assert count(http, tenant) == before


HOSTILE_IDS = ["x/../../api-tokens/tok_1/revoke", "a?b", "a#b", "a\\b", ".", "..", "tab\tid", "zero\u200bwidth"]


@pytest.mark.parametrize("actor_id", HOSTILE_IDS)
@pytest.mark.parametrize("named", [True, False], ids=["fast path", "general path"])
def test_an_actor_id_that_cannot_be_one_url_segment_is_422_naming_actor_id(
    http: httpx.Client, tenant: Tenant, actor_id: str, named: bool
) -> None:
    """Ids go into the console's URLs: `/`, `?`, `#`, `\\`, dot segments and invisible characters are refused,
    by the fast path for plain events (a name and email given) as by the general one, in a batch too."""
    before = count(http, tenant)
    actor = {"type": "teammate", "id": actor_id, **({"name": "Hostile", "email": "h@example.test"} if named else {})}
    single = {**event(), "actor": actor}
    body = problem(http.post("/v1/events", json=single, headers=tenant.headers()), 422, "invalid", "actor.id")
    assert "must not" in body.error.message
    batch = {"events": [event(), single]}
    body = problem(http.post("/v1/events", json=batch, headers=tenant.headers()), 422, "invalid", "actor.id")
    assert {(e.index, e.field) for e in body.error.errors} == {(1, "actor.id")}
    assert count(http, tenant) == before


def test_ids_with_printable_punctuation_stay_welcome(http: httpx.Client, tenant: Tenant) -> None:
    for actor_id in ("tm_beth", "1234567", "unknown:beth@example.test", "a.b-c+d=e", "名前", "a..b"):
        answer = http.post(
            "/v1/events", json={**event(), "actor": {"id": actor_id, "name": "N"}}, headers=tenant.headers()
        )
        assert answer.status_code == 201, (actor_id, answer.text)


def test_a_batch_names_every_bad_item_by_index_and_writes_nothing(http: httpx.Client, tenant: Tenant) -> None:
    before = count(http, tenant)
    batch = {"events": [event(), event(type="nope"), event(ip="1.2.3"), event(), {"type": "app_name_change"}]}
    body = problem(http.post("/v1/events", json=batch, headers=tenant.headers()), 422, "invalid", "type")
    assert {(e.index, e.field) for e in body.error.errors} == {(1, "type"), (2, "ip"), (4, "actor")}
    assert count(http, tenant) == before


def test_more_than_a_thousand_events_is_422_naming_events(http: httpx.Client, tenant: Tenant) -> None:
    batch = {"events": [event(type="admin_logout", metadata={}) for _ in range(1001)]}
    problem(http.post("/v1/events", json=batch, headers=tenant.headers()), 422, "invalid", "events")


def test_a_body_over_the_limit_is_413_declared_or_streamed(http: httpx.Client, tenant: Tenant) -> None:
    huge = json.dumps({"events": [event(user_agent="x" * 900)] * 1000}).encode() + b" " * (5 * 1024 * 1024)
    problem(http.post("/v1/events", content=huge, headers=tenant.headers()), 413, "payload_too_large", "body")

    def chunked() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        for _ in range(8):
            yield b" " * (1024 * 1024)

    answer = http.post("/v1/events", content=chunked(), headers=tenant.headers())
    problem(answer, 413, "payload_too_large", "body")


def test_the_idempotency_key_header_must_agree_with_the_body(http: httpx.Client, tenant: Tenant) -> None:
    answer = http.post(
        "/v1/events", json=event(key="in-body"), headers={**tenant.headers(), "Idempotency-Key": "in-header"}
    )
    problem(answer, 422, "invalid", "idempotency_key")
    too_long = http.post("/v1/events", json=event(), headers={**tenant.headers(), "Idempotency-Key": "k" * 300})
    problem(too_long, 422, "invalid", "Idempotency-Key")


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"limit": 0}, 422, "invalid", "limit"),
        ({"limit": 501}, 422, "invalid", "limit"),
        ({"limit": "many"}, 422, "invalid", "limit"),
        ({"cursor": "not-a-cursor"}, 400, "bad_request", "cursor"),
        ({"cursor": "MTIzOmFiYw=="[:-2] + "!!"}, 400, "bad_request", "cursor"),
        ({"since": "last tuesday"}, 422, "invalid", "since"),
        ({"until": "2026-13-45"}, 422, "invalid", "until"),
        ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, 422, "invalid", "until"),
        ({"type": "no_such_type"}, 422, "invalid", "type"),
        ({"ip": "10.0.0.0/99"}, 422, "invalid", "ip"),
    ],
)
def test_bad_query_parameters(
    http: httpx.Client, tenant: Tenant, params: dict[str, object], status: int, code: str, field: str
) -> None:
    problem(http.get("/v1/events", params=params, headers=tenant.headers()), status, code, field)
    if field != "limit" and field != "cursor":
        problem(http.get("/v1/events.csv", params=params, headers=tenant.headers()), status, code, field)


def test_unknown_routes_and_methods_answer_json(http: httpx.Client, tenant: Tenant) -> None:
    problem(http.get("/v1/nothing-here", headers=tenant.headers()), 404, "not_found", None)
    problem(http.delete("/v1/events", headers=tenant.headers()), 405, "method_not_allowed", None)
    problem(http.get("/v1/events/does-not-exist", headers=tenant.headers()), 404, "not_found", "id")


def test_unknown_query_parameters_are_ignored(http: httpx.Client, tenant: Tenant) -> None:
    assert http.get("/v1/events", params={"colour": "red"}, headers=tenant.headers()).status_code == 200


def test_nothing_is_a_500(server: Server, http: httpx.Client, tenant: Tenant) -> None:
    bodies: list[bytes] = [b"[]", b"null", b"1e999", b"[" * 100_000, b'{"events": [1, "x", null]}', b'{"type": null}']
    bodies.append(b'{"metadata": {"n": ' + b"9" * 5000 + b"}}")
    for body in bodies:
        answer = http.post("/v1/events", content=body, headers=tenant.headers())
        assert 400 <= answer.status_code < 500, (body[:40], answer.text)
