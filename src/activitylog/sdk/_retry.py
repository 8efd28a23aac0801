"""When to retry a request and how long to wait: shared by the sync and the async client.

Retrying is safe because every write carries idempotency keys fixed before the first attempt: a retry of a
request the server did process answers with the entries it stored, and writes nothing new.
Retried: connection failures and timeouts, every 5xx, and 429 (waiting what `Retry-After` says).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from time import time

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Failures where the request may not have reached the server, or its answer did not reach us.
RETRY_ERRORS: tuple[type[Exception], ...] = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """`attempts` in all (1 = no retry); waits grow as `backoff * 2**n` with full jitter, up to `max_backoff`."""

    attempts: int = 5
    backoff: float = 0.25
    max_backoff: float = 30.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait before attempt `attempt + 1` (attempts count from 0)."""
        told = parse_retry_after(retry_after)
        if told is not None:
            return min(told, self.max_backoff)
        return random.uniform(0, min(self.max_backoff, self.backoff * 2**attempt))  # noqa: S311 - jitter, not crypto


def parse_retry_after(value: str | None) -> float | None:
    """`Retry-After` as seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # not "²", which str.isdigit takes and float() refuses
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time())


def should_retry(response: httpx.Response) -> bool:
    return response.status_code in RETRY_STATUSES
