"""What every route shares for the life of the app: the log, the settings, the metrics, the writer and the
export pool."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from activitylog.api.metrics import Metrics
from activitylog.api.tenants import TokenCache
from activitylog.export.pool import ExportPool
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
