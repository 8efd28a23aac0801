"""Turn incoming events (JSON-like dicts) into entries ready to store, or say exactly what is wrong.

Invariants:
- every problem of every item is reported, each with the item's index, the field's dotted path and a
  reason a person can act on; one bad item makes the whole batch fail (nothing partial is written);
- what passes is normalised: IPs canonical, times UTC microseconds, secrets masked, metadata serialised once.
"""

from __future__ import annotations

import gc
import json
import json.encoder
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

import fastjsonschema
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from activitylog import ids
from activitylog.catalog import REGISTRY
from activitylog.domain.entry import Actor, Entry
from activitylog.domain.ipaddr import normalise
from activitylog.errors import FieldError, InvalidInput
from activitylog.timeutil import DAY_US, MICROS, to_us

MAX_METADATA_BYTES = 32 * 1024
MAX_FUTURE_US = 5 * 60 * MICROS  # clock skew we tolerate between the recorder and us
MASK = "[masked]"

Short = Annotated[str, Field(min_length=1, max_length=200)]


class ActorIn(BaseModel):
    """Who performed the action. A teammate or API token needs an id; the system needs nothing."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)

    type: Literal["teammate", "api_token", "system"] = "teammate"
    id: Short | None = None
    name: Annotated[str, Field(max_length=200)] | None = None
    email: Annotated[str, Field(max_length=320)] | None = None

    @model_validator(mode="after")
    def _needs_id(self) -> ActorIn:
        if self.type != "system" and not self.id:
            raise ValueError(f"an actor of type {self.type} needs an id")
        return self


class EventIn(BaseModel):
    """An event as a recorder sends it (the API body, the SDK, the CLI's JSON)."""

    model_config = ConfigDict(extra="forbid")

    type: Annotated[str, Field(min_length=1, max_length=100)]
    actor: ActorIn
    occurred_at: AwareDatetime | None = None
    ip: Annotated[str, Field(max_length=100)] | None = None
    user_agent: Annotated[str, Field(max_length=1000)] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    request_id: Short | None = None
    idempotency_key: Short | None = None


#: The columns of a stored entry, in the order of `Prepared.row` (storage's INSERT uses the same order).
ROW_FIELDS = (
    "workspace_id", "id", "type", "actor_type", "actor_id", "actor_name", "actor_email", "occurred_us",
    "recorded_us", "ip", "ip_key", "user_agent", "metadata", "request_id", "idempotency_key",
)  # fmt: skip


# Not frozen (a frozen dataclass sets each field through object.__setattr__, a cost paid for every recorded
# entry); never changed after `prepare` builds it.
@dataclass(slots=True)
class Prepared:
    """A validated entry as the row a store inserts (ROW_FIELDS order, metadata as JSON text).

    The row is built once, in `prepare`; the Entry is built from it only when someone asks (most batches are
    stored and answered with their ids alone, and this runs once per recorded entry).
    """

    row: tuple[Any, ...]
    metadata: dict[str, Any]

    @classmethod
    def of(cls, entry: Entry, metadata_json: str, ip_key: bytes | None) -> Prepared:
        actor = entry.actor
        row = (
            entry.workspace_id, entry.id, entry.type, actor.type, actor.id, actor.name, actor.email,
            entry.occurred_us, entry.recorded_us, entry.ip, ip_key, entry.user_agent, metadata_json,
            entry.request_id, entry.idempotency_key,
        )  # fmt: skip
        return cls(row, entry.metadata)

    @property
    def id(self) -> str:
        return str(self.row[1])

    @property
    def occurred_us(self) -> int:
        return int(self.row[7])

    @property
    def idempotency_key(self) -> str | None:
        key: str | None = self.row[14]
        return key

    @property
    def metadata_json(self) -> str:
        return str(self.row[12])

    @property
    def ip_key(self) -> bytes | None:
        key: bytes | None = self.row[10]
        return key

    @property
    def actor(self) -> Actor:
        row = self.row
        return Actor(row[3], row[4], row[5], row[6])

    @property
    def entry(self) -> Entry:
        row = self.row
        return Entry(
            row[1], row[0], row[2], self.actor, row[7], row[8], row[9], row[11], self.metadata, row[13], row[14]
        )


# One encoder for every entry: compact, UTF-8 as is, and no NaN (PostgreSQL's JSONB refuses it too).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
# The same encoder's C core, made once: `JSONEncoder.encode` builds it (and a closure) again on every call, which
# was half the cost of encoding a small metadata object. Without the circular-reference markers, so it keeps no
# state between calls and threads may share it; anything it refuses (NaN, a cycle, a type JSON lacks) is
# encoded again by `_ENCODER`, which raises exactly what it always did.
_make_c_encoder = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE: Callable[[Any, int], Sequence[str]] | None = (
    _make_c_encoder(None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, False)
    if _make_c_encoder is not None
    else None
)


def encode_metadata(metadata: dict[str, Any]) -> str:
    """Metadata as the compact JSON text stored (UTF-8 as is); ValueError for NaN or infinite numbers."""
    if _C_ENCODE is not None:
        try:
            return "".join(_C_ENCODE(metadata, 0))
        except Exception:  # noqa: S110 - the standard encoder below raises the precise error
            pass
    return _ENCODER.encode(metadata)


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is prepared (reference counting still frees everything).

    Preparing 1,000 events allocates some 10,000 short-lived containers (models, dicts, rows); each 700 of them
    started a collection that walked the half-built batch, and every few batches a full one walked every object
    of the process: a third of the cost of preparing (bench.sqlite_bench). Nothing here makes reference cycles, so
    pausing frees nothing later than it would have been. Process-wide, so it is only resumed by whoever paused
    it: a thread that finds collection already paused (by another batch, or by the application) leaves it so.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


_EVENTS = TypeAdapter(list[EventIn])


# Metadata already found valid for its type, as JSON text: logs repeat themselves (the same teammate signing in
# the same way every day), and checking a schema costs more than looking the text up. Bounded; the schema is
# fixed for the life of the process, so an entry never goes stale.
_VALID_METADATA: set[tuple[str, str]] = set()
_VALID_METADATA_MAX = 50_000


def _remember_valid(code: str, metadata_json: str) -> None:
    if len(metadata_json) <= 512:  # small texts only: the set stays small and hashing them stays cheap
        if len(_VALID_METADATA) >= _VALID_METADATA_MAX:
            _VALID_METADATA.clear()
        _VALID_METADATA.add((code, metadata_json))


@cache
def _metadata_validator(code: str) -> Callable[[Any], Any]:
    activity_type = REGISTRY[code]
    validator: Callable[[Any], Any] = fastjsonschema.compile(dict(activity_type.schema))
    return validator


def warm_up() -> None:
    """Compile every type's metadata validator now (about 0.1 s), not on each type's first event (a server)."""
    for code in REGISTRY.codes():
        _metadata_validator(code)


def _loc(parts: Sequence[int | str]) -> str:
    return ".".join(str(p) for p in parts) or "body"


def _pydantic_errors(error: ValidationError, offset: int = 0) -> list[FieldError]:
    found = []
    for detail in error.errors(include_url=False):
        loc = list(detail["loc"])
        index = loc.pop(0) if loc and isinstance(loc[0], int) else None
        message = detail["msg"]
        if detail["type"] == "missing":
            message = "is required"
        elif detail["type"] == "extra_forbidden":
            message = "is not a known field"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        found.append(FieldError(_loc(loc), message, None if index is None else int(index) + offset))
    return found


def _mask(metadata: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Record that a secret changed without recording the secret, at the top level and in before/after."""
    masked = dict(metadata)
    for container in (masked, masked.get("before"), masked.get("after")):
        if isinstance(container, dict):
            for name in keys:
                if name in container and container[name] is not None:
                    container[name] = MASK
    return masked


def _describe(option: Mapping[str, Any]) -> str:
    kind = str(option.get("type", "a value"))
    if "maxLength" in option:
        return f"{kind} of at most {option['maxLength']} characters"
    return kind


def _schema_problem(problem: fastjsonschema.JsonSchemaValueException) -> tuple[str, str]:
    """fastjsonschema says "data.before must be string"; we say field metadata.before, "must be string"."""
    path = "metadata" + "".join(f".{p}" for p in (problem.path or [])[1:])
    definition = problem.definition if isinstance(problem.definition, Mapping) else {}
    if problem.rule == "required" and isinstance(problem.value, Mapping):
        missing = [key for key in definition.get("required", []) if key not in problem.value]
        if missing:
            return f"{path}.{missing[0]}", "is required"
    if problem.rule == "anyOf":
        return path, "must be " + " or ".join(_describe(option) for option in definition.get("anyOf", []))
    _, _, reason = (problem.message or "").partition(" must ")
    return path, f"must {reason}" if reason else "is not valid"


def _check_metadata(code: str, metadata: dict[str, Any], index: int | None) -> list[FieldError]:
    try:
        _metadata_validator(code)(metadata)
    except fastjsonschema.JsonSchemaValueException as problem:
        return [FieldError(*_schema_problem(problem), index)]
    return []


NUL_MESSAGE = "must not contain the NUL character (\\u0000)"


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _nul_errors(event: EventIn, metadata: dict[str, Any], index: int | None) -> list[FieldError]:
    actor = event.actor
    fields = {
        "type": event.type,
        "actor.id": actor.id,
        "actor.name": actor.name,
        "actor.email": actor.email,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
        "idempotency_key": event.idempotency_key,
        "metadata": metadata,
    }
    return [FieldError(name, NUL_MESSAGE, index) for name, value in fields.items() if _holds_nul(value)]


def prepare(
    event: EventIn,
    *,
    workspace_id: str,
    retention_days: int,
    now_us: int,
    index: int | None = None,
    id_for: Callable[[int], str] | None = None,
) -> Prepared | list[FieldError]:
    """One parsed event as a storable entry, or the list of what is wrong with it."""
    errors: list[FieldError] = []
    activity_type = REGISTRY.get(event.type)
    if activity_type is None:
        errors.append(FieldError("type", f"unknown activity type {event.type!r} (see GET /v1/activity-types)", index))

    occurred_us = now_us if event.occurred_at is None else to_us(event.occurred_at)
    if occurred_us > now_us + MAX_FUTURE_US:
        errors.append(FieldError("occurred_at", "is more than 5 minutes in the future", index))
    elif occurred_us < now_us - retention_days * DAY_US:
        errors.append(
            FieldError("occurred_at", f"is older than the workspace's retention period of {retention_days} days", index)
        )

    ip = ip_key = None
    if event.ip is not None and event.ip.strip():
        try:
            ip, ip_key = normalise(event.ip)
        except ValueError:
            errors.append(FieldError("ip", f"{event.ip!r} is not an IPv4 or IPv6 address", index))

    metadata = event.metadata
    if activity_type is not None and activity_type.masked:
        metadata = _mask(metadata, activity_type.masked)
    try:
        metadata_json = encode_metadata(metadata)
    except ValueError:
        errors.append(FieldError("metadata", "must not contain NaN or infinite numbers", index))
        metadata_json = "{}"
    if activity_type is not None and (event.type, metadata_json) not in _VALID_METADATA:
        problems = _check_metadata(event.type, metadata, index)
        if problems:
            errors.extend(problems)
        else:
            _remember_valid(event.type, metadata_json)
    # A character is at most 4 bytes of UTF-8: short texts need no encoding to know they fit.
    if len(metadata_json) > MAX_METADATA_BYTES // 4 and (size := len(metadata_json.encode())) > MAX_METADATA_BYTES:
        errors.append(FieldError("metadata", f"is {size:,} bytes; the limit is 32 KiB", index))

    actor = event.actor
    # PostgreSQL cannot store NUL in text or JSONB, so no backend takes it (one cheap test; names on a hit).
    if (
        "\x00" in event.type
        or (actor.id is not None and "\x00" in actor.id)
        or (actor.name is not None and "\x00" in actor.name)
        or (actor.email is not None and "\x00" in actor.email)
        or (event.user_agent is not None and "\x00" in event.user_agent)
        or (event.request_id is not None and "\x00" in event.request_id)
        or (event.idempotency_key is not None and "\x00" in event.idempotency_key)
        or "\\u0000" in metadata_json
    ):
        errors.extend(_nul_errors(event, metadata, index))
    if errors:
        return errors
    row = (
        workspace_id, (id_for or ids.entry_id)(occurred_us), event.type, actor.type, actor.id, actor.name,
        actor.email, occurred_us, now_us, ip, ip_key, event.user_agent, metadata_json, event.request_id,
        event.idempotency_key,
    )  # fmt: skip
    return Prepared(row, metadata)


def parse_event(item: Any, index: int | None = None) -> EventIn | list[FieldError]:
    """One raw event parsed, or the list of what is structurally wrong with it."""
    if isinstance(item, EventIn):
        return item
    if not isinstance(item, Mapping):
        return [FieldError("body" if index is None else "event", "must be a JSON object", index)]
    try:
        return EventIn.model_validate(item)
    except ValidationError as problem:
        return [FieldError(e.field, e.message, index) for e in _pydantic_errors(problem)]


def prepare_batch(
    items: Sequence[Mapping[str, Any] | EventIn],
    *,
    workspace_id: str,
    retention_days: int,
    now_us: int,
    id_for: Callable[[int], str] | None = None,
    complete: Callable[[list[EventIn | None]], list[FieldError]] | None = None,
) -> list[Prepared]:
    """Every event of a batch prepared, or InvalidInput listing every problem of every item.

    `complete` may fill in parsed events in place (e.g. a teammate's name from the directory) and report
    what it could not fill; it sees None where an item did not parse.
    """
    errors: list[FieldError] = []
    events: list[EventIn | None]
    with _cycle_collection_paused():
        try:
            # The common case, a valid batch, in one call into pydantic's core.
            events = list(_EVENTS.validate_python(items))
        except ValidationError:
            events = []
            for index, item in enumerate(items):
                parsed = parse_event(item, index)
                if isinstance(parsed, EventIn):
                    events.append(parsed)
                else:
                    events.append(None)
                    errors.extend(parsed)
    if complete is not None:
        errors.extend(complete(events))  # may read the database: not with collection paused
    prepared: list[Prepared] = []
    with _cycle_collection_paused():
        for index, event in enumerate(events):
            if event is None:
                continue
            result = prepare(
                event,
                workspace_id=workspace_id,
                retention_days=retention_days,
                now_us=now_us,
                index=index,
                id_for=id_for,
            )
            if isinstance(result, Prepared):
                prepared.append(result)
            else:
                errors.extend(result)
        # The parsed events die here, before collection resumes: it then has only the rows to look at.
        events.clear()
    if errors:
        errors.sort(key=lambda e: -1 if e.index is None else e.index)
        raise InvalidInput(errors)
    return prepared
