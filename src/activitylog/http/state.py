"""What every route of both surfaces shares for the life of the app, and where a request came from.

`Services` (the log, the settings, the metrics, the writer, the token cache, the export pool) and `Accounts`
(the console's account operations) are built once by the app's lifespan (`http.app`) and read per request
through `services(request)` and `accounts(request)`; nothing here holds per-request state.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from activitylog.accounts.console import Console, Origin
from activitylog.accounts.profile import Profile
from activitylog.accounts.signin import SignIn
from activitylog.accounts.team import Team
from activitylog.accounts.workspace_settings import WorkspaceSettings
from activitylog.export.pool import ExportPool
from activitylog.http.clientinfo import client_ip
from activitylog.http.metrics import Metrics
from activitylog.http.request_id import request_id
from activitylog.http.tenants import TokenCache
from activitylog.service import ActivityLog
from activitylog.settings import Settings
from activitylog.storage.writer import GroupCommitWriter


@dataclass(frozen=True, slots=True)
class Services:
    log: ActivityLog
    settings: Settings
    metrics: Metrics
    writer: GroupCommitWriter  # every write of the API goes through it (group commit)
    tokens: TokenCache
    exports: ExportPool  # every CSV download holds a slot of it while it streams


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


@dataclass(frozen=True, slots=True)
class Accounts:
    console: Console
    sign_in: SignIn
    team: Team
    settings: WorkspaceSettings
    profile: Profile

    @classmethod
    def over(cls, log: ActivityLog) -> Accounts:
        console = Console(log)
        return cls(console, SignIn(console), Team(console), WorkspaceSettings(console), Profile(console))


def accounts(request: Request) -> Accounts:
    found: Accounts = request.app.state.accounts
    return found


def origin(request: Request) -> Origin:
    """The request's IP (X-Forwarded-For only from trusted proxies), user agent and request id."""
    ip = client_ip(request, services(request).settings.proxy_networks)
    return Origin(ip, request.headers.get("user-agent"), request_id(request))
