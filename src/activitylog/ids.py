"""Identifiers: entries get ULIDs whose time part is when the action happened.

A ULID is unique, sorts as a string, and leads with its millisecond timestamp; taking that from the entry's
occurred-at keeps id order close to time order, so the (time, id) keyset tiebreak is natural. Workspaces,
teammates and tokens get prefixed ids so a human can tell them apart.
"""

from __future__ import annotations

import os
import random

from ulid import ULID


def entry_id(occurred_us: int, rng: random.Random | None = None) -> str:
    """A new entry id; pass a seeded `rng` for reproducible ids (the demo does)."""
    randomness = rng.randbytes(10) if rng is not None else os.urandom(10)
    return str(ULID.from_bytes((occurred_us // 1000).to_bytes(6, "big") + randomness))


def prefixed_id(prefix: str, rng: random.Random | None = None) -> str:
    randomness = rng.randbytes(10) if rng is not None else os.urandom(10)
    return f"{prefix}_{ULID.from_bytes(bytes(6) + randomness).hex[12:]}"
