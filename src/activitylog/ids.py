"""Identifiers: entries get UUIDv7s whose time part is when the action happened.

A UUIDv7 (RFC 9562) is unique, sorts as a string in time order, and reads as the UUID that Intercom clients
expect; taking its millisecond timestamp from the entry's occurred-at keeps id order close to time order, so
the (time, id) keyset tiebreak is natural. Workspaces and tokens get prefixed ids a human can tell apart.
"""

from __future__ import annotations

import random


def uuid7(timestamp_ms: int, randomness: bytes) -> str:
    """The canonical text of a UUIDv7 from a 48-bit millisecond time and 10 random bytes (74 bits used)."""
    raw = bytearray(timestamp_ms.to_bytes(6, "big") + randomness)
    raw[6] = 0x70 | (raw[6] & 0x0F)  # version 7
    raw[8] = 0x80 | (raw[8] & 0x3F)  # RFC 9562 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


# The variant nibble from a random one: its top two bits become 10 (RFC 9562), so 8, 9, a or b.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
_MAX_MS = 2**48 - 1


def entry_id(occurred_us: int, rng: random.Random | None = None) -> str:
    """A new entry id; pass a seeded `rng` for reproducible ids (the demo does).

    Ids are unique, not secret: the default randomness is the process's Mersenne Twister (seeded from the OS,
    and reseeded in a forked child), 74 bits per id, many times cheaper than a system call per id.

    The same text as `uuid7(ms, randomness)` for the same 10 random bytes, assembled from hex text (this runs
    for every recorded entry; a quarter cheaper than setting bits in a bytearray): the version nibble replaces
    the first random hex digit, and the variant bits the fifth.
    """
    ms = occurred_us // 1000 if occurred_us > 0 else 0
    time_hex = f"{ms if ms < _MAX_MS else _MAX_MS:012x}"
    r = (rng or random).randbytes(10).hex()
    return f"{time_hex[:8]}-{time_hex[8:]}-7{r[1:4]}-{_VARIANT[r[4]]}{r[5:8]}-{r[8:]}"


def prefixed_id(prefix: str, rng: random.Random | None = None) -> str:
    return f"{prefix}_{(rng or random.SystemRandom()).randbytes(10).hex()}"


# An actor's id goes into URLs (Settings > Teammates' forms, the teammate filter) and attributes. Encoding
# keeps it one path segment, but a decoded `/` would still split it (servers decode before routing), `?` and `#`
# end a path, `\` is a `/` to browsers, and `.` or `..` alone is a dot segment that browsers resolve away.
_NOT_IN_ACTOR_IDS = frozenset("/?#\\")


def actor_id_problem(value: str) -> str | None:
    """Why `value` cannot be an actor's id, or None when it can: printable characters without `/`, `?`, `#`
    and `\\`, and not a dot segment."""
    if value in (".", ".."):
        return "must not be a dot segment ('.' or '..')"
    for ch in value:
        if ch in _NOT_IN_ACTOR_IDS:
            return f"must not contain {ch!r}: ids are printable characters without '/', '?', '#' and '\\'"
        if not ch.isprintable():
            return f"must not contain the control or invisible character U+{ord(ch):04X}"
    return None


def actor_id_ok(value: str) -> bool:
    """`actor_id_problem(value) is None`, fast for the common id (ASCII letters, digits, `_`, `-`, `:`, `@`)."""
    if value.isascii() and value.isprintable() and not _NOT_IN_ACTOR_IDS.intersection(value):
        return value not in (".", "..")
    return actor_id_problem(value) is None
