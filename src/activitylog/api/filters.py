"""Query parameters to the one filter model, with errors naming the parameters as the client sent them."""

from __future__ import annotations

from activitylog.domain.filters import ActivityFilter
from activitylog.errors import FieldError, InvalidInput

# ActivityFilter names its fields as the library does; the API's parameters are singular.
_PARAMETER = {"types": "type", "teammates": "teammate"}


def parse_filter(
    *,
    types: list[str] | None = None,
    teammates: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    ip: str | None = None,
    names: dict[str, str] | None = None,
) -> ActivityFilter:
    """`ActivityFilter.parse`, renaming fields in errors (`names` overrides the default renaming)."""
    renaming = {**_PARAMETER, **(names or {})}
    try:
        return ActivityFilter.parse(types=types, teammates=teammates, since=since, until=until, ip=ip)
    except InvalidInput as problem:
        errors = [FieldError(renaming.get(e.field, e.field), _renamed(e, renaming), e.index) for e in problem.errors]
        raise type(problem)(errors) from None


def _renamed(error: FieldError, renaming: dict[str, str]) -> str:
    """The message, naming the other field as the client knows it ("must be later than created_at_after")."""
    if error.field == "until" and error.message == "must be later than since":
        return f"must be later than {renaming.get('since', 'since')}"
    return error.message
