"""The common case of recording, prepared without pydantic: plain JSON-like events of the usual shape.

Invariant: `prepare_plain` gives an item a Prepared only when the general path (`validation.EventIn`, then
`validation.prepare`) would accept it, and then exactly the Prepared that path builds (the same row and
metadata, for the same id); for anything else, unusual or wrong, it gives None and the general path decides,
with its precise errors. It is a shortcut, never a second opinion: tests/ingest/test_fast.py holds it to
that with hypothesis over arbitrary inputs, and every rule below is deliberately narrower than pydantic's
(exact `str` and `dict` types, no whitespace for the actor's fields to strip, no number to coerce).

Why it exists: parsing with pydantic was the largest single cost of recording an entry (bench.sqlite_bench),
and nearly every event is a plain object that a client builds the same way every time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from activitylog import ids
from activitylog.catalog import REGISTRY
from activitylog.domain.ipaddr import normalise
from activitylog.domain.limits import EMAIL_MAX, IP_MAX, NAME_MAX, SHORT_MAX, USER_AGENT_MAX
from activitylog.domain.metadata import accepted, encode_metadata, mask
from activitylog.domain.prepared import Prepared, entry_row
from activitylog.ingest.intake import Intake
from activitylog.timeutil import MICROS

_EVENT_FIELDS = frozenset(
    ("type", "actor", "occurred_at", "ip", "user_agent", "metadata", "request_id", "idempotency_key")
)
_ACTOR_FIELDS = frozenset(("type", "id", "name", "email"))
_ACTOR_TYPES = frozenset(("teammate", "api_token", "system"))
# A time as clients write it, which pydantic and datetime.fromisoformat read alike: anything else is theirs.
_ISO_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utf8(text: str) -> bool:
    """Whether a non-ASCII text can be stored: pydantic refuses an unpaired surrogate, and so does UTF-8."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _plain_text(value: Any, most: int) -> bool:
    """An exact str of 1 to `most` characters that pydantic would take as it is."""
    return type(value) is str and 0 < len(value) <= most and (value.isascii() or _utf8(value))


def _actor_text(value: Any, most: int) -> bool:
    """As `_plain_text`, and with nothing at either end for ActorIn's whitespace stripping to remove."""
    return _plain_text(value, most) and not value[0].isspace() and not value[-1].isspace()


def _micros(value: Any) -> int | None:
    """An aware datetime, or an ISO 8601 text of the usual form, as UTC microseconds; None for anything else."""
    moment: datetime
    if type(value) is str:
        if _ISO_TIME.fullmatch(value) is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    elif type(value) is datetime:
        moment = value
    else:
        return None
    if moment.utcoffset() is None:
        return None
    delta = moment - _EPOCH
    micros: int = (delta.days * 86_400 + delta.seconds) * MICROS + delta.microseconds
    return micros


# Actors repeat from event to event (a workspace has a few teammates and tokens): each distinct one is checked
# once. Its fields as given, to the same fields as stored, or None when such an event is the general path's
# (an actor EventIn would change or refuse, or a teammate whose name or email is to be looked up). Bounded;
# every check is a pure function of the key, so nothing goes stale.
_Actor = tuple[str, str | None, str | None, str | None]
_ACTORS: dict[tuple[Any, ...], _Actor | None] = {}
_ACTORS_MAX = 50_000


def _actor(actor_type: Any, actor_id: Any, name: Any, email: Any) -> _Actor | None:
    if type(actor_type) is not str or actor_type not in _ACTOR_TYPES:
        return None
    if actor_type == "teammate":
        # A name and an email are both needed here: looking one up is the general path's job.
        good = _actor_text(actor_id, SHORT_MAX) and _actor_text(name, NAME_MAX) and _actor_text(email, EMAIL_MAX)
    else:
        good = (
            (_actor_text(actor_id, SHORT_MAX) or (actor_id is None and actor_type == "system"))
            and (name is None or name == "" or _actor_text(name, NAME_MAX))
            and (email is None or email == "" or _actor_text(email, EMAIL_MAX))
        )
    # PostgreSQL cannot store NUL in text: the general path names the field.
    if not good or any(value is not None and "\x00" in value for value in (actor_id, name, email)):
        return None
    if actor_id is not None and not ids.actor_id_ok(actor_id):
        return None  # the general path names `actor.id` and the reason
    return (actor_type, actor_id, name, email)


def prepare_plain(items: Sequence[Mapping[str, Any] | object], intake: Intake) -> list[Prepared | None]:
    """Each item prepared if it is a valid event of the common shape; None where the general path must look."""
    workspace_id, now_us, new_id, via = intake.workspace_id, intake.now_us, intake.new_id, intake.via
    oldest, newest = intake.oldest_us, intake.newest_us
    actors = _ACTORS
    ip_max, user_agent_max, short_max = IP_MAX, USER_AGENT_MAX, SHORT_MAX  # locals: read per event
    out: list[Prepared | None] = []
    for item in items:
        out.append(None)
        if type(item) is not dict or not _EVENT_FIELDS.issuperset(item):
            continue
        get = item.get
        code = get("type")
        actor = get("actor")
        activity_type = REGISTRY.get(code) if type(code) is str else None
        if activity_type is None or type(actor) is not dict or not _ACTOR_FIELDS.issuperset(actor):
            continue
        try:
            key = (actor.get("type", "teammate"), actor.get("id"), actor.get("name"), actor.get("email"))
            checked = actors[key]
        except KeyError:
            checked = _actor(*key)
            if len(actors) >= _ACTORS_MAX:
                actors.clear()
            actors[key] = checked
        except TypeError:  # something unhashable where a text belongs
            continue
        if checked is None:
            continue
        actor_type, actor_id, name, email = checked

        ip = get("ip")
        ip_key = None
        if ip is not None:
            if not _plain_text(ip, ip_max):
                continue
            if ip.strip():
                try:
                    ip, ip_key = normalise(ip)  # cached: a workspace's events come from a few addresses
                except ValueError:
                    continue
            else:
                ip = None
        user_agent = get("user_agent")
        if (
            user_agent is not None
            and user_agent != ""
            and not (_plain_text(user_agent, user_agent_max) and "\x00" not in user_agent)
        ):
            continue

        occurred = get("occurred_at")
        occurred_us = now_us if occurred is None else _micros(occurred)
        if occurred_us is None or not oldest <= occurred_us <= newest:
            continue
        request_id = get("request_id")
        idempotency_key = get("idempotency_key")
        if not (
            (request_id is None or (_plain_text(request_id, short_max) and "\x00" not in request_id))
            and (idempotency_key is None or (_plain_text(idempotency_key, short_max) and "\x00" not in idempotency_key))
        ):
            continue

        metadata = get("metadata", {})
        if type(metadata) is not dict:
            continue
        try:
            "".join(metadata)  # only text keys (a C loop over them; EventIn refuses any other kind)
        except TypeError:
            continue
        masked = activity_type.masked
        metadata = mask(metadata, masked) if masked else dict(metadata)
        try:
            metadata_json = encode_metadata(metadata)
        except (ValueError, TypeError):
            continue
        if not accepted(activity_type.code, metadata, metadata_json):
            continue
        row = entry_row(
            workspace_id, new_id(occurred_us), activity_type.code, actor_type, actor_id, name, email, occurred_us,
            now_us, ip, ip_key, user_agent, metadata_json, request_id, idempotency_key, via,
        )  # fmt: skip
        out[-1] = Prepared(row, metadata)
    return out
