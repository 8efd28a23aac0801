"""Settings > General > Teammate activity logs: the page, its further entries, its histogram and its CSV.

- `GET .../settings/activity-logs`: the page with its first entries, server-rendered (it works without
  script); the filters are the URL's (see `activity_filters`), so a view can be bookmarked and shared;
- `GET .../settings/activity-logs/entries?cursor=...`: the next entries, as the admin scrolls (htmx asks,
  with the page's filters); the last batch ends with the end-of-log marker;
- `GET .../settings/activity-logs/histogram`: entries per day over the filtered range, fetched by the page
  after it is shown, so a slow count never holds the list up;
- `POST .../settings/activity-logs/download`: every entry the filters match, streamed as CSV, and logged as
  `data_export_run` by the viewer (a POST with the session's CSRF token: a download writes to the log).

Every route needs "Can access general and security settings". Each answer says how long the server took
(`Server-Timing: app;dur=...`), which `bench/page_bench.py` reads.
"""

from __future__ import annotations

import time
from datetime import date
from functools import cache
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from activitylog.accounts.console import PermissionDenied
from activitylog.accounts.signin import Viewer
from activitylog.catalog import REGISTRY
from activitylog.catalog.search import search_terms
from activitylog.domain import permissions
from activitylog.domain.channel import CONSOLE
from activitylog.domain.cursor import Cursor
from activitylog.domain.days import day_of
from activitylog.domain.filters import ActivityFilter
from activitylog.errors import BadRequest, InvalidInput
from activitylog.export.filename import csv_filename
from activitylog.http.downloads import csv_download
from activitylog.http.state import services
from activitylog.storage.base import Teammate
from activitylog.tokens import token_names_for
from activitylog.web import activity_view
from activitylog.web.activity_filters import CUSTOM, PRESETS, PageFilter, chips, human_date
from activitylog.web.session import form_of, viewer
from activitylog.web.templating import SECURITY_HEADERS, page

router = APIRouter(include_in_schema=False)
PATH = "settings/activity-logs"
BATCH = 50  # entries per batch: a screen or two, and a few milliseconds to read and render


def _allowed(signed_in: Viewer) -> None:
    if permissions.SETTINGS not in signed_in.permissions:
        raise PermissionDenied(permissions.SETTINGS)


def _cursor(request: Request) -> Cursor | None:
    """The URL's cursor; one that this service did not issue is refused like a bad filter (422, naming it)."""
    values = request.query_params.getlist("cursor")
    if len(values) > 1:
        raise InvalidInput.single("cursor", "give one value, not several")
    try:
        return Cursor.decode(values[0]) if values and values[0] else None
    except BadRequest as problem:
        raise InvalidInput(problem.errors) from None


def _today(request: Request, signed_in: Viewer) -> date:
    return day_of(services(request).log.clock(), signed_in.workspace.timezone)


def _timed(response: Response, started: float) -> Response:
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


