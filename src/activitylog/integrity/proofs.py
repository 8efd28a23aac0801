"""Proofs: what a customer needs to check an export of their entries without trusting the server.

A proof covers a stretch of the chain between two points the server signed: it starts at a checkpoint (or
at the workspace's first entry, whose chain hash anyone can compute), lists the link of every position up to
the next checkpoint (entry id, occurred-at and content hash; a purged entry's link has no id), and ends at
that checkpoint. `verify_export` then checks, with nothing but the server's public key:
- both checkpoints' signatures;
- that the links, chained from the start's hash, give exactly the end checkpoint's hash;
- that each exported entry (as `GET /v1/events` shows it) has the link the proof gives for its id.
So an entry changed, left out of the proof, or added to the export is found, whatever the server says.

Invariants: a proof never holds more than MAX_LINKS links (ask for a narrower stretch); links are computed from
the stored entries when asked, never taken from stored hashes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from activitylog.errors import InvalidInput, NotFound
from activitylog.integrity import canonical
from activitylog.integrity.checkpoints import Checkpoint
from activitylog.integrity.keys import Verifier
from activitylog.integrity.reader import ChainReader

MAX_LINKS = 100_000
FORMAT = "activitylog-proof-v1"


def build(
    reader: ChainReader,
    workspace_id: str,
    *,
    first: int | None = None,
    last: int | None = None,
    entry_id: str | None = None,
) -> dict[str, Any]:
    """The proof for positions `first` to `last` (by default: from the anchor to the latest checkpoint), or for
    the position of `entry_id`, widened to the checkpoints around them."""
    if entry_id is not None:
        found = reader.position_of(workspace_id, entry_id)
        if found is None:
            raise NotFound(f"no entry {entry_id!r} in this workspace's chain", field="entry_id")
        first = last = found
    anchored = reader.anchor(workspace_id)
    anchor = anchored[0] if anchored else 0
    newest = reader.latest_checkpoint(workspace_id)
    if newest is None or newest.position <= anchor:
        raise NotFound("no checkpoint covers this workspace's entries yet: try again after the next one")
    first = max(first if first is not None else anchor + 1, anchor + 1)
    last = min(last if last is not None else newest.position, newest.position)
    if last < first:
        raise InvalidInput.single("to", "must not be before `from`, and the stretch must hold signed entries")
    starts = reader.checkpoints(workspace_id, after=anchor - 1, before=first, limit=1)
    start = starts[0] if starts else None
    if start is None and anchor > 0:
        raise NotFound("the retention anchor's checkpoint is missing")
    ends = reader.checkpoints(workspace_id, after=last - 1, limit=1)
    end = ends[0]
    begin = start.position if start is not None else 0
    if end.position - begin > MAX_LINKS:
        raise InvalidInput.single(
            "to", f"a proof holds at most {MAX_LINKS:,} links; this stretch has {end.position - begin:,}: narrow it"
        )
    tombstones = reader.tombstones(workspace_id, begin, end.position)
    links: list[dict[str, Any]] = []
    rows = reader.chain_rows(workspace_id, begin, end.position)
    by_position = {int(row[0]): row for row in rows}
    for position in range(begin + 1, end.position + 1):
        row = by_position.get(position)
        if row is not None:
            links.append(
                {
                    "position": position,
                    "entry_id": row[canonical.ID],
                    "link": canonical.stored_link(workspace_id, row).hex(),
                }
            )
        elif position in tombstones:
            links.append({"position": position, "entry_id": None, "link": tombstones[position].hex()})
        else:
            links.append({"position": position, "entry_id": None, "link": None})  # missing: the proof will fail
    return {
        "format": FORMAT,
        "workspace_id": workspace_id,
        "start": {
            "position": begin,
            "chain_hash": (start.chain_hash if start else canonical.genesis(workspace_id)).hex(),
            "checkpoint": start.as_dict() if start else None,
        },
        "end": {"checkpoint": end.as_dict()},
        "links": links,
    }


@dataclass(slots=True)
class ExportCheck:
    """What `verify_export` found: entries proven, and every problem (an empty list means all is well)."""

    proven: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.proven > 0


def check_proof(proof: dict[str, Any], verifier: Verifier) -> tuple[str, dict[str, bytes], list[str]]:
    """A proof's workspace, its links by entry id, and its problems (signatures, chain)."""
    problems: list[str] = []
    if proof.get("format") != FORMAT:
        return "", {}, [f"not a proof of this format ({FORMAT})"]
    workspace_id = str(proof["workspace_id"])
    start = proof["start"]
    position = int(start["position"])
    if start.get("checkpoint") is not None:
        opening = Checkpoint.from_dict(start["checkpoint"])
        problem = opening.problem(verifier)
        if problem is not None:
            problems.append(f"the starting checkpoint {problem}")
        if opening.workspace_id != workspace_id or opening.position != position:
            problems.append("the starting checkpoint is not the proof's start")
        running = opening.chain_hash
    else:
        if position != 0:
            problems.append("a proof that does not start at the first entry must start at a signed checkpoint")
        running = canonical.genesis(workspace_id)
    closing = Checkpoint.from_dict(proof["end"]["checkpoint"])
    problem = closing.problem(verifier)
    if problem is not None:
        problems.append(f"the closing checkpoint {problem}")
    if closing.workspace_id != workspace_id:
        problems.append("the closing checkpoint is of another workspace")
    by_id: dict[str, bytes] = {}
    for item in proof["links"]:
        position += 1
        if int(item["position"]) != position or item.get("link") is None:
            problems.append(f"the chain has no link for position {position}: the entry there is missing")
            return workspace_id, by_id, problems
        link = bytes.fromhex(item["link"])
        running = canonical.step(running, link)
        if item.get("entry_id") is not None:
            by_id[str(item["entry_id"])] = link
    if position != closing.position or running != closing.chain_hash:
        problems.append(
            "the links do not chain up to the closing checkpoint's signed hash: the proof or the entries were changed"
        )
    return workspace_id, by_id, problems


def verify_export(
    entries: Iterable[dict[str, Any]], proofs: Sequence[dict[str, Any]], verifier: Verifier
) -> ExportCheck:
    """Check exported entries (the API's JSON) against proofs, trusting only `verifier`'s public key."""
    check = ExportCheck()
    links: dict[str, tuple[str, bytes]] = {}
    for number, proof in enumerate(proofs, 1):
        workspace_id, by_id, problems = check_proof(proof, verifier)
        check.problems.extend(f"proof {number}: {p}" for p in problems)
        links.update({entry_id: (workspace_id, link) for entry_id, link in by_id.items()})
    for entry in entries:
        entry_id = str(entry.get("id"))
        found = links.get(entry_id)
        if found is None:
            check.problems.append(f"entry {entry_id}: not covered by the proofs given")
            continue
        workspace_id, link = found
        try:
            recomputed = canonical.entry_link(workspace_id, entry)
        except (KeyError, TypeError, ValueError) as problem:
            check.problems.append(f"entry {entry_id}: cannot be read as an entry ({problem})")
            continue
        if recomputed != link:
            check.problems.append(f"entry {entry_id}: its content differs from what was recorded and signed")
        else:
            check.proven += 1
    return check
