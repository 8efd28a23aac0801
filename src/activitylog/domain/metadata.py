"""Event metadata on its way in: encoded once, checked against its type's schema, secrets masked.

Invariants:
- the stored text is compact JSON, UTF-8 as is, no NaN or infinity (PostgreSQL's JSONB refuses them too);
- a metadata text found valid for a type is remembered (bounded): the schema is fixed for the life of the
  process, so a remembered text never goes stale;
- problems are (field, reason) pairs that name the dotted path inside `metadata`.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import fastjsonschema

from activitylog.catalog import REGISTRY

MAX_METADATA_BYTES = 32 * 1024
MASK = "[masked]"

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
    """Metadata as the compact JSON text stored (UTF-8 as is); ValueError for NaN or infinite numbers,
    TypeError for a value JSON has no way to write (a Python caller's set or datetime, say)."""
    if _C_ENCODE is not None:
        try:
            return "".join(_C_ENCODE(metadata, 0))
        except Exception:  # noqa: S110 - the standard encoder below raises the precise error
            pass
    return _ENCODER.encode(metadata)


# Metadata already found valid for its type, as JSON text: logs repeat themselves (the same teammate signing in
# the same way every day), and checking a schema costs more than looking the text up. Bounded; the schema is
# fixed for the life of the process, so an entry never goes stale.
_VALID_METADATA: set[tuple[str, str]] = set()
_VALID_METADATA_MAX = 50_000


def _remember_valid(code: str, metadata_json: str) -> None:
    # Small texts only (the set stays small, and hashing them cheap), and only storable ones: a remembered text
    # needs no other check (`accepted` relies on it).
    if len(metadata_json) <= 512 and "\\u0000" not in metadata_json and text_problem(metadata_json) is None:
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


def mask(metadata: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Record that a secret changed without recording the secret, at the top level and in before/after."""
    masked = dict(metadata)
    for side in ("before", "after"):
        if isinstance(masked.get(side), dict):
            masked[side] = dict(masked[side])  # a copy: the caller's own before/after stays as it was
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


def accepted(code: str, metadata: dict[str, Any], metadata_json: str) -> bool:
    """Whether metadata of a known type, encoded as `metadata_json`, can be stored as it is: it satisfies the
    type's schema, and its text holds no NUL (which PostgreSQL cannot store) and passes `text_problem`."""
    if (code, metadata_json) in _VALID_METADATA:
        return True
    if "\\u0000" in metadata_json or text_problem(metadata_json) is not None:
        return False
    try:
        _metadata_validator(code)(metadata)
    except fastjsonschema.JsonSchemaValueException:
        return False
    _remember_valid(code, metadata_json)
    return True


def schema_problem(code: str, metadata: dict[str, Any], metadata_json: str | None) -> tuple[str, str] | None:
    """What is wrong with metadata for a known type, as (field, reason); None when it is valid.

    `metadata_json` is its encoded text, or None when it could not be encoded (then nothing is remembered)."""
    if metadata_json is not None and (code, metadata_json) in _VALID_METADATA:
        return None
    try:
        _metadata_validator(code)(metadata)
    except fastjsonschema.JsonSchemaValueException as problem:
        return _schema_problem(problem)
    if metadata_json is not None:
        _remember_valid(code, metadata_json)
    return None


def text_problem(metadata_json: str) -> str | None:
    """What makes an encoded metadata text unstorable: its size, or an unpaired surrogate (JSON's `\\ud800`
    decodes to one, and no database can store it as UTF-8). A reason for field `metadata`, or None."""
    if metadata_json.isascii():
        size = len(metadata_json)
    else:
        try:
            size = len(metadata_json.encode())
        except UnicodeEncodeError:
            return "must not contain unpaired surrogate characters (\\ud800 to \\udfff)"
    if size > MAX_METADATA_BYTES:
        return f"is {size:,} bytes; the limit is 32 KiB"
    return None
