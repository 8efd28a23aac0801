"""The Python SDK against the real server, and its retry logic against scripted answers."""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

import activitylog
from activitylog.errors import ActivityLogError, Forbidden, InvalidInput, Unauthorized, Unavailable
from activitylog.sdk import AsyncClient, Client, RetryPolicy, Teammate
from activitylog.sdk._retry import parse_retry_after
from tests.api.conftest import Server
from tests.support.factories import ago, event
from tests.support.servers import Tenant

FAST = RetryPolicy(attempts=4, backoff=0.001, max_backoff=0.01)
BETH = {"type": "teammate", "id": "tm1", "name": "Beth-Ann Sher", "email": "beth@acme.test"}


@pytest.fixture
def client(server: Server, tenant: Tenant) -> Iterator[Client]:
    with Client(server.base_url, tenant.rw, retry=FAST) as sdk:
        yield sdk


def test_the_package_exports_the_clients_lazily() -> None:
    assert activitylog.Client is Client
    assert activitylog.AsyncClient is AsyncClient


def test_record_and_read_back(client: Client) -> None:
    entry_id = client.record(
        "app_name_change", actor=BETH, metadata={"before": "Acme", "after": "Acme Inc."}, ip="203.0.113.7"
    )
    entry = client.get_event(entry_id)
    assert entry.sentence == "Beth-Ann Sher changed the workspace name from Acme to Acme Inc."
    assert entry.idempotency_key is not None
    assert entry.idempotency_key.startswith("sdk_")
    assert entry.occurred_at.tzinfo is not None
    assert client.record(
        "app_name_change", actor=BETH, metadata={"before": "A", "after": "B"}, idempotency_key="x"
    ) == (client.record("app_name_change", actor=BETH, metadata={"before": "A", "after": "B"}, idempotency_key="x"))


def test_record_many_iter_events_and_export(client: Client, tmp_path: Path) -> None:
    events = [event("admin_logout", metadata={}, occurred_at=ago(minutes=i)) for i in range(1205)]
    result = client.record_many(events)  # two requests: 1,000 and 205
    assert result.created == 1205
    assert result.duplicates == 0
    assert [item.index for item in result.items] == list(range(1205))
    assert all("idempotency_key" not in e for e in events)  # the caller's events are left as they were

    seen = list(client.iter_events(types=["admin_logout"], page_size=500))
    assert [e.id for e in seen] == result.ids  # newest first, as recorded (each a minute older)
    assert client.query(types="admin_logout", limit=10).next_cursor is not None

    path = tmp_path / "logouts.csv"
    assert client.export_csv(path, types=["admin_logout"]) == 1205
    with path.open(encoding="utf-8") as handle:
        assert [row["Entry ID"] for row in csv.DictReader(handle)] == result.ids
    assert not (tmp_path / "logouts.csv.partial").exists()
    assert {t.id for t in client.teammates()} >= {"tm1", "tm2", "tm3"}
    assert "app_name_change" in {t.code for t in client.activity_types()}


