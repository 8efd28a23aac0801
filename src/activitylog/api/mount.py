"""The REST API's part of the app: its routes, its error shapes, its docs page and its OpenAPI document.

The OpenAPI document is post-processed so that it says exactly what the routes do: every error response in
the shape of its surface, the request bodies the handlers parse themselves, X-Request-ID on every answer.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from pydantic.json_schema import models_json_schema

from activitylog.api import auth, errors, events, health, integrity, intercom
from activitylog.api.schemas import ActivityLogSearch, ErrorResponse, EventBatch, IntercomErrorList
from activitylog.http.errors import renderers
from activitylog.ingest.validation import EventIn

DESCRIPTION = """\
A teammate activity log: who did what in a workspace, when, and from where.

* **Native API** (`/v1`): record events one at a time or in batches of up to 1,000 with idempotency keys;
  query them with every filter of the settings page and cursor pagination; download them as CSV.
* **Intercom-compatible API** (`/admins`): the activity-log endpoints of Intercom's REST API, so existing
  Intercom clients work unchanged.

Authenticate with `Authorization: Bearer <token>` (create one with `activitylog token create`). A token
belongs to one workspace and has the scopes `read`, `write` or both. Every answer carries `X-Request-ID`.
"""

_REQUEST_ID_HEADER = {
    "X-Request-ID": {
        "description": "The request's id (yours if you sent a sane one); quote it when reporting a problem.",
        "schema": {"type": "string"},
    }
}


SWAGGER_UI = "5.35.0"  # the vendored swagger-ui-dist in web/static


def mount(app: FastAPI) -> None:
    """The API's routes and error renderers (mount it after the console: its native renderer takes any path)."""
    app.description = DESCRIPTION
    errors.register(renderers(app))
    for router in (events.router, integrity.router, intercom.router, health.router):
        app.include_router(router)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        """Interactive API docs that work offline: Swagger UI vendored from the npm registry (`swagger-ui-dist`
        5.35.0, Apache-2.0) into web/static, like htmx."""
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="activitylog API",
            swagger_js_url=f"/static/swagger-ui-{SWAGGER_UI}-bundle.js",
            swagger_css_url=f"/static/swagger-ui-{SWAGGER_UI}.css",
            swagger_favicon_url="/static/swagger-ui-favicon-32x32.png",
        )

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes, tags=_TAGS
    )
    components = document.setdefault("components", {}).setdefault("schemas", {})
    _, extra = models_json_schema(
        [(EventIn, "validation"), (EventBatch, "validation"), (ActivityLogSearch, "validation")],
        ref_template="#/components/schemas/{model}",
    )
    components.update(extra.get("$defs", {}))
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    document["components"].setdefault("securitySchemes", {})[auth.SCHEME] = auth.SECURITY_SCHEME
    for path, methods in document["paths"].items():
        intercom_route = path.startswith(errors.INTERCOM_PREFIX)
        for operation in methods.values():
            if path.startswith(("/v1/", errors.INTERCOM_PREFIX)):
                operation["security"] = [{auth.SCHEME: []}]  # every data route takes `reader` or `writer`
            _complete_responses(operation, intercom_route)
    # The handler answers parameter_not_found itself (Intercom's error), so the parameter is optional to
    # FastAPI, yet required by the API.
    for parameter in document["paths"]["/admins/activity_logs"]["get"]["parameters"]:
        if parameter["name"] == "created_at_after":
            parameter["required"] = True
            parameter["schema"] = {"type": "integer", "description": parameter["schema"].get("description", "")}
    app.openapi_schema = document
    return document


def _complete_responses(operation: dict[str, Any], intercom_route: bool) -> None:
    responses: dict[str, Any] = operation["responses"]
    model = (IntercomErrorList if intercom_route else ErrorResponse).__name__
    for status in list(responses):
        content = responses[status].get("content", {}).get("application/json", {})
        if "HTTPValidationError" in str(content.get("schema", {})):
            # FastAPI's default 422; our handlers answer invalid parameters in our own shape.
            del responses[status]
            wanted = "400" if intercom_route else "422"
            responses.setdefault(
                wanted,
                {
                    "description": "Invalid parameters, each named.",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
                },
            )
    if operation.get("security") or intercom_route:
        responses.setdefault(
            "500",
            {
                "description": "An unexpected error (a bug): quote the request id when reporting it.",
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model}"}}},
            },
        )
    for response in responses.values():
        response.setdefault("headers", {}).update(_REQUEST_ID_HEADER)


_TAGS = [
    {"name": "events", "description": "Record, query and download activity."},
    {"name": "reference", "description": "The activity-type catalog and the workspace's teammates."},
    {
        "name": "integrity",
        "description": "Tamper evidence: signed checkpoints of the hash chain, and proofs to verify an export.",
    },
    {"name": "intercom-compatible", "description": "Intercom's activity-log endpoints, in Intercom's shapes."},
    {"name": "operations", "description": "Health, readiness and Prometheus metrics (no token needed)."},
]
