"""Verification: walk a workspace's chain and say exactly which entries fail, and why.

What is checked, for every position after the retention anchor:
- each entry's content, recomputed from its stored fields, against its own stored chain hash and the one
  before it: a row changed outside the service is named (`changed`), and only it;
- each column derived from the hashed fields (the IP key the IP filters search), recomputed from them: a row
  whose derived column alone was changed is named too (`changed`), though its hash still matches. Every column
  of an entry is hashed, chained, or derived and checked, but SQLite's rowid (see `derived`);
- positions run 1, 2, 3, ... with no gap (`missing`: entries deleted) and no repeat (`inserted`); a row
  without a position is `unchained` (inserted behind the service's back);
- the chain recomputed from the anchor's signed hash matches every signed checkpoint on the way
  (`checkpoint`): this also catches an attacker who changed a row and recomputed every stored hash after it;
- every checkpoint's signature (`signature`), the anchor being a signed checkpoint (`anchor`), each
  tombstone standing for an entry that was due for deletion (`tombstone`), and the head (`head`).

Invariants: the walk reads pages of rows in chain order and keeps only the current hashes, so memory does not
grow with the log; it trusts nothing stored but the signatures made with the server's key. It reads only through
`integrity.reader.ChainReader` (storage holds the SQL), a page of rows per call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from activitylog.integrity import canonical
from activitylog.integrity.checkpoints import Checkpoint
from activitylog.integrity.derived import IP_KEY_PROBLEM, IpKeys
from activitylog.integrity.keys import Verifier
from activitylog.integrity.reader import ChainReader
from activitylog.timeutil import DAY_US, iso

PAGE = 10_000
# One long-lived thread reads the next page ahead (the store behind a reader gives each thread one read
# connection, so a thread per walk would leave a connection behind each time).
_READER = ThreadPoolExecutor(1, thread_name_prefix="activitylog-verify")
MAX_FAILURES = 1000  # reported in full up to this many; the count goes on


@dataclass(frozen=True, slots=True)
class Failure:
    kind: str  # changed, missing, inserted, unchained, checkpoint, signature, anchor, tombstone, head
    message: str
    position: int | None = None
    entry_id: str | None = None

    def __str__(self) -> str:
        where = []
        if self.entry_id is not None:
            where.append(f"entry {self.entry_id}")
        if self.position is not None:
            where.append(f"position {self.position}")
        return f"{' at '.join(where) + ': ' if where else ''}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "position": self.position, "entry_id": self.entry_id, "message": self.message}


@dataclass(slots=True)
class Report:
    workspace_id: str
    entries: int = 0
    tombstones: int = 0
    anchor: int = 0
    head: int = 0
    checkpoints: int = 0  # trusted checkpoints the chain was compared with
    failures: list[Failure] = field(default_factory=list)
    failure_count: int = 0
    last_entry_id: str | None = None
    chain_hash: bytes = b""  # recomputed at `head`, when the walk got there intact

    @property
    def ok(self) -> bool:
        return self.failure_count == 0

    def fail(self, failure: Failure) -> None:
        self.failure_count += 1
        if len(self.failures) < MAX_FAILURES:
            self.failures.append(failure)

    def as_dict(self) -> dict[str, Any]:
        return {
            "workspace_id": self.workspace_id,
            "ok": self.ok,
            "entries": self.entries,
            "tombstones": self.tombstones,
            "anchor": self.anchor,
            "head": self.head,
            "checkpoints": self.checkpoints,
            "failure_count": self.failure_count,
            "failures": [f.as_dict() for f in self.failures],
        }


def _rows(reader: ChainReader, workspace_id: str, after: int, until: int | None) -> Iterator[list[Any]]:
    """Rows after position `after` in chain order, a page at a time; the next page is read (in a thread: the
    database works without the interpreter lock) while the caller hashes this one. Rows sharing a position
    (inserted ones) always come in the same page: a full page holds back the rows of its last position, and
    the next page starts at that position."""

    def page(start: int) -> list[Any]:
        return reader.chain_rows(workspace_id, start, until, PAGE)

    coming = _READER.submit(page, after)
    while True:
        rows = coming.result()
        if len(rows) < PAGE:
            if rows:
                yield rows
            return
        last = rows[-1][0]
        if rows[0][0] == last:  # a whole page at one position (thousands inserted there): take it, go past it
            coming = _READER.submit(page, last)
            yield rows
            continue
        coming = _READER.submit(page, last - 1)  # positions are whole numbers: from `last` on
        cut = len(rows) - 1
        while rows[cut - 1][0] == last:
            cut -= 1
        yield rows[:cut]


def _run(
    rows: list[Any],
    index: int,
    expected: int,
    chain: bytes,
    checkpoints: dict[int, Checkpoint],
    pending: list[int],
    link_of: Callable[[Any], bytes],
    ip_keys: IpKeys,
) -> tuple[int, int, bytes, str | None]:
    """`walk`'s common case, in local variables: rows from `index` at the expected positions, each matching its
    stored chain hash and holding the IP key of its IP, with the stored chain agreeing with the recomputed one so
    far, so one hash checks both. Answers where it stopped (the first row that needs a closer look), the next
    expected position, the chain hash, and the id of the last entry it took (None if none)."""
    sha256 = canonical._sha256
    IP, IP_KEY = canonical.IP, canonical.IP_KEY
    count = len(rows)
    start = index
    while index < count:
        row = rows[index]
        position = row[0]
        if position != expected or position in checkpoints or (pending and pending[0] <= position):
            break
        stored = row[1]
        try:
            link = link_of(row)
        except Exception:  # a value of the wrong type: the slow path names it
            break
        if stored is None or sha256(chain + link).digest() != stored or row[IP_KEY] != ip_keys[row[IP]]:
            break
        chain = stored if isinstance(stored, bytes) else bytes(stored)
        expected += 1
        index += 1
    return index, expected, chain, rows[index - 1][canonical.ID] if index > start else None


def walk(
    reader: ChainReader,
    workspace_id: str,
    report: Report,
    *,
    start: tuple[int, bytes],
    until: int | None,
    checkpoints: dict[int, Checkpoint],
    expired_before_us: int,
) -> None:
    """Walk positions after `start` (position, trusted chain hash) up to `until` (or the end), recording into
    `report` what fails; `checkpoints` are the trusted ones by position."""
    position, trusted = start
    tombstones = reader.tombstones(workspace_id, position, until)
    report.tombstones += len(tombstones)
    expected = position + 1
    running: bytes | None = trusted  # the chain recomputed from the trusted start (None after a gap)
    previous: bytes | None = trusted  # the chain hash stored before this position (None after a gap)
    failed_since_checkpoint = False
    last_id: str | None = None
    pending = sorted(tombstones)
    step = canonical.step
    fast_link = canonical.stored_linker(workspace_id)
    ID, IP, IP_KEY = canonical.ID, canonical.IP, canonical.IP_KEY
    ip_keys = IpKeys()

    def stored_link(row: Any) -> bytes:
        try:
            return fast_link(row)
        except Exception:  # a value of the wrong type, written behind the service's back
            try:
                return canonical.stored_link(workspace_id, row)
            except Exception:
                return b"\xff" * 40  # matches no chain hash: the row is reported as changed

    def derived(row: Any) -> str | None:
        """What is wrong with the row's derived columns, if anything."""
        return None if row[IP_KEY] == ip_keys[row[IP]] else IP_KEY_PROBLEM

    def at(position: int, link: bytes, stored: bytes | None, entry_id: str | None, problem: str | None = None) -> None:
        """One position's entry (or tombstone, with no `entry_id`); `problem` says what is wrong with the entry's
        derived columns."""
        nonlocal expected, running, previous, failed_since_checkpoint, last_id
        if position < expected:
            if entry_id is None or tombstones.get(position) != link:
                report.fail(
                    Failure(
                        "inserted",
                        "this position is held by more than one entry: an entry was inserted outside the service",
                        position,
                        entry_id,
                    )
                )
                failed_since_checkpoint = True
            return
        if position > expected:
            gap = (
                f"the entry at position {expected:,} is"
                if position - expected == 1
                else f"{position - expected:,} entries at positions {expected:,} to {position - 1:,} are"
            )
            report.fail(
                Failure(
                    "missing",
                    f"{gap} missing (between entry {last_id or 'the start'} and this one): deleted outside the service",
                    position,
                    entry_id,
                )
            )
            failed_since_checkpoint = True
            running = previous = None
        if entry_id is None:  # a tombstone
            occurred = canonical.occurred_of(link)
            if occurred >= expired_before_us:
                report.fail(
                    Failure(
                        "tombstone",
                        f"stands for an entry of {iso(occurred)}, which was not yet due for "
                        "deletion: an entry was deleted outside the service",
                        position,
                    )
                )
                failed_since_checkpoint = True
        elif previous is not None and (stored is None or step(previous, link) != stored):
            report.fail(
                Failure(
                    "changed",
                    "its content or its place does not match its chain hash: changed or moved outside the service",
                    position,
                    entry_id,
                )
            )
            failed_since_checkpoint = True
        elif problem is not None:  # hashed fields intact, so the chain is too: no reason to doubt a checkpoint
            report.fail(Failure("changed", problem, position, entry_id))
        if running is not None:
            running = step(running, link)
        if entry_id is not None and stored is not None:
            previous = stored
        elif previous is not None:
            previous = step(previous, link)
        checkpoint = checkpoints.get(position)
        if checkpoint is not None:
            report.checkpoints += 1
            if running is not None and running != checkpoint.chain_hash and not failed_since_checkpoint:
                report.fail(
                    Failure(
                        "checkpoint",
                        f"the chain up to here differs from the checkpoint signed at {iso(checkpoint.created_us)}: "
                        "entries since the previous checkpoint were changed and their chain hashes recomputed",
                        position,
                        entry_id,
                    )
                )
            running = previous = checkpoint.chain_hash  # the signed hash: later stretches are judged alone
            failed_since_checkpoint = False
        if entry_id is not None:
            last_id = entry_id
        expected = position + 1

    def rows_at(group: list[Any]) -> None:
        """The rows at one position: normally one; of several, the one that matches its chain hash is taken as
        the genuine entry and the others are named as inserted."""
        group_position = int(group[0][0])
        while pending and pending[0] <= group_position:
            tombstone = pending.pop(0)
            at(tombstone, tombstones[tombstone], None, None)
        linked = [(row, stored_link(row), None if row[1] is None else bytes(row[1])) for row in group]
        before = previous
        if len(linked) > 1 and before is not None:
            linked.sort(key=lambda item: item[2] is None or step(before, item[1]) != item[2])
        for row, link, stored in linked:
            at(group_position, link, stored, row[ID], derived(row))

    for rows in _rows(reader, workspace_id, position, until):
        report.entries += len(rows)
        positions = [row[0] for row in rows]
        if len(set(positions)) != len(positions) or None in positions:  # rows sharing a position: the slow way
            group: list[Any] = []
            for row in rows:
                if group and row[0] != group[0][0]:
                    rows_at(group)
                    group = []
                group.append(row)
            rows_at(group)
            continue
        index, count = 0, len(rows)
        while index < count:
            if previous is not None and previous == running:
                index, expected, chain, stopped = _run(
                    rows, index, expected, previous, checkpoints, pending, fast_link, ip_keys
                )
                if stopped is not None:
                    last_id = stopped
                running = previous = chain
                if index == count:
                    break
            row = rows[index]
            index += 1
            row_position = row[0]
            if pending and pending[0] <= row_position:
                rows_at([row])
                continue
            stored = row[1]
            at(row_position, stored_link(row), None if stored is None else bytes(stored), row[ID], derived(row))
    for tombstone in pending:
        at(tombstone, tombstones[tombstone], None, None)
    report.head = expected - 1
    report.last_entry_id = last_id
    report.chain_hash = running or b""


