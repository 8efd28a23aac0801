"""The OpenAPI document is valid and complete: every route, parameter, body, answer and error is described."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from tests.api.conftest import Server


@pytest.fixture(scope="module")
def document(server: Server) -> dict[str, Any]:
    answer = httpx.get(f"{server.base_url}/openapi.json")
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_every_route_is_there(document: dict[str, Any]) -> None:
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert operations == {
        ("POST", "/v1/events"),
        ("GET", "/v1/events"),
        ("GET", "/v1/events/{entry_id}"),
        ("GET", "/v1/events.csv"),
        ("GET", "/v1/activity-types"),
        ("GET", "/v1/teammates"),
        ("GET", "/v1/integrity/checkpoints"),
        ("GET", "/v1/integrity/public-key"),
        ("GET", "/v1/integrity/proof"),
        ("GET", "/admins/activity_logs"),
        ("POST", "/admins/activity_logs/search"),
        ("GET", "/admins/activity_log_event_types"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/metrics"),
    }


def test_every_authenticated_route_declares_its_errors(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if not operation.get("security"):
                continue
            declared = set(operation["responses"])
            assert {"401", "403", "500"} <= declared, (method, path, declared)
            model = "IntercomErrorList" if path.startswith("/admins") else "ErrorResponse"
            for status in declared - {"200", "201"}:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": f"#/components/schemas/{model}"}, (method, path, status)
            assert "HTTPValidationError" not in str(operation)
            for response in operation["responses"].values():
                assert "X-Request-ID" in response["headers"]


def test_parameters_and_bodies_are_described(document: dict[str, Any]) -> None:
    paths = document["paths"]
    listing = {p["name"]: p for p in paths["/v1/events"]["get"]["parameters"]}
    assert set(listing) == {"type", "teammate", "since", "until", "ip", "q", "limit", "cursor"}
    assert listing["limit"]["schema"]["maximum"] == 500
    assert "actor:" in listing["q"]["description"]
    assert "422" in listing["q"]["description"]
    csv_listing = {p["name"] for p in paths["/v1/events.csv"]["get"]["parameters"]}
    assert "q" in csv_listing
    assert all(p.get("description") for p in listing.values())
    assert set(paths["/v1/events"]["post"]["responses"]) >= {"201", "400", "413", "422"}
    body = paths["/v1/events"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/EventIn"} in body["oneOf"]
    assert {"EventIn", "EventBatch", "ActorIn", "ActivityLogSearch"} <= set(document["components"]["schemas"])
    intercom = {p["name"]: p for p in paths["/admins/activity_logs"]["get"]["parameters"]}
    assert intercom["created_at_after"]["required"] is True
    search = paths["/admins/activity_logs/search"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert search == {"$ref": "#/components/schemas/ActivityLogSearch"}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    post = {p["name"]: p for p in paths["/v1/events"]["post"]["parameters"]}
    assert post["Idempotency-Key"]["in"] == "header"


def test_the_interactive_docs_are_served(server: Server) -> None:
    answer = httpx.get(f"{server.base_url}/docs")
    assert answer.status_code == 200
    assert "swagger" in answer.text.lower()
