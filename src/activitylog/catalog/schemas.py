"""Small builders for the JSON Schemas that describe each activity type's metadata.

Metadata stays open (`additionalProperties` is allowed) because Intercom clients and imports carry keys we do
not know; what a type's sentence needs is required and typed.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string", "maxLength": 2000}
SHORT: Schema = {"type": "string", "maxLength": 200}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
ANY: Schema = {}
STRINGS: Schema = {"type": "array", "items": SHORT, "maxItems": 1000}
ID: Schema = {"type": ["string", "integer"]}

#: A teammate named in metadata (the one invited, deleted, changed...), as they were at the time.
TEAMMATE: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {"id": ID, "name": SHORT, "email": SHORT},
}

#: Something with an id and a name: a role, a team, an app, a campaign, an article...
NAMED: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {"id": ID, "name": SHORT},
}


def obj(required: dict[str, Schema] | None = None, optional: dict[str, Schema] | None = None) -> Schema:
    """An object with the given required and optional properties; other keys are allowed."""
    required = required or {}
    properties = {**required, **(optional or {})}
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def change(value: Schema, **extra: Schema) -> Schema:
    """A change of one value: `before` and `after` (either may be null, e.g. a first value)."""
    nullable = {"anyOf": [value, {"type": "null"}]}
    return obj(required={"before": nullable, "after": nullable, **extra})


def changes(**extra: Schema) -> Schema:
    """A change of several fields: `before` and `after` are objects of field -> value."""
    fields: Schema = {"type": "object"}
    return obj(required={"before": fields, "after": fields, **extra})
