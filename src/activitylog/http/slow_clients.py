"""uvicorn's HTTP protocol (httptools) with the guards against slow and greedy clients that it lacks.

uvicorn closes a keep-alive connection left idle after a response, but sets no limit before one: a client may
connect and send nothing, or send its request line and headers a byte at a time, or send megabytes of headers,
and hold a connection (and its memory) as long as it likes. Here:

- a request's line and headers must arrive within `head_timeout_s` of the connection (or of the request's
  first byte on a kept-alive connection); otherwise 408 and the connection is closed;
- they may take at most `max_head_bytes` (the URL included); otherwise 431 and the connection is closed.

The body is the app's to guard (`http.body`: a size limit and a deadline), since only it knows which routes
read one. Each connection costs the server nothing but a timer while it waits.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_TIMEOUT_S = 10.0
MAX_HEAD_BYTES = 64 * 1024


class _HeadTooLarge(Exception):
    """Raised from a parser callback; httptools turns it into a parser error, which ends the request."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    head_timeout_s = HEAD_TIMEOUT_S
    max_head_bytes = MAX_HEAD_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._head_too_large = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        if self._head_too_large:
            message = f"the request line and headers exceed {self.max_head_bytes:,} bytes"
            self._refuse(431, "Request Header Fields Too Large", message)
            return
        super().send_400_response(msg)

    # The guards ---------------------------------------------------------------------------------------------

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_head_bytes:
            self._head_too_large = True
            raise _HeadTooLarge

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered (the timer is for heads only; this is a safeguard)
        self._refuse(408, "Request Timeout", f"the request did not arrive within {self.head_timeout_s:g} seconds")

    def _refuse(self, status: int, reason: str, message: str) -> None:
        """Answer in the API's error shape (no request id: there was no request) and close the connection."""
        code = "request_timeout" if status == 408 else "headers_too_large"
        error: dict[str, object] = {"code": code, "message": message, "field": None, "errors": []}
        body = json.dumps({"error": error, "request_id": None}).encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode() + body)
        self.transport.close()


def guarded(head_timeout_s: float, max_head_bytes: int = MAX_HEAD_BYTES) -> type[GuardedHttpToolsProtocol]:
    """The protocol class with these limits (uvicorn takes a class, and builds one per connection)."""
    return type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {"head_timeout_s": head_timeout_s, "max_head_bytes": max_head_bytes},
    )
