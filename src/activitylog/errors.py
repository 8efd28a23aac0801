"""The errors the service raises on purpose, each with an HTTP status and a machine code.

    ActivityLogError (500 internal_error)
    ├── InvalidInput (422 invalid)            one or more FieldErrors: field, reason, batch index
    │   └── BadRequest (400 bad_request)      the request itself is malformed (a bad cursor, bad JSON)
    ├── NotFound (404 not_found)
    ├── Conflict (409 conflict)
    ├── PayloadTooLarge (413 payload_too_large)
    ├── RequestTimeout (408 request_timeout)  the client took too long to send its request
    ├── Unauthorized (401 unauthorized)
    ├── Forbidden (403 forbidden)
    └── Unavailable (503 unavailable)       the database is locked, full or unreachable: retry later

The HTTP layer renders these as JSON for the API and as a page for the browser; the CLI prints them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """What is wrong with one field of the input; `index` is the item's position in a batch."""

    field: str
    message: str
    index: int | None = None

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"field": self.field, "message": self.message}
        if self.index is not None:
            data["index"] = self.index
        return data

    def __str__(self) -> str:
        where = f"item {self.index}: " if self.index is not None else ""
        return f"{where}{self.field}: {self.message}"


class ActivityLogError(Exception):
    status: int = 500
    code: str = "internal_error"
    request_id: str | None = None  # set by the SDK on errors the server answered: the X-Request-ID to quote

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ActivityLogError):
    status = 422
    code = "invalid"

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        first = errors[0] if errors else None
        super().__init__(message or (str(first) if first else "invalid input"), field=first.field if first else None)
        self.errors = errors

    @classmethod
    def single(cls, field: str, message: str) -> InvalidInput:
        return cls([FieldError(field, message)])


class BadRequest(InvalidInput):
    status = 400
    code = "bad_request"


class NotFound(ActivityLogError):
    status = 404
    code = "not_found"


class Conflict(ActivityLogError):
    status = 409
    code = "conflict"


class PayloadTooLarge(ActivityLogError):
    status = 413
    code = "payload_too_large"


class RequestTimeout(ActivityLogError):
    status = 408
    code = "request_timeout"


class Unauthorized(ActivityLogError):
    status = 401
    code = "unauthorized"


class Forbidden(ActivityLogError):
    status = 403
    code = "forbidden"


class Misdirected(ActivityLogError):
    """A request for a host this server does not answer for (`ACTIVITYLOG_PUBLIC_URL`)."""

    status = 421
    code = "misdirected"


class Unavailable(ActivityLogError):
    status = 503
    code = "unavailable"

    def __init__(self, message: str, *, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after
