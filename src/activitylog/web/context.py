"""What the console's routes share: the account operations, and where a request came from."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from activitylog.accounts.console import Console, Origin
from activitylog.accounts.profile import Profile
from activitylog.accounts.settings_ops import WorkspaceSettings
from activitylog.accounts.signin import SignIn
from activitylog.accounts.team import Team
from activitylog.api.clientinfo import client_ip
from activitylog.api.context import services
from activitylog.api.request_id import request_id
from activitylog.service import ActivityLog


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
