"""Metadata fields in words: a label and a way to say each value, for sentences and before/after tables.

"changed the session timeout from 1 hour to 4 hours", and a table row "Session timeout: 1 hour → 4 hours",
never `session_timeout_minutes` or "60". Fields the vocabulary does not know keep their key in words
("Custom flag") and their value as `render.format_value` says it. Old names of a field (the demo's hours
before issue 17, the command line's `retention_days` inside a security change) are known too, so entries
already in a log read as well as new ones.

Invariant: saying a value never raises, whatever the entry holds (imported and old data included).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from activitylog.catalog.access import PERMISSIONS, SIGN_IN_METHODS
from activitylog.catalog.security import REQUIRE_TWO_FACTOR, SESSION_TIMEOUT


def duration(minutes: Any) -> str | None:
    """Whole minutes as the largest unit that says them exactly: "1 day", "4 hours", "90 minutes"."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        return None
    for size, unit in ((1440, "day"), (60, "hour")):
        if minutes >= size and minutes % size == 0:
            return f"{minutes // size:,} {unit}{'' if minutes == size else 's'}"
    return f"{minutes:,} minute{'' if minutes == 1 else 's'}"


def _hours(hours: Any) -> str | None:
    return duration(hours * 60) if isinstance(hours, int) and not isinstance(hours, bool) else None


def _days(days: Any) -> str | None:
    if isinstance(days, bool) or not isinstance(days, int):
        return None
    return f"{days:,} day{'' if days == 1 else 's'}"


def _required(flag: Any) -> str | None:
    return ("required" if flag else "not required") if isinstance(flag, bool) else None


def _granted(flag: Any) -> str | None:
    return ("granted" if flag else "not granted") if isinstance(flag, bool) else None


def _allowed(flag: Any) -> str | None:
    return ("allowed" if flag else "not allowed") if isinstance(flag, bool) else None


def _role(name: Any) -> str | None:
    if name is None:
        return "permissions of their own"
    return name if isinstance(name, str) and name else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class Field:
    label: str  # as a table row names it: "Session timeout"
    say: Callable[[Any], str | None]  # the value in words, None when it is not of the field's kind
    called: str = ""  # as a sentence names it, when not "the" and the label: "two-factor authentication"
    # A flag that an access clause says as a verb: "grant" (now can / no longer can), "allow" (now allows /
    # no longer allows); empty for a value said "from X to Y".
    kind: str = ""

    @property
    def noun(self) -> str:
        return self.called or "the " + self.label[:1].lower() + self.label[1:]


FIELDS: dict[str, Field] = {
    SESSION_TIMEOUT: Field("Session timeout", duration),
    REQUIRE_TWO_FACTOR: Field("Two-factor authentication", _required, "two-factor authentication"),
    # Older names of the same settings, as entries recorded before one shape existed carry them.
    "session_timeout_hours": Field("Session timeout", _hours),
    "require_two_factor_auth": Field("Two-factor authentication", _required, "two-factor authentication"),
    "retention_days": Field("Retention period", _days),
    # Access: a teammate's or a role's permissions, a role's name, the ways of signing in.
    "role": Field("Role", _role),
    "name": Field("Name", _text),
    **{code: Field(text, _granted, kind="grant") for code, text in PERMISSIONS.items()},
    **{code: Field(text, _allowed, kind="allow") for code, text in SIGN_IN_METHODS.items()},
}


def label(key: str) -> str:
    known = FIELDS.get(key)
    if known is not None:
        return known.label
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else key


def _field(key: str) -> Field | None:
    """The vocabulary's field, or a permission another product names (`can_export_data`, imported data)."""
    known = FIELDS.get(key)
    if known is None and key.startswith("can_"):
        return Field(label(key), _granted, kind="grant")
    return known


def say(key: str, value: Any, otherwise: Callable[[Any], str]) -> str:
    """The value in words: the field's own way when it knows the value, else `otherwise`."""
    known = _field(key)
    said = known.say(value) if known is not None else None
    return said if said is not None else otherwise(value)


def changed_fields(metadata: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(key, before, after) of each field whose value differs between `before` and `after` (both objects)."""
    before, after = metadata.get("before"), metadata.get("after")
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return []
    missing = object()
    keys = list(dict.fromkeys([*before, *after]))
    return [
        (str(key), before.get(key), after.get(key))
        for key in keys
        if before.get(key, missing) != after.get(key, missing)
    ]


def describe_changes(metadata: Mapping[str, Any]) -> str | None:
    """ "the session timeout from 1 hour to 4 hours and two-factor authentication from not required to
    required": every changed field the vocabulary knows, or None when it knows none of them."""
    parts = []
    for key, old, new in changed_fields(metadata):
        known = FIELDS.get(key)
        if known is None:
            return None  # a field we cannot say: the type's plain sentence says it better than half a list
        before, after = known.say(old), known.say(new)
        if before is None or after is None:
            return None
        parts.append(f"{known.noun} from {before} to {after}")
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def describe_access(metadata: Mapping[str, Any]) -> str:
    """What a role, permission or sign-in method change did, as the end of its sentence: " (renamed from
    Support)", ": role from Support to Admin; now can access general and security settings", ": no longer
    allows recovery codes instead of the authenticator app". Empty when a changed field is one it cannot say
    (the sentence's head is then the whole sentence, as before this vocabulary existed)."""
    renamed = ""
    clauses: list[str] = []
    now: list[str] = []
    no_longer: list[str] = []
    for key, old, new in changed_fields(metadata):
        known = _field(key)
        if known is None:
            return ""
        if known.kind:
            if not isinstance(old, bool) or not isinstance(new, bool):
                return ""
            phrase = _lower_first(known.label) if known.kind == "grant" else "allows " + _lower_first(known.label)
            (now if new else no_longer).append(phrase)
            continue
        before, after = known.say(old), known.say(new)
        if before is None or after is None:
            return ""
        if key == "name":
            renamed = f" (renamed from {before})"
        else:
            clauses.append(f"{_lower_first(known.label)} from {before} to {after}")
    if now:
        clauses.append("now " + " and ".join(now))
    if no_longer:
        clauses.append("no longer " + " or ".join(no_longer))
    return renamed + (": " + "; ".join(clauses) if clauses else "")
