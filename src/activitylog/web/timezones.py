"""The time-zone picker of Settings > Workspace: which zones it offers, and each with its offset from UTC."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


@cache
def canonical_timezones() -> tuple[str, ...]:
    """The zones the picker offers: those the tz database defines as zones of their own (its `Z` lines), in
    its geographic areas, then UTC. Its links are left out: the backward-compatibility names (US/Eastern, GB,
    Asia/Calcutta, Europe/Kiev...), the Etc/ offsets and the other aliases of a zone listed under its own name.
    A stored alias is still accepted (see `timezone_options`)."""
    data = files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    zones = {line.split()[1] for line in data.splitlines() if line.startswith("Z ")}
    loadable = available_timezones()
    return (*sorted(z for z in zones if "/" in z and not z.startswith("Etc/") and z in loadable), "UTC")


def utc_offset(timezone: str, at: datetime) -> str:
    """ "UTC+01:00", "UTC-03:30", "UTC+00:00": the zone's offset from UTC at that moment."""
    offset = at.astimezone(ZoneInfo(timezone)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def timezone_options(current: str, at: datetime) -> list[tuple[str, str]]:
    """(value, label) of each zone of the picker, with its offset now. The workspace's own zone is listed even
    when it is an alias the picker leaves out, so saving the page keeps it as it is."""
    zones = list(canonical_timezones())
    if current and current not in zones:
        zones.insert(0, current)
    options = []
    for zone in zones:
        try:
            options.append((zone, zone if zone == "UTC" else f"{zone} ({utc_offset(zone, at)})"))
        except (ZoneInfoNotFoundError, ValueError):  # a stored zone this machine's tz data no longer knows
            options.append((zone, zone))
    return options
