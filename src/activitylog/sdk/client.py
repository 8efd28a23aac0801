"""`Client`: record and read a workspace's activity over HTTP, with retries that cannot duplicate an entry.

    from activitylog import Client

    with Client("https://logs.example.com", token="al_...") as log:
        log.record("app_name_change", actor={"type": "teammate", "id": "tm_42", "name": "Beth-Ann Sher"},
                   metadata={"before": "Acme", "after": "Acme Inc."}, ip="203.0.113.7")
        for event in log.iter_events(types=["app_name_change"], since="2026-01-01"):
            print(event.sentence)

Every write gets idempotency keys before its first attempt (the caller's, or new ones), so retrying after a
timeout, a 5xx or a 429 answers with the entries already stored instead of storing them twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
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


class Client:
    """A synchronous client of one workspace (the token's). Thread-safe; reuse one per process."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=_shared.headers(token), timeout=timeout, transport=transport
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # Transport ------------------------------------------------------------------------------------------

    def _send(self, request: httpx.Request, *, stream: bool = False, offset: int = 0) -> httpx.Response:
        """Send with retries; answers a 2xx response or raises the server's error as ours."""
        for attempt in range(self.retry.attempts):
            last = attempt + 1 == self.retry.attempts
            try:
                response = self._http.send(request, stream=stream)
            except RETRY_ERRORS as problem:
                if last:
                    raise _shared.unreachable(str(request.url), self.retry.attempts, problem) from problem
                time.sleep(self.retry.delay(attempt))
                continue
            if response.is_success:
                return response
            if should_retry(response) and not last:
                response.close()
                time.sleep(self.retry.delay(attempt, response.headers.get("retry-after")))
                continue
            if stream:
                response.read()
            raise _shared.error_from(response, offset)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._send(self._http.build_request(method, path, **kwargs)).json()

    # Writing --------------------------------------------------------------------------------------------

    def record(
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
        """Record one event and answer its entry id (the first write's id if the key was used before).

        `actor` is `{"type": "teammate", "id": ..., "name": ..., "email": ...}` (or an `api_token` or `system`
        actor). Raises InvalidInput (every problem, by field) when the server refuses the event.
        """
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
        return str(self._send(request).json()["items"][0]["id"])

    def record_many(self, events: Iterable[Mapping[str, Any]]) -> RecordResult:
        """Record events (dicts shaped like the API's), 1,000 per request, each request all-or-nothing.

        Events without an `idempotency_key` get one before the first attempt. With more than 1,000 events, a
        refused chunk raises InvalidInput (indexes counted over the whole list) after earlier chunks were
        written; pass your own keys to make retrying the whole call safe.
        """
        items = _shared.keyed(events)
        done = []
        for offset, chunk in _shared.chunks(items):
            request = self._http.build_request("POST", "/v1/events", json={"events": list(chunk)})
            done.extend(_shared.recorded(self._send(request, offset=offset), offset))
        return RecordResult(done)

    # Reading --------------------------------------------------------------------------------------------

    def query(
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
        """One page of entries, newest first; pass its `next_cursor` as `cursor` for the next. `q` is the
        search (the console's language: words, "phrases", actor:, type:, ip:)."""
        params = _shared.filter_params(types=types, teammates=teammates, since=since, until=until, ip=ip, q=q)
        params.append(("limit", str(limit)))
        if cursor:
            params.append(("cursor", cursor))
        return EventPage.from_json(self._json("GET", "/v1/events", params=params))

    def iter_events(
        self,
        *,
        types: Values = None,
        teammates: Values = None,
        since: Moment = None,
        until: Moment = None,
        ip: str | None = None,
        q: str | None = None,
        page_size: int = 500,
    ) -> Iterator[Event]:
        """Every matching entry, newest first, fetching pages of `page_size` as the loop needs them."""
        cursor = None
        while True:
            page = self.query(
                types=types, teammates=teammates, since=since, until=until, ip=ip, q=q, limit=page_size, cursor=cursor
            )
            yield from page.events
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def get_event(self, entry_id: str) -> Event:
        return Event.from_json(self._json("GET", f"/v1/events/{entry_id}"))

    def teammates(self) -> list[Teammate]:
        return [Teammate.from_json(t) for t in self._json("GET", "/v1/teammates")["data"]]

    def activity_types(self) -> list[ActivityType]:
        data = self._json("GET", "/v1/activity-types")["data"]
        return [
            ActivityType(t["code"], t["label"], t["category"], t["template"], t["metadata_schema"], t["example"])
            for t in data
        ]

    def export_csv(
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
        """Download every matching entry as CSV to `path` (whole or not at all); answers the number of rows."""
        target = Path(path)
        params = _shared.filter_params(types=types, teammates=teammates, since=since, until=until, ip=ip, q=q)
        partial = target.with_name(target.name + ".partial")
        response = self._send(self._http.build_request("GET", "/v1/events.csv", params=params), stream=True)
        try:
            with partial.open("wb") as handle:
                for chunk in response.iter_bytes():
                    handle.write(chunk)
        except httpx.HTTPError as problem:
            partial.unlink(missing_ok=True)
            raise _shared.unreachable(str(response.url), 1, problem) from problem
        finally:
            response.close()
        partial.replace(target)
        return int(response.headers.get("x-total-count", "0"))
