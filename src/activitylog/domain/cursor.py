"""Opaque keyset cursors: the (occurred-at, id) of the last entry of a page, encoded for a URL.

The pair is unique (ids are), so paging through any number of entries with the same timestamp neither skips
nor repeats one. A cursor that does not decode to what this service issues is a 400 naming the `cursor` field,
never a 500: its time must be ASCII digits within [0, MAX_US] (no sign, no spaces, no `_`, never past what a
64-bit column or a date can hold), its id 1 to 64 letters, digits and dashes.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from activitylog.errors import BadRequest, FieldError

#: The latest time a cursor may hold: 9999-12-30T00:00:00Z, far below 2**63 and inside every date type.
MAX_US = 253_402_128_000_000_000
_MAX_DIGITS = len(str(MAX_US))


@dataclass(frozen=True, slots=True)
class Cursor:
    occurred_us: int
    id: str

    def encode(self) -> str:
        raw = f"{self.occurred_us}:{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
            micros, _, entry_id = raw.partition(":")
            if not entry_id or len(entry_id) > 64 or not entry_id.replace("-", "").isalnum():
                raise ValueError
            # `int()` alone takes "-5", " 5", "+5", "5_000" and numbers past any column: only plain digits here.
            if not (micros.isdigit() and len(micros) <= _MAX_DIGITS) or int(micros) > MAX_US:
                raise ValueError
            return cls(int(micros), entry_id)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise BadRequest([FieldError("cursor", "is not a cursor this service issued")]) from None
