"""The API's names for the one filter model's fields: its query parameters are singular."""

from __future__ import annotations

from activitylog.domain.filters import ActivityFilter, FieldNames

API = FieldNames(types="type", teammates="teammate")


def parse_filter(
    *,
    types: list[str] | None = None,
    teammates: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    ip: str | None = None,
    q: str | None = None,
    names: FieldNames = API,
) -> ActivityFilter:
    """`ActivityFilter.parse`, its errors naming the parameters as `names` says (the API's by default)."""
    return ActivityFilter.parse(types=types, teammates=teammates, since=since, until=until, ip=ip, q=q, names=names)
