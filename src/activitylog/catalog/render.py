"""Render an entry's sentence from its type's template, at read time.

Template placeholders:
- `{actor}`: who did it (a teammate's name as it was at the time, an API token's name, or "The system");
- `{path}`: a metadata value at a dotted path (`{before}`, `{team.name}`);
- `{path|noun}`: a count with its noun, pluralised ("1 member", "3 members");
- `{path?text if true:text if false}`: a choice on a flag;
- `{changes:default}`: what changed between `before` and `after`, in words ("the session timeout from 1 hour
  to 4 hours"; see `fields`), or the default text when a changed field is one the vocabulary cannot say;
- `{access}`: the end of a role, permission or sign-in method change's sentence, saying what it did
  (": role from Support to Admin; now can access general and security settings"), or nothing (see `fields`);
- `{text[path]text}`: optional, the value with the text around it, or nothing at all when the value is
  missing or empty (`{ ([scope])}` is " (since 1 Jan 2026)", or "" in an entry recorded before `scope` was).

A value of two words or more that only repeats the words just before it is left out: a token named "API
token" is "revoked the API token.", not "revoked the API token API token.".

Invariant: rendering never raises. When a value the template needs is missing (old rows, imported data,
unknown codes), the sentence degrades to a plain one built from the label, as Sentry's audit log does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from activitylog.catalog.fields import describe_access, describe_changes
from activitylog.catalog.model import ActivityType

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_OPTIONAL = re.compile(r"([^\[\]]*)\[([\w.]+)\]([^\[\]]*)")
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a sentence: `kind` is "actor" (the teammate, emphasised on the page) or "text"."""

    kind: str
    text: str


def _lookup(metadata: Mapping[str, Any], path: str) -> Any:
    value: Any = metadata
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return _MISSING
    return value


def format_value(value: Any) -> str:
    """A metadata value as words: lists joined, maps as "key: value", booleans as on/off."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str):
        return value if value != "" else "(empty)"
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value) if value else "none"
    if isinstance(value, Mapping):
        if "name" in value and isinstance(value["name"], str):
            return value["name"]
        return ", ".join(f"{k.replace('_', ' ')}: {format_value(v)}" for k, v in value.items()) or "nothing"
    return str(value)


def _plural(count: Any, noun: str) -> str | None:
    if isinstance(count, bool) or not isinstance(count, int | float):
        return None
    if count == 1:
        return f"1 {noun}"
    if noun.endswith(("s", "x", "ch", "sh")):
        return f"{count:,} {noun}es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return f"{count:,} {noun[:-1]}ies"
    return f"{count:,} {noun}s"


def _expand(expression: str, metadata: Mapping[str, Any]) -> str | None:
    if expression == "access":
        return describe_access(metadata)
    if expression.startswith("changes:"):
        return describe_changes(metadata) or expression.removeprefix("changes:")
    optional = _OPTIONAL.fullmatch(expression)
    if optional is not None:
        before, path, after = optional.groups()
        value = _lookup(metadata, path)
        return "" if value is _MISSING or value in (None, "") else before + format_value(value) + after
    if "?" in expression:
        path, _, choices = expression.partition("?")
        if_true, _, if_false = choices.partition(":")
        flag = _lookup(metadata, path.strip())
        if flag is _MISSING:
            return None
        return if_true if flag else if_false
    if "|" in expression:
        path, _, noun = expression.partition("|")
        count = _lookup(metadata, path.strip())
        return None if count is _MISSING else _plural(count, noun.strip())
    value = _lookup(metadata, expression.strip())
    return None if value is _MISSING else format_value(value)


def _repeats(segments: list[Segment], expression: str, text: str) -> bool:
    """Whether a plain value of two words or more only says again the words the sentence just said."""
    if not segments or segments[-1].kind != "text" or any(c in expression for c in "?|["):
        return False
    words = text.split()
    said = segments[-1].text.split()
    return len(words) >= 2 and [w.lower() for w in said[-len(words) :]] == [w.lower() for w in words]


def fallback_sentence(actor: str, label: str) -> list[Segment]:
    return [Segment("actor", actor), Segment("text", f" performed “{label}”.")]


def render_segments(
    activity_type: ActivityType | None, code: str, actor: str, metadata: Mapping[str, Any]
) -> list[Segment]:
    """The sentence of one entry as segments, so a page can emphasise the actor safely."""
    if activity_type is None:
        return fallback_sentence(actor, code.replace("_", " "))
    segments: list[Segment] = []
    position = 0
    template = activity_type.template
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > position:
            segments.append(Segment("text", template[position : match.start()]))
        expression = match.group(1)
        if expression == "actor":
            segments.append(Segment("actor", actor))
        else:
            text = _expand(expression, metadata)
            if text is None:
                return fallback_sentence(actor, activity_type.label)
            if _repeats(segments, expression, text):
                # "revoked the API token API token": a name that only repeats the noun before it is no name.
                segments[-1] = Segment("text", segments[-1].text.rstrip())
            elif text:  # an optional part left out adds nothing
                segments.append(Segment("text", text))
        position = match.end()
    if position < len(template):
        tail = template[position:]
        # "from Acme to Acme Inc." must not end with two full stops.
        if segments and segments[-1].text.endswith(".") and tail.startswith("."):
            tail = tail[1:]
        if tail:
            segments.append(Segment("text", tail))
    return segments


def render(activity_type: ActivityType | None, code: str, actor: str, metadata: Mapping[str, Any]) -> str:
    """The sentence of one entry as plain text."""
    return "".join(segment.text for segment in render_segments(activity_type, code, actor, metadata))
