"""Time as the log stores it: integer microseconds since the Unix epoch, UTC.

Integers sort, index and compare the same way on SQLite and PostgreSQL, and keep sub-second precision.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MICROS = 1_000_000
DAY_US = 86_400 * MICROS
#: How far ahead of our clock an event may say it happened: the clock skew we tolerate between a recorder and us.
MAX_FUTURE_US = 5 * 60 * MICROS
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def now_us() -> int:
    return to_us(datetime.now(UTC))


def to_us(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * MICROS + delta.microseconds


def from_us(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def iso(micros: int) -> str:
    """ISO 8601 in UTC with a `Z`, e.g. 2026-11-25T09:30:00.123456Z."""
    return from_us(micros).isoformat().replace("+00:00", "Z")
