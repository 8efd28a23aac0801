"""The one data shape of the security settings, as `security_settings_change` carries them in `before` / `after`.

Settings > Security is the source: an idle timeout in minutes and whether every teammate must sign in with a
second factor. The console, the demo and the catalog's example all build the shape with `security_settings`,
so no producer can drift to hours or to other names again (issue 17, bug 6). The retention period is not a
security setting: it has a type of its own, `app_data_retention_change`.

Entries written before this shape existed keep their data (`session_timeout_hours`, `retention_days`...): the
schema leaves `before` / `after` open, so they stay readable, importable and renderable.
"""

from __future__ import annotations

from activitylog.catalog.schemas import BOOLEAN, Schema, obj

SESSION_TIMEOUT = "session_timeout_minutes"
REQUIRE_TWO_FACTOR = "require_two_factor"

#: `before` and `after` of a security settings change: typed when present, open for old and imported keys.
SECURITY_SETTINGS: Schema = obj(
    optional={
        SESSION_TIMEOUT: {"type": "integer", "minimum": 1, "description": "minutes a session may stay idle"},
        REQUIRE_TWO_FACTOR: {**BOOLEAN, "description": "every teammate must sign in with a second factor"},
    }
)
FIELDS: tuple[str, ...] = tuple(SECURITY_SETTINGS["properties"])


def security_settings(*, session_timeout_minutes: int, require_two_factor: bool) -> dict[str, object]:
    """The settings as a security settings change records them: every field, in minutes."""
    return {SESSION_TIMEOUT: session_timeout_minutes, REQUIRE_TWO_FACTOR: require_two_factor}