def verify(reader: ChainReader, verifier: Verifier, workspace_id: str, *, now_us: int) -> Report:
    """Everything this module's docstring lists, for one workspace."""
    report = Report(workspace_id)
    retention_days = reader.retention_days(workspace_id)
    if retention_days is None:  # no such workspace: its entries, if any, are judged by the default period
        retention_days = 365
    head = reader.head(workspace_id) or (0, canonical.genesis(workspace_id))
    anchor = reader.anchor(workspace_id) or (0, canonical.genesis(workspace_id))
    report.anchor = anchor[0]
    trusted: dict[int, Checkpoint] = {}
    for checkpoint in reader.checkpoints(workspace_id, after=anchor[0] - 1):
        problem = checkpoint.problem(verifier)
        if problem is None:
            trusted[checkpoint.position] = checkpoint
        else:
            report.fail(Failure("signature", f"the checkpoint {problem}", checkpoint.position))
    if anchor[0] > 0:
        signed = trusted.pop(anchor[0], None)
        if signed is None or signed.chain_hash != anchor[1]:
            report.fail(
                Failure(
                    "anchor",
                    "the retention anchor is not a checkpoint signed by this server: where "
                    "verification starts was changed outside the service",
                    anchor[0],
                )
            )
    walk(
        reader,
        workspace_id,
        report,
        start=anchor,
        until=None,
        checkpoints=trusted,
        expired_before_us=now_us - retention_days * DAY_US,
    )
    last = report.head
    if head[0] > last:
        report.fail(
            Failure(
                "missing",
                f"the last {head[0] - last:,} entries (positions {last + 1:,} to {head[0]:,}) are "
                "missing: deleted outside the service",
                last + 1,
            )
        )
    elif head[0] < last:
        report.fail(
            Failure(
                "head",
                f"entries at positions {head[0] + 1:,} to {last:,} are past the chain head: inserted "
                "outside the service, or the head was changed",
                head[0] + 1,
            )
        )
    latest = max(trusted, default=0)
    if latest > last:
        report.fail(
            Failure(
                "missing",
                f"a checkpoint signed position {latest:,}, but the chain ends at {last:,}: the "
                "entries after it were deleted outside the service",
                latest,
            )
        )
    for entry_id in reader.unchained(workspace_id):
        report.fail(Failure("unchained", "is in no chain position: inserted outside the service", None, entry_id))
    return report
