"""A request's tenant (its workspace and token), and the short-lived cache that spares a read per request."""

from __future__ import annotations

import time
from dataclasses import dataclass

from activitylog.domain.channel import Channel
from activitylog.domain.entry import Actor
from activitylog.storage.base import ApiToken, Workspace


@dataclass(frozen=True, slots=True)
class Tenant:
    workspace: Workspace
    token: ApiToken

    @property
    def actor(self) -> Actor:
        """The token as the actor of the entries the API records itself (e.g. a CSV download)."""
        return Actor("api_token", self.token.id, self.token.name)

    @property
    def channel(self) -> Channel:
        """How what this tenant records arrives: through the API, by this token (its id: names change)."""
        return Channel.api(self.token.id)


class TokenCache:
    """Tenants of recently seen tokens, for `ttl` seconds, so a busy client costs no database read per request.

    The price: a token revoked (or a workspace changed) in the database is seen within `ttl` seconds, not at
    once. Unknown tokens are never cached. `ttl=0` turns the cache off.
    """

    MAX_SIZE = 10_000

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._found: dict[str, tuple[float, Tenant]] = {}

    def get(self, secret: str) -> Tenant | None:
        hit = self._found.get(secret)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, secret: str, tenant: Tenant) -> None:
        if self.ttl <= 0:
            return
        if len(self._found) >= self.MAX_SIZE:
            self._found.clear()  # a crude bound: refilling costs one read per live token
        self._found[secret] = (time.monotonic() + self.ttl, tenant)
