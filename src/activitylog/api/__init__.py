"""The HTTP service: the native `/v1` API, the Intercom-compatible `/admins` API, health and metrics."""

from activitylog.api.app import create_app

__all__ = ["create_app"]
