"""activitylog: a self-hostable teammate activity log for multi-tenant SaaS workspaces.

`from activitylog import Client` (or `AsyncClient`) gives the HTTP SDK; it is imported on first use, so
`import activitylog` stays cheap for the CLI and for apps that embed the library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from activitylog.sdk import AsyncClient, Client

__all__ = ["AsyncClient", "Client", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("Client", "AsyncClient"):
        from activitylog import sdk

        return getattr(sdk, name)
    raise AttributeError(f"module 'activitylog' has no attribute {name!r}")
