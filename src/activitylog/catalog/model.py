"""The shape of one activity type and the registry that holds them all.

Invariants:
- a code is registered once; a second registration of the same code fails at import time;
- every type has a label, a category, a sentence template, a JSON Schema for its metadata and an example
  whose metadata satisfies that schema (checked by the test suite, not at import, to keep start-up cheap).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

JsonSchema = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ActivityType:
    """One kind of action that lands in the log.

    `template` is a sentence with `{placeholders}`: `{actor}` is the teammate (or token, or system) who did
    it; any other name is a dotted path into the entry's metadata, such as `{before}` or `{team.name}`.
    Rendering happens at read time, so a template can be improved without touching stored entries.
    """

    code: str
    label: str
    category: str
    template: str
    schema: JsonSchema
    example: Mapping[str, Any]
    # "intercom-api": a code Intercom's API uses; "new": ours; "intercom-other": further Intercom codes.
    source: str = "new"
    # Metadata keys whose values are secrets: a change is recorded, the value is masked on the way in.
    masked: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The type as the API and `activitylog types --format json` describe it."""
        return {
            "code": self.code,
            "label": self.label,
            "category": self.category,
            "source": self.source,
            "template": self.template,
            "metadata_schema": self.schema,
            "example": self.example,
        }


class DuplicateActivityType(Exception):
    """Two catalog entries claimed the same code."""


class Registry:
    """Activity types by code, in registration order."""

    def __init__(self) -> None:
        self._types: dict[str, ActivityType] = {}

    def register(self, activity_type: ActivityType) -> None:
        if activity_type.code in self._types:
            raise DuplicateActivityType(f"activity type {activity_type.code!r} is registered twice")
        self._types[activity_type.code] = activity_type

    def get(self, code: str) -> ActivityType | None:
        return self._types.get(code)

    def __getitem__(self, code: str) -> ActivityType:
        return self._types[code]

    def __contains__(self, code: object) -> bool:
        return code in self._types

    def __iter__(self) -> Iterator[ActivityType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def codes(self) -> list[str]:
        return list(self._types)

    def categories(self) -> dict[str, list[ActivityType]]:
        """Types grouped by category, categories and types sorted by label (for menus)."""
        groups: dict[str, list[ActivityType]] = {}
        for activity_type in sorted(self._types.values(), key=lambda t: t.label.lower()):
            groups.setdefault(activity_type.category, []).append(activity_type)
        return dict(sorted(groups.items()))