@cache
def _catalog() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The action menu: categories and their types (code, label, the words a search finds it by)."""
    return [
        (category, [(t.code, t.label, search_terms(t)) for t in members])
        for category, members in REGISTRY.categories().items()
    ]


def _paths(signed_in: Viewer) -> dict[str, Any]:
    root = f"/a/{signed_in.workspace.id}/{PATH}"
    return {
        "page_path": root,
        "entries_path": f"{root}/entries",
        "histogram_path": f"{root}/histogram",
        "download_path": f"{root}/download",
    }


def _batch(
    request: Request, signed_in: Viewer, current: PageFilter, where: ActivityFilter, cursor: Cursor | None, today: date
) -> dict[str, Any]:
    """One batch of entries and what follows it: the next cursor, or the end of the log."""
    log = services(request).log
    found = log.query(signed_in.workspace, where, limit=BATCH, cursor=cursor)
    timezone = signed_in.workspace.timezone
    next_cursor = found.next_cursor.encode() if found.next_cursor else None
    return {
        "rows": activity_view.rows(found.entries, timezone, token_names_for(log, signed_in.workspace, found.entries)),
        "next_cursor": next_cursor,
        "next_query": current.query(cursor=next_cursor or ""),
        # The day of the entry before this batch, so a day's heading is not repeated across batches.
        "previous_day": day_of(cursor.occurred_us, timezone) if cursor else None,
        "first_batch": cursor is None,
        "today": today,
        "day_heading": activity_view.day_heading,
        "query": current.query(),
        "filtered": not current.empty,
        "retention_days": signed_in.workspace.retention_days,
        **_paths(signed_in),
    }


# The page ----------------------------------------------------------------------------------------------------


@router.get("/a/{workspace_id}/settings/activity-logs")
async def activity_logs(request: Request, workspace_id: str) -> Response:
    started = time.perf_counter()
    signed_in = await viewer(request, workspace_id)
    return _timed(await run_in_threadpool(_page, request, signed_in), started)


def _page(request: Request, signed_in: Viewer) -> Response:
    _allowed(signed_in)
    today = _today(request, signed_in)
    teammates = services(request).log.teammates(signed_in.workspace)
    try:
        current = PageFilter.parse(request.query_params)
        cursor = _cursor(request)
    except InvalidInput as problem:
        # The page still opens, with the reason next to each field and no filter applied (the form keeps what
        # was typed); the status says it was refused.
        shown = PageFilter.typed(request.query_params, problem)
        return _render(request, signed_in, shown, teammates, today, error=problem, status=problem.status)
    where = current.activity_filter(signed_in.workspace.timezone, today)
    batch = _batch(request, signed_in, current, where, cursor, today)
    return _render(request, signed_in, current, teammates, today, batch=batch, older=cursor is not None)


def _render(
    request: Request,
    signed_in: Viewer,
    current: PageFilter,
    teammates: list[Teammate],
    today: date,
    *,
    batch: dict[str, Any] | None = None,
    older: bool = False,
    error: InvalidInput | None = None,
    status: int = 200,
) -> Response:
    by_id = {t.id: t for t in teammates}
    # A teammate in the URL whom the directory does not know still shows, checked, so it can be unchecked.
    options = [*teammates, *(Teammate(signed_in.workspace.id, t, t) for t in current.teammates if t not in by_id)]
    first, last = current.days(today)
    return page(
        request,
        "activity_logs.html",
        signed_in,
        current=PATH,
        status=status,
        error=error,
        error_inline=error is not None,  # each problem shows at its field or in the card, not in the banner too
        field_errors=_field_errors(error),
        filter=current,
        chips=chips(current, by_id, today) if error is None else [],
        catalog=_catalog(),
        chosen_types=set(current.types),
        type_summary=_type_summary(current),
        teammate_options=options,
        chosen_teammates=set(current.teammates),
        teammate_summary=_teammate_summary(current, by_id),
        presets=[(code, label) for code, (label, _) in PRESETS.items()],
        custom=CUSTOM,
        date_summary=current.date_label(today),
        first_day=first.isoformat() if first else "",
        last_day=last.isoformat() if last else "",
        today_iso=today.isoformat(),
        older=older,
        listed=batch is not None,
        **{**(batch or {}), "query": current.query(), **_paths(signed_in)},
    )


def _field_errors(error: InvalidInput | None) -> dict[str, str]:
    """Each field's reasons, joined (a search can be wrong in several ways at once)."""
    joined: dict[str, list[str]] = {}
    for problem in error.errors if error else []:
        joined.setdefault(problem.field, []).append(problem.message)
    return {field: "; ".join(messages) for field, messages in joined.items()}


def _type_summary(current: PageFilter) -> str:
    if not current.types:
        return "All activity"
    if len(current.types) == 1:
        return REGISTRY[current.types[0]].label
    return f"{len(current.types)} actions"


def _teammate_summary(current: PageFilter, by_id: dict[str, Teammate]) -> str:
    if not current.teammates:
        return "All teammates"
    if len(current.teammates) == 1:
        found = by_id.get(current.teammates[0])
        return found.name if found else current.teammates[0]
    return f"{len(current.teammates)} teammates"


# Further entries ----------------------------------------------------------------------------------------------


@router.get("/a/{workspace_id}/settings/activity-logs/entries")
async def more_entries(request: Request, workspace_id: str) -> Response:
    started = time.perf_counter()
    signed_in = await viewer(request, workspace_id)
    return _timed(await run_in_threadpool(_entries, request, signed_in), started)


def _entries(request: Request, signed_in: Viewer) -> Response:
    _allowed(signed_in)
    today = _today(request, signed_in)
    current = PageFilter.parse(request.query_params)
    cursor = _cursor(request)
    where = current.activity_filter(signed_in.workspace.timezone, today)
    return page(
        request,
        "activity_entries.html",
        signed_in,
        current=PATH,
        # Fetched by the page's script (htmx says so): each entry's details come when it is opened.
        lazy_details=request.headers.get("hx-request") == "true",
        **_batch(request, signed_in, current, where, cursor, today),
    )


@router.get("/a/{workspace_id}/settings/activity-logs/entries/{entry_id}")
async def entry_details(request: Request, workspace_id: str, entry_id: str) -> Response:
    """One entry's details, for an entry of a batch that left them out (see activity_entries.html)."""
    started = time.perf_counter()
    signed_in = await viewer(request, workspace_id)
    return _timed(await run_in_threadpool(_details, request, signed_in, entry_id), started)


