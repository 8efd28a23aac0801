"""`AsyncClient`: the asyncio twin of `Client`, with the same methods as coroutines (and an async iterator)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import Any

import httpx

from activitylog.sdk import _shared
from activitylog.sdk._retry import RETRY_ERRORS, RetryPolicy, should_retry
from activitylog.sdk.models import ActivityType, Event, EventPage, RecordResult, Teammate

Values = Iterable[str] | str | None
Moment = datetime | str | int | None


class AsyncClient:
    """An asynchronous client of one workspace (the token's); use `async with`, or `await close()`."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=_shared.headers(token), timeout=timeout, transport=transport
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def _send(self, request: httpx.Request, *, stream: bool = False, offset: int = 0) -> httpx.Response:
        for attempt in range(self.retry.attempts):
            last = attempt + 1 == self.retry.attempts
            try:
                response = await self._http.send(request, stream=stream)
            except RETRY_ERRORS as problem:
                if last:
                    raise _shared.unreachable(str(request.url), self.retry.attempts, problem) from problem
                await asyncio.sleep(self.retry.delay(attempt))
                continue
            if response.is_success:
                return response
            if should_retry(response) and not last:
                await response.aclose()
                await asyncio.sleep(self.retry.delay(attempt, response.headers.get("retry-after")))
                continue
            if stream:
                await response.aread()
            raise _shared.error_from(response, offset)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return (await self._send(self._http.build_request(method, path, **kwargs))).json()

    async def record(
        self,
        type: str,
        *,
        actor: Mapping[str, Any],
        metadata: Mapping[str, Any] | None = None,
        occurred_at: datetime | str | None = None,
        ip: str | None = None,
        user_agent: str | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> str:
        """See `Client.record`."""
        body = _shared.event(
            type,
            actor=actor,
            metadata=metadata,
            occurred_at=occurred_at,
            ip=ip,
            user_agent=user_agent,
            request_id=request_id,
        )
        key = idempotency_key or _shared.new_key()
        request = self._http.build_request("POST", "/v1/events", json=body, headers={"Idempotency-Key": key})
        return str((await self._send(request)).json()["items"][0]["id"])

    async def record_many(self, events: Iterable[Mapping[str, Any]]) -> RecordResult:
        """See `Client.record_many`."""
        items = _shared.keyed(events)
        done = []
        for offset, chunk in _shared.chunks(items):
            request = self._http.build_request("POST", "/v1/events", json={"events": list(chunk)})
            done.extend(_shared.recorded(await self._send(request, offset=offset), offset))
        return RecordResult(done)

    async def query(
        self,
        *,
        types: Values = None,
        teammates: Values = None,
        since: Moment = None,
        until: Moment = None,
        ip: str | None = None,
        q: str | None = None,
        limit: int = 100,
        cursor: str | None = None,
    ) -> EventPage:
        """See `Client.query`."""
        params = _shared.filter_params(types=types, teammates=teammates, since=since, until=until, ip=ip, q=q)
        params.append(("limit", str(limit)))
        if cursor:
            params.append(("cursor", cursor))
        return EventPage.from_json(await self._json("GET", "/v1/events", params=params))

    async def iter_events(
        self,
        *,
        types: Values = None,
        teammates: Values = None,
        since: Moment = None,
        until: Moment = None,
        ip: str | None = None,
        q: str | None = None,
        page_size: int = 500,
    ) -> AsyncIterator[Event]:
        """See `Client.iter_events`: `async for event in client.iter_events(...)`."""
        cursor = None
        while True:
            page = await self.query(
                types=types, teammates=teammates, since=since, until=until, ip=ip, q=q, limit=page_size, cursor=cursor
            )
            for item in page.events:
                yield item
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    async def get_event(self, entry_id: str) -> Event:
        return Event.from_json(await self._json("GET", f"/v1/events/{entry_id}"))

    async def teammates(self) -> list[Teammate]:
        return [Teammate.from_json(t) for t in (await self._json("GET", "/v1/teammates"))["data"]]

    async def activity_types(self) -> list[ActivityType]:
        data = (await self._json("GET", "/v1/activity-types"))["data"]
        return [
            ActivityType(t["code"], t["label"], t["category"], t["template"], t["metadata_schema"], t["example"])
            for t in data
        ]

    async def export_csv(
        self,
        path: str | PathLike[str],
        *,
        types: Values = None,
        teammates: Values = None,
        since: Moment = None,
        until: Moment = None,
        ip: str | None = None,
        q: str | None = None,
    ) -> int:
        """See `Client.export_csv` (the file is written with blocking calls, a chunk at a time)."""
        target = Path(path)
        params = _shared.filter_params(types=types, teammates=teammates, since=since, until=until, ip=ip, q=q)
        partial = target.with_name(target.name + ".partial")
        response = await self._send(self._http.build_request("GET", "/v1/events.csv", params=params), stream=True)
        try:
            with partial.open("wb") as handle:
                async for chunk in response.aiter_bytes():
                    handle.write(chunk)
        except httpx.HTTPError as problem:
            partial.unlink(missing_ok=True)
            raise _shared.unreachable(str(response.url), 1, problem) from problem
        finally:
            await response.aclose()
        partial.replace(target)
        return int(response.headers.get("x-total-count", "0"))
