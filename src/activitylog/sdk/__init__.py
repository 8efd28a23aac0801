"""The Python SDK: `Client` and `AsyncClient` for the HTTP API (they need only httpx, not the server)."""

from activitylog.sdk._retry import RetryPolicy
from activitylog.sdk.async_client import AsyncClient
from activitylog.sdk.client import Client
from activitylog.sdk.models import (
    ActivityType,
    Actor,
    Channel,
    Event,
    EventPage,
    RecordedItem,
    RecordResult,
    Teammate,
)

__all__ = [
    "ActivityType",
    "Actor",
    "AsyncClient",
    "Channel",
    "Client",
    "Event",
    "EventPage",
    "RecordResult",
    "RecordedItem",
    "RetryPolicy",
    "Teammate",
]
