"""How metadata builders register: one `Builders` per family of activity types (see `metadata`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from activitylog.catalog import REGISTRY
from activitylog.demo.scene import Scene

Metadata = dict[str, Any]
Builder = Callable[[Scene], Metadata]
# Given the first action's scene and metadata: how many seconds later the follow-up happens, and its metadata;
# or None when this time it does not happen.
FollowPlan = Callable[[Scene, Metadata], tuple[float, Metadata] | None]


@dataclass(frozen=True, slots=True)
class FollowUp:
    """The action that completes another (a logout after a login), planned from the first's scene."""

    code: str
    plan: FollowPlan


class Builders:
    """Builders and follow-ups of a family of types, registered with a decorator."""

    def __init__(self) -> None:
        self.builders: dict[str, Builder] = {}
        self.follow_ups: dict[str, FollowUp] = {}

    def builds(self, *codes: str) -> Callable[[Builder], Builder]:
        def register(function: Builder) -> Builder:
            for code in codes:
                if code not in REGISTRY:  # a typo would otherwise fall back to the example unnoticed
                    raise KeyError(f"no activity type {code!r}")
                self.builders[code] = function
            return function

        return register

    def follows(self, first: str, code: str) -> Callable[[FollowPlan], FollowPlan]:
        def register(function: FollowPlan) -> FollowPlan:
            self.follow_ups[first] = FollowUp(code, function)
            return function

        return register
