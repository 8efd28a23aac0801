"""A batch of incoming events turned into rows, all of them or none: the pipeline's one preparing step.

Invariants:
- at most MAX_BATCH items; every problem of every item is reported (InvalidInput, by item index and field),
  and one bad item fails the whole batch;
- items of the common shape go through the fast path (`fast`), the rest through the general one
  (`validation`), against one `Intake`, so both paths see the same clock, window and ids;
- a teammate actor named by id alone is completed from the workspace's directory; unknown and unnamed, it is
  refused (the entry must stay readable after the teammate is gone).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pydantic import TypeAdapter, ValidationError

from activitylog.domain.prepared import Prepared
from activitylog.errors import FieldError, InvalidInput
from activitylog.ingest import fast
from activitylog.ingest.intake import Intake
from activitylog.ingest.validation import EventIn, parse_event, prepare
from activitylog.storage.base import Teammate

MAX_BATCH = 1000

#: The workspace's teammates by id, for the ids asked (those it does not know are absent).
Directory = Callable[[Sequence[str]], Mapping[str, Teammate]]


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch is prepared (reference counting still frees everything).

    Preparing 1,000 events allocates some 10,000 short-lived containers (models, dicts, rows); each 700 of them
    started a collection that walked the half-built batch, and every few batches a full one walked every object
    of the process: a third of the cost of preparing (bench.sqlite_bench). Nothing here makes reference cycles, so
    pausing frees nothing later than it would have been. Process-wide, so it is only resumed by whoever paused
    it: a thread that finds collection already paused (by another batch, or by the application) leaves it so.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


_EVENTS = TypeAdapter(list[EventIn])


def prepare_batch(
    items: Sequence[Mapping[str, Any] | EventIn], intake: Intake, *, directory: Directory | None = None
) -> list[Prepared]:
    """Every event of a batch prepared, or InvalidInput listing every problem of every item.

    Items of the common shape are prepared by `fast` without pydantic; the rest (anything unusual, every bad
    item, and teammates whose name or email is to be looked up in `directory`) take the general path: parsed by
    EventIn, completed, then `prepare`d.
    """
    check_size(len(items))
    with _cycle_collection_paused():
        quick = fast.prepare_plain(items, intake)
    if None not in quick:
        return quick  # type: ignore[return-value]  # no None left: every item is a Prepared
    errors: list[FieldError] = []
    events: list[EventIn | None] = [None] * len(items)
    rest = [index for index, done in enumerate(quick) if done is None]
    with _cycle_collection_paused():
        try:
            # Often the whole rest is valid (events naming teammates by id alone): one call into pydantic's core.
            for index, event in zip(rest, _EVENTS.validate_python([items[i] for i in rest]), strict=True):
                events[index] = event
        except ValidationError:
            for index in rest:
                parsed = parse_event(items[index], index)
                if isinstance(parsed, EventIn):
                    events[index] = parsed
                else:
                    errors.extend(parsed)
    if directory is not None:
        errors.extend(complete_actors(events, directory))  # may read the database: not with collection paused
    with _cycle_collection_paused():
        for index, parsed_event in enumerate(events):
            if parsed_event is None:
                continue
            result = prepare(parsed_event, intake, index)
            if isinstance(result, Prepared):
                quick[index] = result
            else:
                errors.extend(result)
        # The parsed events die here, before collection resumes: it then has only the rows to look at.
        events.clear()
    if errors:
        errors.sort(key=lambda e: -1 if e.index is None else e.index)
        raise InvalidInput(errors)
    return quick  # type: ignore[return-value]  # every item is prepared, or an error was raised above


def complete_actors(events: list[EventIn | None], directory: Directory) -> list[FieldError]:
    """Fill a teammate actor's missing name or email from the workspace's teammates, in place; the errors of
    those that cannot be filled. None stands for an item that did not parse or is prepared already.

    A name is required (the entry must stay readable after the teammate is gone); an email is filled when
    the directory knows it.
    """
    incomplete = [
        e.actor
        for e in events
        if e and e.actor.type == "teammate" and e.actor.id and not (e.actor.name and e.actor.email)
    ]
    if not incomplete:
        return []
    # An id with NUL is refused by validation; PostgreSQL cannot even look it up.
    known = directory([actor.id for actor in incomplete if actor.id and "\x00" not in actor.id])
    chosen = {id(actor) for actor in incomplete}
    errors = []
    for index, event in enumerate(events):
        if event is None or id(event.actor) not in chosen:
            continue
        actor = event.actor
        teammate = known.get(actor.id or "")
        if teammate is not None:
            actor.name = actor.name or teammate.name
            actor.email = actor.email or teammate.email
        elif not actor.name:
            message = f"is required: teammate {actor.id!r} is not known to this workspace"
            errors.append(FieldError("actor.name", message, index))
    return errors


def check_size(count: int) -> None:
    """InvalidInput for a batch over MAX_BATCH (the API asks before it looks at any item)."""
    if count > MAX_BATCH:
        raise InvalidInput.single("events", f"a batch holds at most {MAX_BATCH:,} events, not {count:,}")


def without_index(problem: InvalidInput) -> InvalidInput:
    """A single event's errors, which carry no batch index (the caller sent one event, not a list)."""
    return InvalidInput([FieldError(e.field, e.message) for e in problem.errors])
