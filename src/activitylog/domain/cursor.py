"""Opaque keyset cursors: the (occurred-at, id) of the last entry of a page, encoded for a URL.

The pair is unique (ids are), so paging through any number of entries with the same timestamp neither skips
nor repeats one. A cursor that does not decode is a 400 naming the `cursor` field, never a 500.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from activitylog.errors import BadRequest, FieldError


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
            return cls(int(micros), entry_id)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise BadRequest([FieldError("cursor", "is not a cursor this service issued")]) from None
