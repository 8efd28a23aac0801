"""The field limits of an event, defined once: the general path (`ingest.validation`) and the fast path (`ingest.fast`)
both read them, so the shortcut can never accept what the general path refuses, nor refuse what it accepts.

Lengths count characters (Python `len`), as pydantic's `max_length` does.
"""

from __future__ import annotations

from typing import Final

TYPE_MAX: Final = 100  # an activity type's code
SHORT_MAX: Final = 200  # actor.id, request_id, idempotency_key
NAME_MAX: Final = 200  # actor.name
EMAIL_MAX: Final = 320  # actor.email (RFC 5321's path limit)
IP_MAX: Final = 100  # the ip as given, before it is normalised
USER_AGENT_MAX: Final = 1000