def _details(request: Request, signed_in: Viewer, entry_id: str) -> Response:
    _allowed(signed_in)
    log = services(request).log
    entry = log.get_entry(signed_in.workspace, entry_id)  # NotFound: the 404 page
    (row,) = activity_view.rows(
        [entry], signed_in.workspace.timezone, token_names_for(log, signed_in.workspace, [entry])
    )
    return page(request, "activity_entry_details.html", signed_in, current=PATH, row=row)


# The histogram ------------------------------------------------------------------------------------------------


@router.get("/a/{workspace_id}/settings/activity-logs/histogram")
async def histogram(request: Request, workspace_id: str) -> Response:
    started = time.perf_counter()
    signed_in = await viewer(request, workspace_id)
    return _timed(await run_in_threadpool(_histogram, request, signed_in), started)


def _chart(request: Request, signed_in: Viewer) -> tuple[PageFilter, activity_view.Histogram, list[tuple[date, int]]]:
    _allowed(signed_in)
    today = _today(request, signed_in)
    current = PageFilter.parse(request.query_params)
    timezone = signed_in.workspace.timezone
    where = current.activity_filter(timezone, today)
    first, last = current.days(today)
    if first is not None and first == last:
        hours = services(request).log.count_by_hour(signed_in.workspace, where, first)
        return current, activity_view.hourly(first, hours, timezone), []
    counts = services(request).log.count_by_day(signed_in.workspace, where)
    if not current.range:
        # All time: the chart starts at the first day with an entry, not at the retention period's start.
        start = next((n for n, (_, count) in enumerate(counts) if count), len(counts))
        counts = counts[start:]
    return current, activity_view.histogram(counts, current.days(today)), counts


#: Past this many days a week-per-bar chart comes too, and the page shows it where day bars would be narrower
#: than MIN_BAR_PX (a phone past 90 days, a desktop past about 230).
WEEKS_PAST_DAYS, MIN_BAR_PX = 90, 4


def _histogram(request: Request, signed_in: Viewer) -> Response:
    current, chart, counts = _chart(request, signed_in)
    bars = [(bar, current.on_day(bar.first, bar.last).query()) for bar in chart.bars]
    weeks = None
    if not chart.weekly and len(chart.bars) > WEEKS_PAST_DAYS:
        weekly = activity_view.histogram(counts, current.days(_today(request, signed_in)), weekly=True)
        weeks = (weekly, [(bar, current.on_day(bar.first, bar.last).query()) for bar in weekly.bars])
    return page(
        request,
        "activity_histogram.html",
        signed_in,
        current=PATH,
        chart=chart,
        bars=bars,
        weeks=weeks,
        min_bar_px=MIN_BAR_PX,
        total=activity_view.entries_text(chart.total),
        first=human_date(chart.first) if chart.first else "",
        last=human_date(chart.last) if chart.last else "",
        busiest=chart.busiest,
        filtered=not current.empty,
        **_paths(signed_in),
    )


@router.get("/a/{workspace_id}/settings/activity-logs/histogram.svg")
async def histogram_image(request: Request, workspace_id: str) -> Response:
    """The histogram drawn on the server, for a browser without JavaScript (the page shows it in <noscript>)."""
    started = time.perf_counter()
    signed_in = await viewer(request, workspace_id)
    _, chart, _ = await run_in_threadpool(_chart, request, signed_in)
    image = Response(
        activity_view.histogram_svg(chart),
        media_type="image/svg+xml",
        headers={**SECURITY_HEADERS, "Cache-Control": "private, no-store"},
    )
    return _timed(image, started)


# The CSV ------------------------------------------------------------------------------------------------------


@router.post("/a/{workspace_id}/settings/activity-logs/download")
async def download(request: Request, workspace_id: str) -> Response:
    signed_in, form = await form_of(request, workspace_id)
    _allowed(signed_in)
    if form.get("format") != "csv":
        raise BadRequest.single("format", "must be csv (the only download format)")
    return await run_in_threadpool(_download, request, signed_in)


def _download(request: Request, signed_in: Viewer) -> Response:
    workspace = signed_in.workspace
    today = _today(request, signed_in)
    current = PageFilter.parse(request.query_params)
    first, last = current.days(today)
    return csv_download(
        request,
        workspace,
        current.activity_filter(workspace.timezone, today),
        signed_in.member.actor(),
        lambda: csv_filename(workspace.name, first, last, today),
        channel=CONSOLE,
        range_code=current.range or None,
        headers=SECURITY_HEADERS,
    )
