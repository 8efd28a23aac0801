"""The reference for the HTTP figures: a bare Starlette app under the same uvicorn, doing only the work itself.

    ACTIVITYLOG_BARE_WRITE_DB=/path/w.db ACTIVITYLOG_BARE_READ_DB=/path/bench.db \\
        python -m uvicorn bench.bare_app:app --port 8001 --no-access-log --log-level warning

- `POST /events`: parses the JSON body and inserts one row (the event's fields, metadata as JSON text) into its
  own SQLite table, in WAL mode with `synchronous=NORMAL` as the store runs, autocommit, one index; 201 and the
  new id as JSON. No authentication, validation, idempotency, hash chain, group commit or metrics.
- `GET /events?workspace=W&limit=N`: runs the library's own first-page SQL (`storage.sql.select_page`, no filter)
  on the read database and answers the rows as JSON.

`bench.http_bench` starts it the way it starts `activitylog serve` and drives both with the same load client in
alternating rounds; the ratio between them is what the service adds to the bare work.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from activitylog.domain.filters import ActivityFilter
from activitylog.storage.sql import select_page


def _connect(path: str, *, readonly: bool = False) -> sqlite3.Connection:
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    if not readonly:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, type TEXT NOT NULL, actor_id TEXT, "
            "actor_name TEXT, occurred_at TEXT, ip TEXT, metadata TEXT NOT NULL)"
        )
        connection.execute("CREATE INDEX IF NOT EXISTS events_by_time ON events (occurred_at)")
    return connection


_writes = _connect(os.environ["ACTIVITYLOG_BARE_WRITE_DB"])
_reads = _connect(os.environ["ACTIVITYLOG_BARE_READ_DB"], readonly=True)
_JSON = {"content-type": "application/json"}


async def record(request: Request) -> Response:
    event: dict[str, Any] = json.loads(await request.body())
    actor = event.get("actor") or {}
    entry_id = str(uuid.uuid4())
    _writes.execute(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
        (entry_id, event.get("type"), actor.get("id"), actor.get("name"), event.get("occurred_at"), event.get("ip"),
         json.dumps(event.get("metadata") or {})),
    )  # fmt: skip
    return Response(json.dumps({"id": entry_id}), 201, headers=_JSON)


async def page(request: Request) -> Response:
    sql = select_page(request.query_params["workspace"], ActivityFilter(), limit=int(request.query_params["limit"]))
    rows = _reads.execute(sql.sql, sql.params).fetchall()
    return Response(json.dumps({"data": rows}), 200, headers=_JSON)


app = Starlette(routes=[Route("/events", record, methods=["POST"]), Route("/events", page, methods=["GET"])])
