"""How an entry arrived: its channel (issue 17), recorded by the producer, never by the event's body.

Invariants:
- a channel is a kind and, for the kinds that act through an API token, that token's id:
  `console` (the console's own actions), `cli` (the command line), `system` (retention, schedulers, the
  demo's own system entries), `api` and `scim` (a later feature) with a token id;
- it is stored as one short text, `kind` or `kind:token_id` (`api:tok_3f9a`), in the `via` column; entries
  stored before the column existed hold NULL there, and read as no channel (shown as nothing, never guessed);
- the producer passes it to `ActivityLog.record(..., channel=...)`; it is no field of an event, so a client
  cannot claim `console` for what it sends through the API (the body's `via` is refused as unknown);
- the token's id is stored, not its name: names are looked up when an entry is shown, so a renamed token
  shows its current name, a revoked one says so, and one the workspace does not know shows its id;
- the stored text joins the entry's hashed canonical form (see `integrity.canonical`), so a changed channel
  is found by `activitylog verify`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, NamedTuple

ChannelKind = Literal["console", "api", "cli", "system", "scim"]
#: The kinds that act through an API token, and so carry its id.
TOKEN_KINDS: Final = frozenset(("api", "scim"))
KINDS: Final = frozenset(("console", "api", "cli", "system", "scim"))
_WORDS: Final = {"console": "console", "api": "API", "cli": "command line", "system": "system", "scim": "SCIM"}


class TokenName(NamedTuple):
    """A token as a channel shows it: its current name, and whether it has been revoked."""

    name: str
    revoked: bool = False


#: Token names by token id, as a page, an answer or an export looks them up once (storage.tokens.token_names).
TokenNames = Mapping[str, TokenName]


@dataclass(frozen=True, slots=True)
class Channel:
    kind: ChannelKind
    token_id: str | None = None

    def __post_init__(self) -> None:
        # A bug, never input: producers build channels from constants and authenticated tokens.
        if self.kind not in KINDS:
            raise ValueError(f"no channel kind {self.kind!r}")
        if (self.kind in TOKEN_KINDS) != (self.token_id is not None):
            raise ValueError(f"a {self.kind} channel {'needs' if self.kind in TOKEN_KINDS else 'has no'} token id")

    @property
    def stored(self) -> str:
        """The text the `via` column holds (and the canonical form hashes)."""
        return self.kind if self.token_id is None else f"{self.kind}:{self.token_id}"

    @classmethod
    def api(cls, token_id: str) -> Channel:
        return cls("api", token_id)

    @classmethod
    def scim(cls, token_id: str) -> Channel:
        return cls("scim", token_id)


CONSOLE: Final = Channel("console")
CLI: Final = Channel("cli")
SYSTEM: Final = Channel("system")

_PARSED: dict[str, Channel | None] = {}
_PARSED_MAX = 10_000


def parse(stored: str | None) -> Channel | None:
    """The channel a `via` text holds; None for an entry recorded before channels (NULL), or for a text this
    version cannot read (written behind the service's back, or by a newer version): shown as no channel."""
    if stored is None:
        return None
    found = _PARSED.get(stored, False)
    if found is not False:
        return found  # type: ignore[return-value]  # a Channel or None, never False here
    kind, _, token_id = stored.partition(":")
    channel: Channel | None
    try:
        channel = Channel(kind, token_id or None)  # type: ignore[arg-type]  # checked by Channel itself
    except ValueError:
        channel = None
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[stored] = channel
    return channel


def stored_of(value: Mapping[str, Any] | None) -> str | None:
    """The `via` text of a channel as the API's JSON shows it (`channel_json`): what offline verification of an
    export recomputes from. None for null or a shape that is not a channel's (which then fails to verify)."""
    if not isinstance(value, Mapping):
        return None
    kind = value.get("kind")
    token = value.get("token")
    token_id = token.get("id") if isinstance(token, Mapping) else None
    if not isinstance(kind, str):
        return None
    return kind if token_id is None else f"{kind}:{token_id}"


def token_label(token_id: str, names: TokenNames) -> str:
    """A token as a channel names it: its current name, "(revoked)" when it is, its id when it is unknown."""
    found = names.get(token_id)
    if found is None:
        return f"token {token_id}"
    return f"{found.name} (revoked)" if found.revoked else found.name


def describe(stored: str | None, names: TokenNames) -> str:
    """The channel in words, as the CSV's Channel column has it: "API · Deploy bot", "console", "command line",
    "system"; "" for an entry without a channel."""
    channel = parse(stored)
    if channel is None:
        return ""
    words = _WORDS[channel.kind]
    return words if channel.token_id is None else f"{words} · {token_label(channel.token_id, names)}"


def label(stored: str | None, names: TokenNames) -> str:
    """The channel as a row and the details show it: "via API · Deploy bot", "via console", "system"; "" for
    an entry without a channel."""
    words = describe(stored, names)
    return words if words in ("", "system") else f"via {words}"


def channel_json(stored: str | None, names: TokenNames) -> dict[str, Any] | None:
    """The native API's `via`: `{"kind": "api", "token": {"id", "name", "revoked"}}`, the token null for kinds
    without one; null for an entry recorded before channels (or one whose channel cannot be read)."""
    channel = parse(stored)
    if channel is None:
        return None
    token: dict[str, Any] | None = None
    if channel.token_id is not None:
        found = names.get(channel.token_id)
        token = {
            "id": channel.token_id,
            "name": None if found is None else found.name,
            "revoked": None if found is None else found.revoked,
        }
    return {"kind": channel.kind, "token": token}
