"""Tamper evidence over HTTP, `/v1/integrity`: the signed checkpoints, the public key, and proofs.

A customer verifies an export of their entries (the JSON of `GET /v1/events`) without trusting the server:
take the public key once (and keep it), fetch a proof for the entries, and run
`activitylog verify --export events.json --proof proof.json --public-key key.pem` (or the same checks in
any language: see `activitylog.integrity.canonical` and `activitylog.integrity.proofs`).
Every route needs a token with the `read` scope and answers for the token's workspace only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from activitylog.api.auth import reader
from activitylog.api.responses import json_response
from activitylog.api.schemas import error_responses
from activitylog.http.tenants import Tenant
from activitylog.integrity.service import Integrity

# Chain positions are 64-bit integers in both databases: a larger one would overflow the query, not match.
MAX_POSITION = 2**63 - 1
router = APIRouter(prefix="/v1/integrity")
MAX_CHECKPOINTS = 500


class CheckpointOut(BaseModel):
    workspace_id: str
    position: int = Field(description="The chain position signed: the number of entries recorded up to it.")
    chain_hash: str = Field(description="The chain hash at that position (hex).")
    last_entry_id: str | None = Field(description="The entry at that position.")
    created_us: int = Field(description="When it was signed (Unix microseconds).")
    key_id: str = Field(description="The signing key's id (the first 16 hex digits of SHA-256 of its raw key).")
    signature: str = Field(description="Ed25519 signature of `statement`, base64.")
    statement: str = Field(description="The exact bytes signed: canonical JSON of the fields above.")


class CheckpointList(BaseModel):
    key_id: str
    public_key: str = Field(description="The server's Ed25519 public key, PEM. Pin it: do not trust it anew each time.")
    data: list[CheckpointOut] = Field(description="Newest first.")
    next_before: int | None = Field(description="Pass as `before` for older checkpoints; null when there are none.")


class PublicKey(BaseModel):
    key_id: str
    public_key: str


class ProofStart(BaseModel):
    position: int = Field(description="Where the proof starts: 0 (the workspace's genesis) or a checkpoint.")
    chain_hash: str
    checkpoint: CheckpointOut | None


class ProofEnd(BaseModel):
    checkpoint: CheckpointOut


class ProofLink(BaseModel):
    position: int
    entry_id: str | None = Field(description="The entry; null for an entry removed by retention (a tombstone).")
    link: str | None = Field(
        description="Hex: the entry's occurred-at (8 bytes, signed big-endian microseconds) then the SHA-256 of its "
        "canonical bytes. The chain: c[n] = SHA-256(c[n-1] || link[n])."
    )


class Proof(BaseModel):
    format: str
    workspace_id: str
    key_id: str
    public_key: str
    start: ProofStart
    end: ProofEnd
    links: list[ProofLink]


def _integrity(request: Request) -> Integrity:
    found: Integrity = request.app.state.integrity
    return found


@router.get(
    "/checkpoints",
    tags=["integrity"],
    summary="Signed checkpoints",
    response_model=CheckpointList,
    responses=error_responses(401, 403, 422, 503),
)
def list_checkpoints(
    request: Request,
    tenant: Annotated[Tenant, Depends(reader)],
    limit: Annotated[int, Query(ge=1, le=MAX_CHECKPOINTS, description="Checkpoints per page, 1 to 500.")] = 100,
    before: Annotated[
        int | None, Query(ge=1, le=MAX_POSITION, description="Only checkpoints before this chain position.")
    ] = None,
) -> Response:
    """The workspace's signed checkpoints of its hash chain, newest first, with the key that signed them."""
    integrity = _integrity(request)
    found = integrity.checkpoints(tenant.workspace.id, limit=limit + 1, before=before)
    more = len(found) > limit
    page = found[:limit]
    return json_response(
        {
            "key_id": integrity.signer.key_id,
            "public_key": integrity.signer.pem,
            "data": [c.as_dict() for c in page],
            "next_before": page[-1].position if more and page else None,
        }
    )


@router.get(
    "/public-key",
    tags=["integrity"],
    summary="The signing key",
    response_model=PublicKey,
    responses=error_responses(401, 403),
)
def public_key(request: Request, tenant: Annotated[Tenant, Depends(reader)]) -> Response:
    """The server's Ed25519 public key (PEM) and its id. Fetch it once and keep it."""
    signer = _integrity(request).signer
    return json_response({"key_id": signer.key_id, "public_key": signer.pem})


@router.get(
    "/proof",
    tags=["integrity"],
    summary="A proof for entries",
    response_model=Proof,
    responses=error_responses(401, 403, 404, 422, 503),
)
async def proof(
    request: Request,
    tenant: Annotated[Tenant, Depends(reader)],
    entry_id: Annotated[str | None, Query(max_length=64, description="Prove this entry.")] = None,
    first: Annotated[
        int | None,
        Query(
            alias="from",
            ge=1,
            le=MAX_POSITION,
            description="Prove chain positions from this one (default: the oldest).",
        ),
    ] = None,
    last: Annotated[
        int | None,
        Query(alias="to", ge=1, le=MAX_POSITION, description="... to this one (default: the latest checkpoint)."),
    ] = None,
) -> Response:
    """The links of a stretch of the chain between two signed points, to verify exported entries offline.

    Without parameters: every entry kept, up to the latest checkpoint (at most 100,000 links: else narrow it
    with `from` and `to`). Entries recorded after the latest checkpoint are covered once the next is signed
    (`GET /v1/integrity/checkpoints` shows when).
    """
    integrity = _integrity(request)
    found: dict[str, Any] = await run_in_threadpool(
        integrity.proof, tenant.workspace.id, first=first, last=last, entry_id=entry_id
    )
    return json_response(found)
