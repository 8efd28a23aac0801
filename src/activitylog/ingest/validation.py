"""The general path: any incoming event (JSON-like dict) parsed by pydantic into an entry ready to store, or
exactly what is wrong with it. The fast path (`fast`) takes the common shape first; this decides the rest.

Invariants:
- every problem of every item is reported, each with the item's index, the field's dotted path and a
  reason a person can act on; one bad item makes the whole batch fail (nothing partial is written);
- what passes is normalised: IPs canonical, times UTC microseconds, secrets masked, metadata serialised once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from activitylog import ids
from activitylog.catalog import REGISTRY
from activitylog.domain import limits
from activitylog.domain.ipaddr import normalise
from activitylog.domain.metadata import encode_metadata, mask, schema_problem, text_problem
from activitylog.domain.prepared import Prepared, entry_row
from activitylog.errors import FieldError
from activitylog.ingest.intake import Intake
from activitylog.timeutil import to_us

Short = Annotated[str, Field(min_length=1, max_length=limits.SHORT_MAX)]


class ActorIn(BaseModel):
    """Who performed the action. A teammate or API token needs an id; the system needs nothing."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)

    type: Literal["teammate", "api_token", "system"] = "teammate"
    id: Short | None = None
    name: Annotated[str, Field(max_length=limits.NAME_MAX)] | None = None
    email: Annotated[str, Field(max_length=limits.EMAIL_MAX)] | None = None

    @field_validator("id")
    @classmethod
    def _printable_id(cls, value: str | None) -> str | None:
        problem = None if value is None else ids.actor_id_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _needs_id(self) -> ActorIn:
        if self.type != "system" and not self.id:
            raise ValueError(f"an actor of type {self.type} needs an id")
        return self


class EventIn(BaseModel):
    """An event as a recorder sends it (the API body, the SDK, the CLI's JSON)."""

    model_config = ConfigDict(extra="forbid")

    type: Annotated[str, Field(min_length=1, max_length=limits.TYPE_MAX)]
    actor: ActorIn
    occurred_at: AwareDatetime | None = None
    ip: Annotated[str, Field(max_length=limits.IP_MAX)] | None = None
    user_agent: Annotated[str, Field(max_length=limits.USER_AGENT_MAX)] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    request_id: Short | None = None
    idempotency_key: Short | None = None


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


def prepare(event: EventIn, intake: Intake, index: int | None = None) -> Prepared | list[FieldError]:
    """One parsed event as a storable entry, or the list of what is wrong with it."""
    now_us, retention_days = intake.now_us, intake.retention_days
    errors: list[FieldError] = []
    activity_type = REGISTRY.get(event.type)
    if activity_type is None:
        errors.append(FieldError("type", f"unknown activity type {event.type!r} (see GET /v1/activity-types)", index))

    occurred_us = now_us if event.occurred_at is None else to_us(event.occurred_at)
    if occurred_us > intake.newest_us:
        errors.append(FieldError("occurred_at", "is more than 5 minutes in the future", index))
    elif occurred_us < intake.oldest_us:
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
        metadata = mask(metadata, activity_type.masked)
    metadata_json: str | None = None
    try:
        metadata_json = encode_metadata(metadata)
    except ValueError:
        errors.append(FieldError("metadata", "must not contain NaN or infinite numbers", index))
    except TypeError:
        errors.append(FieldError("metadata", JSON_ONLY, index))
    else:
        if (reason := text_problem(metadata_json)) is not None:
            errors.append(FieldError("metadata", reason, index))
    if activity_type is not None and (problem := schema_problem(event.type, metadata, metadata_json)) is not None:
        errors.append(FieldError(*problem, index))

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
        or (metadata_json is not None and "\\u0000" in metadata_json)
    ):
        errors.extend(_nul_errors(event, metadata, index))
    if errors or metadata_json is None:
        return errors
    row = entry_row(
        intake.workspace_id, intake.new_id(occurred_us), event.type, actor.type, actor.id, actor.name,
        actor.email, occurred_us, now_us, ip, ip_key, event.user_agent, metadata_json, event.request_id,
        event.idempotency_key, intake.via,
    )  # fmt: skip
    return Prepared(row, metadata)


JSON_ONLY = "must hold only JSON values: objects, arrays, strings, numbers, true, false and null"


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
