"""The activity-type catalog: a registry built once from the data in `types.py` and `intercom_other.py`."""

from __future__ import annotations

from activitylog.catalog.model import ActivityType, DuplicateActivityType, Registry
from activitylog.catalog.render import Segment, render, render_segments

__all__ = ["REGISTRY", "ActivityType", "DuplicateActivityType", "Registry", "Segment", "render", "render_segments"]


def _build() -> Registry:
    from activitylog.catalog.intercom_other import INTERCOM_OTHER
    from activitylog.catalog.types import CATALOG

    registry = Registry()
    for activity_type in (*CATALOG, *INTERCOM_OTHER):
        registry.register(activity_type)
    return registry


REGISTRY: Registry = _build()
