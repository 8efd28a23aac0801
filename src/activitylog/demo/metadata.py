"""Metadata for any activity type of the catalog, as a teammate's action would carry it.

A builder per type varies the type's catalog example realistically (real teammates, articles, apps...). Types
without a builder fall back to their example, or to a random `enabled` flag for plain on/off settings, so a
type added to the catalog still shows up in the demo. Follow-ups pair an action with the one that completes it
(a password reset request with its success), so the log tells the whole story.

Invariant: whatever a builder returns satisfies its type's schema (the demo records through the validating
path, and tests/demo/test_demo.py records every type).
"""

from __future__ import annotations

import copy

from activitylog.catalog import REGISTRY
from activitylog.demo.builders import Builder, FollowUp, Metadata
from activitylog.demo.meta_people import PEOPLE
from activitylog.demo.meta_work import WORK
from activitylog.demo.scene import Scene

BUILDERS: dict[str, Builder] = {**PEOPLE.builders, **WORK.builders}
FOLLOW_UPS: dict[str, FollowUp] = {**PEOPLE.follow_ups, **WORK.follow_ups}


def build(code: str, scene: Scene) -> Metadata:
    builder = BUILDERS.get(code)
    if builder is not None:
        return builder(scene)
    activity_type = REGISTRY[code]
    if activity_type.schema.get("required") == ["enabled"]:
        return {"enabled": scene.flag()}
    return copy.deepcopy(dict(activity_type.example))
