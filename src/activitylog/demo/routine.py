"""The machines' routine: API tokens and the system acting on a schedule, about 2% of the demo's entries.

- the "SIEM export" token downloads the previous day's activity every night at 06:00 (`data_export_run`);
- the "Warehouse sync" token exports conversations and contacts every week at 02:30 (`app_data_export`);
- the system deletes leads inactive for a year once a month at 03:00 (`app_data_deletion`).

Invariants: a token acts only after the story created it; runs are spread evenly over the days available
(daily when the demo is large enough, sparser when small); every run lies within the calendar's window.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from activitylog.demo import story
from activitylog.demo.calendar import HOUR, Calendar
from activitylog.demo.people import SIEM_TOKEN, SYSTEM, WAREHOUSE_TOKEN, Machine
from activitylog.demo.scene import Draft
from activitylog.timeutil import MICROS


def routine(calendar: Calendar, rng: random.Random, events: int) -> list[Draft]:
    drafts: list[Draft] = []
    siem_created = calendar.at(*story.SIEM_CREATED).us
    for day in _spread(calendar, siem_created, round(events * 0.018), every_days=1):
        us = calendar.on(day, 6 * HOUR + rng.uniform(0, 240))
        if us is not None:
            rows = max(1, round(events / 364 * rng.uniform(0.6, 1.3)))  # about a day's entries
            filters = {"created_after": (day - timedelta(days=1)).isoformat(), "created_before": day.isoformat()}
            drafts.append(
                _draft(SIEM_TOKEN, "data_export_run", us, {"format": "csv", "rows": rows, "filters": filters})
            )
    warehouse_created = calendar.at(*story.WAREHOUSE_CREATED).us
    for day in _spread(calendar, warehouse_created, round(events * 0.003), every_days=7):
        us = calendar.on(day, 2.5 * HOUR + rng.uniform(0, 900))
        if us is None:
            continue
        for object_type, size in (("conversations", 600), ("contacts", 180)):
            metadata = {"object_type": object_type, "format": "json", "count": round(size * rng.uniform(0.7, 1.4))}
            drafts.append(_draft(WAREHOUSE_TOKEN, "app_data_export", us, metadata))
            us += int(rng.uniform(20, 90) * MICROS)
    for day in _spread(calendar, calendar.start_us, max(1, round(events * 0.0006)), every_days=30):
        us = calendar.on(day, 3 * HOUR + rng.uniform(0, 60))
        if us is not None:
            metadata = {"object_type": "leads inactive for 12 months", "count": rng.randrange(40, 400)}
            drafts.append(_draft(SYSTEM, "app_data_deletion", us, metadata))
    return drafts


def _spread(calendar: Calendar, after_us: int, count: int, *, every_days: int) -> Iterator[date]:
    """Up to `count` days after `after_us` up to today, `every_days` apart at the closest, spread evenly."""
    first = calendar.date_of(after_us) + timedelta(days=1)
    last = calendar.date_of(calendar.now_us)
    slots = (last - first).days // every_days + 1
    count = min(count, slots)
    for index in range(count):
        yield first + timedelta(days=every_days * int(index * slots / count))


def _draft(machine: Machine, code: str, us: int, metadata: dict[str, Any]) -> Draft:
    return Draft(code, machine, us, metadata, machine.ip, machine.user_agent)