class LoseAnswers(httpx.HTTPTransport):
    """The request reaches the real server, which writes; the answer is then lost, `times` times."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.sent += 1
        if self.sent <= self.times:
            response.read()
            response.close()
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_a_retried_record_many_does_not_duplicate(server: Server, tenant: Tenant) -> None:
    transport = LoseAnswers(times=2)
    with Client(server.base_url, tenant.rw, retry=FAST, transport=transport) as sdk:
        result = sdk.record_many([event("admin_login_success", occurred_at=ago(seconds=i)) for i in range(50)])
    assert transport.sent == 3
    assert result.duplicates == 50  # the third attempt found every key already stored
    with Client(server.base_url, tenant.rw) as sdk:
        assert len(list(sdk.iter_events(types="admin_login_success"))) == 50


def test_a_retried_record_does_not_duplicate(server: Server, tenant: Tenant) -> None:
    with Client(server.base_url, tenant.rw, retry=FAST, transport=LoseAnswers(times=1)) as sdk:
        first = sdk.record("admin_logout", actor=BETH)
    with Client(server.base_url, tenant.rw) as sdk:
        assert [e.id for e in sdk.iter_events(types="admin_logout")] == [first]


def test_errors_are_the_librarys_own(server: Server, client: Client, tenant: Tenant) -> None:
    with pytest.raises(InvalidInput) as raised:
        client.record_many([event(), event(type="nope"), event(ip="x")])
    assert [(e.index, e.field) for e in raised.value.errors] == [(1, "type"), (2, "ip")]
    assert raised.value.request_id
    with pytest.raises(InvalidInput) as chunked:
        client.record_many([event(metadata={}, type="admin_logout")] * 1000 + [event(type="nope")])
    assert [(e.index, e.field) for e in chunked.value.errors] == [(1000, "type")]  # counted over the whole list
    with Client(server.base_url, "al_wrong") as bad, pytest.raises(Unauthorized):
        bad.query()
    with Client(server.base_url, tenant.read) as reader, pytest.raises(Forbidden):
        reader.record("admin_logout", actor=BETH)


def test_the_async_client(server: Server, tenant: Tenant, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with AsyncClient(server.base_url, tenant.rw, retry=FAST) as sdk:
            one = await sdk.record("admin_logout", actor=BETH)
            many = await sdk.record_many([event("admin_logout", metadata={}) for _ in range(3)])
            seen = [e.id async for e in sdk.iter_events(types="admin_logout", page_size=2)]
            assert sorted(seen) == sorted([one, *many.ids])
            assert (await sdk.get_event(one)).type == "admin_logout"
            assert await sdk.export_csv(tmp_path / "a.csv", types="admin_logout") == 4
            assert len(await sdk.teammates()) >= 3
            assert len(await sdk.activity_types()) > 50
            with pytest.raises(InvalidInput):
                await sdk.record("nope", actor=BETH)

    asyncio.run(scenario())


# --- Retry logic against scripted answers -----------------------------------------------------------------


def scripted(*answers: int | Exception, retry_after: str | None = None) -> tuple[httpx.MockTransport, list[str]]:
    calls: list[str] = []
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers.get("idempotency-key") or json.loads(request.content or b"{}").get("x", ""))
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        headers = {"Retry-After": retry_after} if retry_after and answer in (429, 503) else {}
        body = {"items": [{"index": 0, "id": "e1", "status": "created"}], "created": 1, "duplicates": 0}
        if answer >= 400:
            body = {"error": {"code": "x", "message": "try later", "field": None, "errors": []}, "request_id": "r1"}
        return httpx.Response(answer, json=body, headers=headers)

    return httpx.MockTransport(handle), calls


@pytest.mark.parametrize(
    "failures",
    [
        [503, 502, 500],
        [429, 429],
        [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), 504],
        [httpx.RemoteProtocolError("server hung up")],
    ],
)
def test_retries_on_5xx_429_and_connection_errors_with_one_key(failures: list[int | Exception]) -> None:
    transport, calls = scripted(*failures, 201, retry_after="0")
    with Client("http://test", "al_t", retry=FAST, transport=transport) as sdk:
        assert sdk.record("admin_logout", actor=BETH) == "e1"
    assert len(calls) == len(failures) + 1
    assert len(set(calls)) == 1
    assert calls[0].startswith("sdk_")


def test_gives_up_after_the_attempts_with_unavailable() -> None:
    transport, calls = scripted(503, 503, 503, 503, retry_after="0")
    with Client("http://test", "al_t", retry=FAST, transport=transport) as sdk, pytest.raises(Unavailable) as raised:
        sdk.record("admin_logout", actor=BETH)
    assert len(calls) == 4
    assert raised.value.request_id == "r1"
    transport, calls = scripted(*[httpx.ConnectError("refused")] * 4)
    with Client("http://test", "al_t", retry=FAST, transport=transport) as sdk, pytest.raises(Unavailable):
        sdk.record("admin_logout", actor=BETH)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    transport, calls = scripted(status)
    sdk = Client("http://test", "al_t", retry=FAST, transport=transport)
    with sdk, pytest.raises(ActivityLogError) as raised:
        sdk.record("admin_logout", actor=BETH)
    assert len(calls) == 1
    assert raised.value.status == status


def test_retry_after_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr("activitylog.sdk.client.time.sleep", waits.append)
    transport, _ = scripted(429, 503, 201, retry_after="7")
    with Client("http://test", "al_t", retry=RetryPolicy(attempts=3), transport=transport) as sdk:
        sdk.record("admin_logout", actor=BETH)
    assert waits == [7.0, 7.0]


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(backoff=1.0, max_backoff=5.0)
    for attempt, ceiling in [(0, 1.0), (1, 2.0), (2, 4.0), (5, 5.0)]:
        assert all(0 <= policy.delay(attempt) <= ceiling for _ in range(50))
    assert policy.delay(0, "120") == 5.0  # a server's wait is honoured up to the cap


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_async_retries_too() -> None:
    calls: list[int] = []
    answers: list[Callable[[], httpx.Response]] = [
        lambda: httpx.Response(503, headers={"Retry-After": "0"}),
        lambda: httpx.Response(201, json={"items": [{"index": 0, "id": "e9", "status": "created"}]}),
    ]

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return answers.pop(0)()

    async def scenario() -> str:
        async with AsyncClient("http://test", "al_t", retry=FAST, transport=httpx.MockTransport(handle)) as sdk:
            return await sdk.record("admin_logout", actor=BETH)

    assert asyncio.run(scenario()) == "e9"
    assert len(calls) == 2


def test_a_teammate_from_a_newer_server_keeps_parsing() -> None:
    """The SDK reads the fields it knows: a field a newer server adds is no TypeError for an older client."""
    parsed = Teammate.from_json(
        {"id": "a_1", "name": "Eve", "email": None, "role": None, "status": "active", "kind": "actor", "new": 1}
    )
    assert (parsed.id, parsed.kind) == ("a_1", "actor")
    assert Teammate.from_json({"id": "tm1", "name": "Old", "email": None, "role": None, "status": "active"}).kind == (
        "member"
    )


def test_the_clients_search_with_q(server: Server, client: Client, tenant: Tenant, tmp_path: Path) -> None:
    client.record("app_name_change", actor={"type": "teammate", "id": "tm_q", "name": "Zebedee Quokka"},
                  metadata={"before": "Acme", "after": "Tomás Inc."})  # fmt: skip
    client.record("admin_logout", actor={"type": "teammate", "id": "tm_other", "name": "Beth-Ann Sher"})
    assert [e.actor.name for e in client.iter_events(q="actor:quokka tomas")] == ["Zebedee Quokka"]
    assert client.query(q='"acme to tomas"').events[0].type == "app_name_change"
    assert client.export_csv(tmp_path / "found.csv", q="actor:beth") == 1
    with pytest.raises(InvalidInput) as refused:
        client.query(q="colour:red")
    assert refused.value.errors[0].field == "q"

    async def searched() -> list[str]:
        async with AsyncClient(server.base_url, tenant.rw, retry=FAST) as sdk:
            return [e.type async for e in sdk.iter_events(q="actor:beth")]

    assert asyncio.run(searched()) == ["admin_logout"]
